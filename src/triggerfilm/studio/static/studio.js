// Shared by every page of the studio: page data, the status line, and saving changes.
//
// Every change names the manifest version the page holds (its sha256). If the file changed
// on disk since, the server writes nothing and answers 409 with a diff: the page shows it and
// lets the person reload, with or without making their change again. No edit is lost.

import { listen } from "./keys.js";

export function pageData() {
  const el = document.getElementById("data");
  return el ? JSON.parse(el.textContent) : {};
}

let statusTimer = null;
export function say(message, { error = false, keep = false } = {}) {
  const el = document.getElementById("status");
  if (!el) return;
  el.classList.toggle("error", error);
  el.textContent = message;
  clearTimeout(statusTimer);
  if (!keep && !error) statusTimer = setTimeout(() => { el.textContent = ""; }, 6000);
}

const state = { sha256: null, onBoard: [] };

export function holdVersion(sha256) { state.sha256 = sha256; }
export function onBoard(callback) { state.onBoard.push(callback); }

function publish(board) {
  state.sha256 = board.sha256;
  for (const callback of state.onBoard) callback(board);
}

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

export async function reloadBoard() {
  const board = await getJSON("/api/board");
  publish(board);
  return board;
}

// Save one change. Resolves with the new board, or null when it was not saved.
//
// Changes go one at a time: each names the version the previous one produced. Sent side by
// side (a keyboard user pressing "move up" twice before the first save answers), the second
// would name the version before the first and be refused as a conflict with the page's own edit.
let pending = Promise.resolve();
export function change(request, options = {}) {
  const run = pending.then(() => send(request, options));
  pending = run.catch(() => null);
  return run;
}

async function send(change, { describe = "your change" } = {}) {
  say("Saving…", { keep: true });
  let response;
  try {
    response = await fetch("/api/change", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sha256: state.sha256, change }),
    });
  } catch (error) {
    say(`Not saved: the studio is not answering (${error.message}). Is it still running?`, { error: true });
    return null;
  }
  const body = await response.json().catch(() => ({ error: `error ${response.status}` }));
  if (response.status === 409 && body.conflict) {
    return resolveConflict(change, body, describe);
  }
  if (!response.ok) {
    say(`Not saved: ${body.error}`, { error: true });
    return null;
  }
  const time = new Date().toLocaleTimeString();
  say(`Saved · ${body.saved} · ${time}`);
  publish(body.board);
  return body.board;
}

function resolveConflict(mine, body, describe) {
  const dialog = document.getElementById("conflict");
  document.getElementById("conflict-diff").textContent = body.diff || "(the file differs)";
  document.getElementById("conflict-mine").textContent =
    `Your change (${describe}) is kept here until you choose.`;
  say("Not saved: the manifest changed on disk.", { error: true });
  return new Promise((resolve) => {
    const apply = document.getElementById("conflict-apply");
    const reload = document.getElementById("conflict-reload");
    const finish = async (again) => {
      apply.onclick = reload.onclick = null;
      dialog.close();
      const board = await reloadBoard();
      if (again) {
        resolve(await send(mine, { describe }));
      } else {
        say("Reloaded the manifest from disk.");
        resolve(board);
      }
    };
    apply.onclick = () => finish(true);
    reload.onclick = () => finish(false);
    dialog.showModal();
    apply.focus();
  });
}

// Keep the page in step with edits made elsewhere (the command line, another tab).
export function watchDisk(intervalMs = 3000) {
  setInterval(async () => {
    if (document.hidden || document.querySelector("dialog[open]")) return;
    try {
      const board = await getJSON("/api/board");
      if (board.sha256 !== state.sha256) {
        publish(board);
        say("The manifest changed on disk: the page now shows it.");
      }
    } catch { /* the next tick tries again */ }
  }, intervalMs);
}

export function clock(seconds) {
  const whole = Math.floor(seconds + 1e-6);
  const m = String(Math.floor(whole / 60)).padStart(2, "0");
  const s = String(whole % 60).padStart(2, "0");
  return `${m}:${s}`;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for") node.setAttribute(key, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The playback keys (see keys.js: rebindable, never a bare key while typing) for a media
// element. Resuming starts 1.5 s back, so the listener hears the words again in context.
export function playerKeys(player, { back = 5, forward = 5, rollBack = 15 } = {}) {
  const to = (seconds) => { player.currentTime = Math.max(0, Math.min(player.duration || Infinity, seconds)); };
  const rates = [0.5, 0.75, 1, 1.25, 1.5, 2];
  const rate = (step) => {
    const at = rates.indexOf(player.playbackRate);
    player.playbackRate = rates[Math.max(0, Math.min(rates.length - 1, (at < 0 ? 2 : at) + step))];
    say(`Speed ${player.playbackRate}×`);
  };
  listen({
    playPause: () => {
      if (player.paused) { to(player.currentTime - (player.currentTime > 0 ? 1.5 : 0)); player.play().catch(() => {}); }
      else player.pause();
    },
    back: () => to(player.currentTime - back),
    forward: () => to(player.currentTime + forward),
    rollBack: () => to(player.currentTime - rollBack),
    slower: () => rate(-1),
    faster: () => rate(1),
  });
}
