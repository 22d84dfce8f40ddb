// The clip page: the recording beside its transcript.
//
// The words are laid out once by the server and never re-rendered: on every tick only the
// word that stops being current and the one that becomes current change class (found by
// binary search on start times). One delegated listener serves every word. Words are
// focusable with a roving tabindex, so Tab reaches the transcript once and arrows move in it.

import { change, holdVersion, onBoard, pageData, playerKeys, say, watchDisk } from "./studio.js";

const data = pageData();
const player = document.getElementById("player");
const transcript = document.getElementById("transcript");
const words = Array.from(transcript.querySelectorAll(".w"));
const starts = data.starts;
const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
holdVersion(data.board.sha256);

// --- the current word -----------------------------------------------------------------------
let current = -1;

function wordAt(time) {
  let lo = 0, hi = starts.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= time) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function showCurrent() {
  const index = wordAt(player.currentTime);
  if (index === current) return;
  const before = current >= 0 ? words[current] : null;
  if (before) before.classList.remove("now");
  current = index;
  if (index < 0) return;
  const word = words[index];
  word.classList.add("now");
  // Scroll only when the current word's paragraph leaves the view, not on every word.
  if (!player.paused && (!before || before.parentElement !== word.parentElement)) {
    const box = word.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      word.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }
}

let ticking = false;
function tick() {
  showCurrent();
  if (!player.paused) requestAnimationFrame(tick); else ticking = false;
}
player.addEventListener("play", () => { if (!ticking) { ticking = true; requestAnimationFrame(tick); } });
player.addEventListener("seeked", showCurrent);
player.addEventListener("timeupdate", showCurrent);

function seek(seconds, play = true) {
  player.currentTime = Math.max(0, seconds);
  showCurrent();
  if (play) player.play().catch(() => {});
}

// --- passages already in the film -----------------------------------------------------------
function markFilm(board) {
  for (const word of transcript.querySelectorAll(".w.in-film")) word.classList.remove("in-film");
  for (const tp of board.touchpoints) {
    for (const p of tp.passages) {
      if (p.clip !== data.clip || p.first_word === null) continue;
      for (let i = p.first_word; i <= p.last_word; i++) words[i]?.classList.add("in-film");
    }
  }
  const select = document.getElementById("add-touchpoint");
  const chosen = select.value;
  select.replaceChildren(...board.touchpoints.map((tp) => {
    const option = document.createElement("option");
    option.value = tp.index;
    option.textContent = `${tp.index + 1}. ${tp.title}`;
    return option;
  }));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}
onBoard(markFilm);
markFilm(data.board);

// The insert point: where in the chosen touchpoint the passage will go (the end unless chosen).
let latest = data.board;
onBoard((board) => { latest = board; fillPlaces(); });
function fillPlaces() {
  const tp = latest.touchpoints[Number(document.getElementById("add-touchpoint").value)];
  const place = document.getElementById("add-at");
  const words = (p) => (p.text || `${p.start} …`).split(" ").slice(0, 6).join(" ");
  place.replaceChildren(
    ...(tp ? tp.passages : []).map((p) => {
      const option = document.createElement("option");
      option.value = p.index;
      option.textContent = `before ${p.index + 1}. ${p.narrator}: “${words(p)}…”`;
      return option;
    }),
    Object.assign(document.createElement("option"), { value: "", textContent: "at the end", selected: true }),
  );
}
document.getElementById("add-touchpoint").addEventListener("change", fillPlaces);

// --- selecting words ------------------------------------------------------------------------
let selection = null; // [first, last]
let anchor = null;
const info = document.getElementById("selection-info");
const addButton = document.getElementById("add-open");
const clearButton = document.getElementById("selection-clear");
const playButton = document.getElementById("selection-play");

function wordsText(first, last) {
  return words.slice(first, last + 1).map((w) => w.textContent).join(" ");
}

function setSelection(first, last) {
  for (const word of transcript.querySelectorAll(".w.sel")) word.classList.remove("sel");
  if (first === null) {
    selection = null;
    info.textContent = "Nothing selected. Highlight words with the mouse, or focus a word and press Shift+→.";
  } else {
    if (first > last) [first, last] = [last, first];
    selection = [first, last];
    for (let i = first; i <= last; i++) words[i].classList.add("sel");
    const seconds = (data.ends[last] - starts[first]).toFixed(1);
    const text = wordsText(first, last);
    const shown = text.length > 140 ? `${text.slice(0, 70)} … ${text.slice(-60)}` : text;
    info.textContent = `${last - first + 1} words, ${seconds} s: “${shown}”`;
  }
  addButton.disabled = clearButton.disabled = playButton.disabled = selection === null;
}

// Roving tabindex: one word at a time is focusable. (Chromium starts no text selection on a
// focusable element, so the others carry no tabindex and the mouse can highlight across them.)
function rove(index, focus) {
  const word = words[Math.max(0, Math.min(words.length - 1, index))];
  if (!word) return null;
  for (const w of transcript.querySelectorAll(".w[tabindex]")) if (w !== word) w.removeAttribute("tabindex");
  word.tabIndex = 0;
  if (focus) word.focus();
  return word;
}
const focusWord = (index) => rove(index, true);

transcript.addEventListener("mousedown", (event) => {
  const word = event.target.closest?.(".w[tabindex]");
  if (word && event.button === 0) word.removeAttribute("tabindex"); // let a drag select from here
});

function indexOf(node) {
  const element = node?.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const word = element?.closest?.(".w[data-i]");
  return word && transcript.contains(word) ? Number(word.dataset.i) : null;
}

transcript.addEventListener("mouseup", () => {
  if (correcting) return;
  const chosen = window.getSelection();
  if (!chosen || chosen.isCollapsed) return;
  let a = indexOf(chosen.anchorNode), b = indexOf(chosen.focusNode);
  if (a === null && b === null) return;
  if (a === null) a = b;
  if (b === null) b = a;
  setSelection(Math.min(a, b), Math.max(a, b));
  anchor = a;
  chosen.removeAllRanges();
  rove(b, false); // Tab comes back to where the highlight ended
});

transcript.addEventListener("click", (event) => {
  const index = indexOf(event.target);
  if (correcting) {
    if (index !== null) editWord(index);
    return;
  }
  if (index === null || !window.getSelection().isCollapsed) {
    if (!transcript.querySelector(".w[tabindex]")) rove(selection ? selection[1] : 0, false);
    return;
  }
  if (event.shiftKey && selection) {
    setSelection(anchor ?? selection[0], index);
    return;
  }
  focusWord(index);
  seek(starts[index]);
});

transcript.addEventListener("keydown", (event) => {
  const index = indexOf(event.target);
  if (index === null) return;
  const paragraphStep = (direction) => {
    const para = words[index].parentElement;
    const next = direction > 0 ? para.nextElementSibling : para.previousElementSibling;
    return next ? Number(next.querySelector(".w").dataset.i) : index;
  };
  let target = null;
  switch (event.key) {
    case "ArrowRight": target = index + 1; break;
    case "ArrowLeft": target = index - 1; break;
    case "ArrowDown": target = paragraphStep(1); break;
    case "ArrowUp": target = paragraphStep(-1); break;
    case "Home": target = Number(words[index].parentElement.querySelector(".w").dataset.i); break;
    case "End": target = Number([...words[index].parentElement.querySelectorAll(".w")].at(-1).dataset.i); break;
    case "Enter":
    case " ":
      if (event.key === " " && !event.shiftKey) break; // Space scrolls, as everywhere else
      event.preventDefault();
      if (correcting) editWord(index);
      else seek(starts[index]);
      return;
    case "a":
    case "A":
      if (event.altKey || event.ctrlKey || event.metaKey || correcting) return;
      event.preventDefault();
      if (selection) openAdd();
      else say("Select words first: hold Shift and press the arrow keys.");
      return;
    default:
      return;
  }
  if (target === null) return;
  event.preventDefault();
  target = Math.max(0, Math.min(words.length - 1, target));
  if (event.shiftKey && !correcting) {
    if (anchor === null || selection === null) anchor = index;
    setSelection(anchor, target);
  }
  focusWord(target);
});

clearButton.addEventListener("click", () => { setSelection(null); anchor = null; });
playButton.addEventListener("click", () => {
  if (!selection) return;
  const [first, last] = selection;
  const stop = data.ends[last];
  // Stop at the last word's end, checked every frame: timeupdate comes only ~4 times a second,
  // which would let a quarter of a second of the next words through.
  const watch = () => {
    if (player.currentTime >= stop) player.pause();
    else if (!player.paused) requestAnimationFrame(watch);
  };
  const wasPlaying = !player.paused;
  if (!wasPlaying) player.addEventListener("playing", () => requestAnimationFrame(watch), { once: true });
  seek(starts[first]);
  if (wasPlaying) requestAnimationFrame(watch);
});

// --- add to touchpoint ----------------------------------------------------------------------
const dialog = document.getElementById("add-dialog");
const form = document.getElementById("add-form");
let returnFocus = null;

function openAdd() {
  if (!selection) return;
  returnFocus = document.activeElement;
  const [first, last] = selection;
  document.getElementById("add-quote").textContent = `“${wordsText(first, last)}”`;
  fillPlaces();
  dialog.showModal();
  document.getElementById("add-touchpoint").focus();
}
addButton.addEventListener("click", openAdd);

dialog.addEventListener("close", async () => {
  const restore = returnFocus;
  returnFocus = null;
  if (dialog.returnValue !== "add" || !selection) { restore?.focus(); return; }
  const values = new FormData(form);
  const [first, last] = selection;
  const touchpoint = Number(values.get("touchpoint"));
  const board = await change(
    {
      kind: "add-passage",
      touchpoint,
      clip: data.clip,
      first,
      last,
      valence: values.get("valence") || null,
      note: values.get("note") || null,
      at: values.get("at") === "" ? null : Number(values.get("at")),
    },
    { describe: `add “${wordsText(first, Math.min(last, first + 5))}…”` },
  );
  dialog.returnValue = "";
  if (board) {
    document.getElementById("add-note").value = "";
    setSelection(null);
    anchor = null;
  }
  restore?.focus();
});

for (const link of document.querySelectorAll("[data-seek]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    seek(Number(link.dataset.seek));
  });
}

playerKeys(player);
watchDisk();

// Opened from a search hit or "show in context": start at that moment, its word in view.
const openAt = Number(transcript.dataset.at || 0);
if (openAt > 0) {
  const open = () => {
    seek(openAt, false);
    const index = wordAt(openAt + 0.01);
    if (index >= 0) {
      focusWord(index);
      words[index].scrollIntoView({ block: "center" });
    }
  };
  if (player.readyState >= 1) open(); else player.addEventListener("loadedmetadata", open, { once: true });
}

// --- correct mode: fix the words, saved through the corrections use case ----------------------
// A distinct mode (a pressed switch, a banner, a dashed frame): clicking a word edits it instead
// of playing or selecting. Edits are kept in the page until "Save corrections", which stores the
// whole corrected text as `triggerfilm correct` does; the clip is then aligned again and the page
// reloads with the new words and times.
let correcting = false;
const edits = new Map(); // word index -> corrected text ("" deletes the word)
const modeSelect = document.getElementById("mode-select");
const modeCorrect = document.getElementById("mode-correct");
const banner = document.getElementById("correct-banner");
const countBox = document.getElementById("correct-count");
const saveButton = document.getElementById("correct-save");
const discardButton = document.getElementById("correct-discard");
const CORRECTING = "triggerfilm.studio.correcting";

function setMode(on) {
  if (!on && edits.size) {
    say("Save or discard your corrections before going back to selecting passages.", { error: true });
    saveButton.focus();
    return;
  }
  correcting = on;
  document.body.classList.toggle("correcting", on);
  banner.hidden = !on;
  document.getElementById("correct-actions").hidden = !on; // right after the words: Tab reaches Save
  modeSelect.setAttribute("aria-pressed", String(!on));
  modeCorrect.setAttribute("aria-pressed", String(on));
  if (on) { setSelection(null); anchor = null; sessionStorage.setItem(CORRECTING, data.clip); }
  else sessionStorage.removeItem(CORRECTING);
  addButton.disabled = on || selection === null;
}
modeSelect.addEventListener("click", () => setMode(false));
modeCorrect.addEventListener("click", () => setMode(true));

function updateCount() {
  const n = edits.size;
  countBox.textContent = n ? `${n} word${n === 1 ? "" : "s"} changed, not saved yet.` : "No word changed yet.";
  saveButton.disabled = discardButton.disabled = n === 0;
}

function showEdit(word, index) {
  const original = word.dataset.original ?? word.textContent;
  const text = edits.get(index);
  word.textContent = text ? text : original;
  word.classList.toggle("corrected", edits.has(index) && text !== "");
  word.classList.toggle("deleted", text === "");
  word.title = edits.has(index) ? `was “${original}”` : "";
}

function editWord(index) {
  const word = words[index];
  if (!word || word.hidden) return;
  const original = word.dataset.original ?? word.textContent;
  const input = document.createElement("input");
  input.type = "text";
  input.className = "word-edit";
  input.value = edits.has(index) ? edits.get(index) : word.textContent;
  input.size = Math.max(4, input.value.length + 2);
  input.setAttribute("aria-label", `Correct word ${index + 1}, heard as “${original}”`);
  word.hidden = true;
  word.after(input);
  input.focus();
  input.select();
  let done = false;
  const finish = (keep, next) => {
    if (done) return;
    done = true;
    if (keep) {
      const text = input.value.split(/\s+/).filter(Boolean).join(" ");
      word.dataset.original = original;
      if (text === original) edits.delete(index);
      else edits.set(index, text);
      showEdit(word, index);
      updateCount();
    }
    input.remove();
    word.hidden = false;
    if (next === undefined) return; // focus went elsewhere (a click): leave it there
    if (next === null) focusWord(index);
    else editWord(next);
  };
  input.addEventListener("input", () => { input.size = Math.max(4, input.value.length + 2); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); finish(true, null); }
    else if (event.key === "Tab") {
      event.preventDefault();
      const next = index + (event.shiftKey ? -1 : 1);
      finish(true, next >= 0 && next < words.length ? next : null);
    } else if (event.key === "Escape") { finish(false, null); }
    else return;
    event.stopPropagation(); // Esc here puts the word back; it does not play
  });
  input.addEventListener("blur", () => finish(true, undefined));
}

discardButton.addEventListener("click", () => {
  const changed = [...edits.keys()];
  edits.clear();
  for (const index of changed) showEdit(words[index], index);
  updateCount();
  say("Corrections discarded.");
  modeCorrect.focus();
});

saveButton.addEventListener("click", async () => {
  const text = words.map((w, i) => (edits.has(i) ? edits.get(i) : w.textContent)).filter(Boolean).join(" ");
  saveButton.disabled = true;
  say("Saving the corrections and aligning them to the recording…", { keep: true });
  let response;
  try {
    response = await fetch(`/api/correct/${encodeURIComponent(data.clip)}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
  } catch (error) {
    say(`Not saved: the studio is not answering (${error.message}).`, { error: true });
    saveButton.disabled = false;
    return;
  }
  const body = await response.json().catch(() => ({ error: `error ${response.status}` }));
  if (!response.ok) {
    say(`Not saved: ${body.error}`, { error: true });
    saveButton.disabled = false;
    return;
  }
  edits.clear();
  sessionStorage.setItem("triggerfilm.studio.said", `Saved · ${body.saved}${body.warnings.length ? ` · ${body.warnings.join("; ")}` : ""}`);
  const at = player.currentTime > 0 ? `?t=${player.currentTime.toFixed(2)}` : "";
  location.replace(`${location.pathname}${at}`); // the new words, laid out with their new times
});

window.addEventListener("beforeunload", (event) => {
  if (edits.size) event.preventDefault(); // unsaved corrections: let the browser ask
});

window.triggerfilmClip = {
  current: () => current,
  seek: (seconds) => seek(seconds, false),
  selection: () => selection,
  correcting: () => correcting,
};
say("");
const said = sessionStorage.getItem("triggerfilm.studio.said");
if (said) { sessionStorage.removeItem("triggerfilm.studio.said"); say(said, { keep: true }); }
if (sessionStorage.getItem(CORRECTING) === data.clip) setMode(true);
