// Instant preview: the playlist (cards and stretches of sources) played with two stacked
// <video> elements. While one plays, the other is loaded with the next stretch, seeked to its
// in-point and waits paused; at the cut they swap. Out-points are watched every animation
// frame (timeupdate comes only ~4 times a second). One element has the sound at a time; the
// loop is cancelled and rebuilt whenever the playlist changes, so nothing plays twice.
// Then: Render, with progress streamed from the server, and the finished film.

import { listen } from "./keys.js";
import { clock, el, getJSON, holdVersion, pageData, say } from "./studio.js";

const layers = [document.getElementById("va"), document.getElementById("vb")];
const card = document.getElementById("card");
const cardTitle = document.getElementById("card-title");
const cardSub = document.getElementById("card-sub");
const voice = document.getElementById("voice");
const caption = document.getElementById("caption");
const playButton = document.getElementById("play");
const scrub = document.getElementById("scrub");
const clockOut = document.getElementById("clock");
const jump = document.getElementById("jump");
const nowPlaying = document.getElementById("now-playing");
const TOLERANCE = 0.02;

let plan = pageData();
let cues = [];
let index = 0;           // the playlist entry on screen
let filmTime = 0;
let playing = false;
let frame = 0;
let cardClock = null;    // for cards: [performance.now() at film time t, t]
let active = 0;          // which layer is on screen
const loaded = [null, null]; // what each layer holds: {entry, ready}

holdVersion(plan.sha256);

function entryAt(time) {
  const entries = plan.entries;
  let lo = 0, hi = entries.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].film_in <= time + 1e-6) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function nextCut(from) {
  for (let i = from + 1; i < plan.entries.length; i++) if (plan.entries[i].kind === "cut") return i;
  return -1;
}

// Load entry i into a layer at the given source time; resolves when it can play there.
function prepare(layer, i, sourceTime) {
  const video = layers[layer];
  const entry = plan.entries[i];
  const src = `/media/${encodeURIComponent(entry.clip)}`;
  const slot = { index: i, ready: null };
  loaded[layer] = slot;
  video.muted = true;
  video.pause();
  slot.ready = new Promise((resolve) => {
    const seekThere = () => {
      const done = () => { video.removeEventListener("seeked", done); resolve(); };
      if (Math.abs(video.currentTime - sourceTime) < 0.01) { resolve(); return; }
      video.addEventListener("seeked", done);
      video.currentTime = sourceTime;
    };
    if (video.getAttribute("src") !== src) {
      video.addEventListener("loadedmetadata", seekThere, { once: true });
      video.setAttribute("src", src);
      video.load();
    } else if (video.readyState >= 1) seekThere();
    else video.addEventListener("loadedmetadata", seekThere, { once: true });
  });
  return slot.ready;
}

function preloadAfter(i) {
  const n = nextCut(i);
  if (n < 0) return;
  const other = 1 - active;
  if (loaded[other]?.index === n) return;
  prepare(other, n, plan.entries[n].source_in);
}

function show(i) {
  const entry = plan.entries[i];
  const isCard = entry.kind === "card";
  card.hidden = !isCard;
  if (isCard) {
    cardTitle.textContent = entry.title;
    cardSub.textContent = entry.subtitle || "";
  }
  const audioOnly = !isCard && entry.media_type === "audio-only";
  voice.hidden = !audioOnly;
  if (audioOnly) {
    document.getElementById("voice-name").textContent = entry.narrator;
    document.getElementById("voice-desc").textContent = entry.descriptor || "";
  }
  layers.forEach((video, n) => {
    video.classList.toggle("active", !isCard && n === active);
    video.muted = isCard || n !== active;
  });
  const where = entry.touchpoint !== null && entry.touchpoint !== undefined ? plan.touchpoints[entry.touchpoint] : null;
  const refused = !isCard && plan.refused.includes(entry.clip);
  nowPlaying.textContent = isCard
    ? `Card: ${entry.title}`
    : `${entry.narrator}${where ? ` in “${where}”` : ""} · clip ${entry.clip} ${clock(entry.source_in)}–${clock(entry.source_out)}`
      + (refused ? " · CONSENT REFUSED: this clip may not be shown" : "");
  nowPlaying.classList.toggle("problem", refused);
  document.getElementById("stage").dataset.entry = String(i);
}

async function enter(i, offset, { resume }) {
  cancelAnimationFrame(frame);
  index = i;
  const entry = plan.entries[i];
  filmTime = entry.film_in + offset;
  if (entry.kind === "card") {
    layers.forEach((v) => v.pause());
    cardClock = [performance.now(), filmTime];
    show(i);
    preloadAfter(i);
  } else {
    cardClock = null;
    const sourceTime = entry.source_in + offset;
    const other = 1 - active;
    let layer;
    if (loaded[other]?.index === i && offset < 0.05) layer = other;
    else if (loaded[active]?.index === i && Math.abs(layers[active].currentTime - sourceTime) < 0.05) layer = active;
    else { layer = other; prepare(layer, i, sourceTime); }
    const previous = active;
    await loaded[layer].ready;
    if (index !== i) return; // something else was chosen meanwhile
    active = layer;
    show(i);
    if (previous !== layer) layers[previous].pause();
    if (resume) {
      layers[active].muted = false;
      await layers[active].play().catch((error) => say(`The preview cannot play: ${error.message}`, { error: true }));
    }
    preloadAfter(i);
  }
  if (resume) frame = requestAnimationFrame(loop);
  updateClock();
}

function loop(now) {
  if (!playing) return;
  const entry = plan.entries[index];
  if (entry.kind === "card") {
    filmTime = cardClock[1] + (now - cardClock[0]) / 1000;
    if (filmTime >= entry.film_out - TOLERANCE) return advance();
  } else {
    const video = layers[active];
    filmTime = entry.film_in + (video.currentTime - entry.source_in);
    if (video.currentTime >= entry.source_out - TOLERANCE || video.ended) return advance();
  }
  updateClock();
  frame = requestAnimationFrame(loop);
}

function advance() {
  if (index + 1 >= plan.entries.length) {
    stop();
    filmTime = plan.duration;
    updateClock();
    return;
  }
  enter(index + 1, 0, { resume: true });
}

function start() {
  if (!plan.entries.length) return;
  if (filmTime >= plan.duration - TOLERANCE) filmTime = 0;
  playing = true;
  playButton.textContent = "Pause";
  const i = entryAt(filmTime);
  enter(i, filmTime - plan.entries[i].film_in, { resume: true });
}

function stop() {
  playing = false;
  cancelAnimationFrame(frame);
  layers.forEach((v) => v.pause());
  playButton.textContent = "Play";
}

function seekFilm(time) {
  time = Math.max(0, Math.min(plan.duration, time));
  const i = entryAt(time);
  filmTime = time;
  enter(i, time - plan.entries[i].film_in, { resume: playing });
}

let shownCue = -1;
function updateClock() {
  clockOut.textContent = `${clock(filmTime)} / ${clock(plan.duration)}`;
  if (document.activeElement !== scrub) scrub.value = plan.duration ? Math.round((filmTime / plan.duration) * 1000) : 0;
  scrub.setAttribute("aria-valuetext", `${clock(filmTime)} of ${clock(plan.duration)}`);
  // Captions: the film's WebVTT cues on the film's clock; only touched when the cue changes.
  let lo = 0, hi = cues.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid].start <= filmTime) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found >= 0 && filmTime >= cues[found].end) found = -1;
  if (found !== shownCue) {
    shownCue = found;
    caption.replaceChildren(...(found >= 0 ? cues[found].lines.map((line, n) => [n ? el("br") : null, el("span", {}, line)]).flat().filter(Boolean) : []));
  }
}

function parseVtt(text) {
  const seconds = (stamp) => stamp.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  const result = [];
  for (const block of text.replace(/\r/g, "").split(/\n\n+/)) {
    const lines = block.split("\n");
    const at = lines.findIndex((line) => line.includes("-->"));
    if (at < 0) continue;
    const [from, to] = lines[at].split("-->").map((s) => s.trim().split(/\s+/)[0]);
    const body = lines.slice(at + 1).map((line) => line.replace(/<[^>]+>/g, "").trim()).filter(Boolean);
    result.push({ start: seconds(from), end: seconds(to), lines: body });
  }
  return result;
}

function fillJump() {
  jump.replaceChildren(...plan.entries.map((entry, i) => entry.kind === "card"
    ? el("option", { value: i, text: `${clock(entry.film_in)} ${entry.title}` }) : null).filter(Boolean));
}

async function refresh() {
  const next = await getJSON("/api/preview");
  if (next.sha256 === plan.sha256) return;
  const wasPlaying = playing;
  stop();
  loaded[0] = loaded[1] = null;
  plan = next;
  holdVersion(plan.sha256);
  cues = parseVtt(await (await fetch("/api/preview.vtt", { cache: "no-store" })).text());
  fillJump();
  say("The edit changed: the preview follows it.");
  seekFilm(Math.min(filmTime, plan.duration));
  if (wasPlaying) start();
}

playButton.addEventListener("click", () => (playing ? stop() : start()));
scrub.addEventListener("input", () => seekFilm((Number(scrub.value) / 1000) * plan.duration));
jump.addEventListener("change", () => seekFilm(plan.entries[Number(jump.value)].film_in));
// The playback keys work here too, while typing as well (keys.js); resume starts 1.5 s back.
listen({
  playPause: () => {
    if (playing) { stop(); return; }
    if (filmTime > 0) seekFilm(filmTime - 1.5);
    start();
  },
  back: () => seekFilm(filmTime - 5),
  forward: () => seekFilm(filmTime + 5),
  rollBack: () => seekFilm(filmTime - 15),
});

cues = parseVtt(await (await fetch("/api/preview.vtt", { cache: "no-store" })).text());
fillJump();
if (plan.entries.length) seekFilm(0);
// Follow the manifest: a change saved in another tab or on disk rebuilds the playlist.
setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, 2000);

window.triggerfilmPreview = {
  state: () => ({ index, filmTime, playing, active, entries: plan.entries.length }),
  seek: seekFilm,
};

// --- render ---------------------------------------------------------------------------------
const form = document.getElementById("render-form");
const progress = document.getElementById("render-progress");
const status = document.getElementById("render-status");
const filmBox = document.getElementById("film");
const filmVideo = document.getElementById("film-video");
const findings = document.getElementById("findings");
const LABELS = { clips: "Checking clips", transcribe: "Transcribing", render: "Rendering" };

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("render-start");
  button.disabled = true;
  progress.value = 0;
  status.textContent = "Starting the render…";
  const response = await fetch("/api/render", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      preview: document.getElementById("render-quick").checked,
      use: document.getElementById("render-use").value,
    }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    status.textContent = `Not started: ${body.error || response.status}`;
    button.disabled = false;
    return;
  }
  const events = new EventSource("/api/render/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.stage) {
      const share = event.total ? event.done / event.total : 0;
      progress.value = event.stage === "render" ? 10 + share * 90 : share * 10;
      status.textContent = `${LABELS[event.stage] || event.stage}: ${Math.round(share * 100)}%`;
    } else if (event.error) {
      status.textContent = `The render stopped: ${event.error}`;
      status.classList.add("problem");
    } else if (event.finished) {
      progress.value = 100;
      status.classList.remove("problem");
      status.textContent = `Done: ${clock(event.duration)} film, ${event.cues} captions, ${event.segments} segments (${event.reused} reused). Saved in ${event.folder}.`;
      showFilm(event);
    }
  };
  events.addEventListener("end", () => { events.close(); button.disabled = false; });
  events.onerror = () => { events.close(); button.disabled = false; };
});

function showFilm(event) {
  filmBox.hidden = false;
  const stamp = Date.now();
  filmVideo.querySelector("track").setAttribute("src", `${event.captions}?v=${stamp}`);
  filmVideo.setAttribute("src", `${event.film}?v=${stamp}`);
  filmVideo.load();
  const errors = event.findings.filter((f) => f.severity === "error").length;
  findings.replaceChildren(
    el("h3", {}, "Caption check"),
    el("p", {}, event.findings.length
      ? `${event.findings.length} finding${event.findings.length === 1 ? "" : "s"} (${errors} error${errors === 1 ? "" : "s"}), as \`triggerfilm check-subs\` reports them:`
      : "The captions pass every check of their profile."),
    event.findings.length ? el("ul", { class: "findings" }, event.findings.map((f) =>
      el("li", { class: f.severity }, `${f.severity} ${f.rule}${f.cue ? ` (cue ${f.cue})` : ""}: ${f.message}`))) : null,
    event.warnings.length ? el("ul", { class: "warnings" }, event.warnings.map((w) => el("li", {}, w))) : null,
  );
}

