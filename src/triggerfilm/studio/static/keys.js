// The studio's keys: one table of actions and their keys, rebindable and kept in this
// browser's localStorage, a shortcut sheet (Shift+/) and a small dialog to change them.
//
// Playback keys work while typing, so none is a bare printable key: Esc or a key with Alt.
// Ctrl+0 is never taken (browser zoom reset, which low-vision users rely on), nor Tab.

const STORE = "triggerfilm.studio.keys";

export const ACTIONS = [
  { id: "playPause", label: "Play / pause (resumes 1.5 s back)", keys: ["Escape", "Alt+K"], group: "Playback, also while typing" },
  { id: "back", label: "Back 5 seconds", keys: ["Alt+J"], group: "Playback, also while typing" },
  { id: "forward", label: "Forward 5 seconds", keys: ["Alt+L"], group: "Playback, also while typing" },
  { id: "rollBack", label: "Roll back 15 seconds", keys: ["Alt+R"], group: "Playback, also while typing" },
  { id: "slower", label: "Slower", keys: ["Alt+-"], group: "Playback, also while typing" },
  { id: "faster", label: "Faster", keys: ["Alt+="], group: "Playback, also while typing" },
  { id: "sheet", label: "Show these keys", keys: ["Shift+/"], group: "Everywhere" },
];

// Keys of the transcript itself (the focused word): shown on the sheet, not rebindable.
export const FIXED = [
  ["← →", "previous / next word"],
  ["↑ ↓", "previous / next paragraph"],
  ["Home / End", "first / last word of the paragraph"],
  ["Shift+← →", "select words"],
  ["Enter", "play from the focused word"],
  ["A", "add the selection to a touchpoint"],
  ["Tab", "leave the transcript (it is one tab stop)"],
];

const REFUSED = new Set(["Ctrl+0", "Tab", "Shift+Tab", "Enter", "Space"]);

function stored() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || "{}") || {};
  } catch {
    return {};
  }
}

export function bindings() {
  const mine = stored();
  return Object.fromEntries(ACTIONS.map((a) => [a.id, Array.isArray(mine[a.id]) ? mine[a.id] : a.keys]));
}

// A key press as text: "Alt+K", "Shift+/", "Escape". Letters and digits come from the key's
// place (event.code), so Alt+K is Alt+K on a Mac too, where it types "˚".
export function combo(event) {
  const code = event.code || "";
  let key = event.key;
  if (code.startsWith("Key")) key = code.slice(3);
  else if (code.startsWith("Digit")) key = code.slice(5);
  else if (code === "Slash") key = "/";
  else if (code === "Minus") key = "-";
  else if (code === "Equal") key = "=";
  else if (key === " ") key = "Space";
  else if (key.length === 1) key = key.toUpperCase();
  if (["Control", "Alt", "Shift", "Meta"].includes(key)) return null;
  const parts = [];
  if (event.ctrlKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  if (event.metaKey) parts.push("Meta");
  parts.push(key);
  return parts.join("+");
}

// Why a key cannot be bound, or null when it can.
export function refusal(text, action) {
  if (REFUSED.has(text)) return `${text} is kept for the browser and for moving around the page.`;
  const bare = !/^(Ctrl|Alt|Meta)\+/.test(text) && !/^(Escape|F\d+)$/.test(text);
  if (bare && action !== "sheet") return `${text} would fire while you type: use it with Alt or Ctrl.`;
  for (const [other, keys] of Object.entries(bindings())) {
    if (other !== action && keys.includes(text)) {
      const label = ACTIONS.find((a) => a.id === other).label;
      return `${text} already does “${label}”.`;
    }
  }
  return null;
}

function save(all) {
  localStorage.setItem(STORE, JSON.stringify(all));
}

function typing(target) {
  return Boolean(target?.closest?.("textarea, select, [contenteditable], input:not([type=range], [type=checkbox], [type=radio], [type=button], [type=submit])"));
}

// The page's players register what the keys do (`listen`); actions a page lacks are ignored
// there. One listener for the whole page (this module is loaded once, at /static/keys.js); the
// sheet's key opens the sheet on every page.
const handlers = {};
export function listen(more) {
  Object.assign(handlers, more);
}

document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]")) return; // a dialog's own keys (Esc closes it)
  const text = combo(event);
  if (!text) return;
  const all = bindings();
  const action = Object.keys(all).find((id) => all[id].includes(text));
  if (!action) return;
  if (action === "sheet") {
    if (typing(event.target)) return; // "?" is text in a text field
    event.preventDefault();
    openSheet();
    return;
  }
  const run = handlers[action];
  if (!run) return;
  event.preventDefault();
  run();
});

// --- the sheet and the settings dialog ------------------------------------------------------
let returnTo = null;

function keyText(keys) {
  return keys.length ? keys.join(" or ") : "none";
}

function section(title, rows) {
  const h = document.createElement("h3");
  h.textContent = title;
  const dl = document.createElement("dl");
  for (const [keys, what] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = keys;
    const dd = document.createElement("dd");
    dd.textContent = what;
    dl.append(dt, dd);
  }
  const node = document.createElement("section");
  node.append(h, dl);
  return node;
}

function fillSheet() {
  const all = bindings();
  const rows = (group) => ACTIONS.filter((a) => a.group === group).map((a) => [keyText(all[a.id]), a.label]);
  document.getElementById("keys-sheet-list").replaceChildren(
    section("Playback, also while typing", rows("Playback, also while typing")),
    section("In a transcript (clip page)", FIXED),
    section("Everywhere", rows("Everywhere")),
  );
}

export function openSheet() {
  const sheet = document.getElementById("keys-sheet");
  if (!sheet || sheet.open) return;
  if (!document.querySelector("dialog[open]")) returnTo = document.activeElement;
  fillSheet();
  sheet.showModal();
  document.getElementById("keys-sheet-close").focus();
}

function restoreFocus() {
  const target = returnTo;
  returnTo = null;
  if (target && document.contains(target)) target.focus();
}

let capturing = null; // the action whose new key the settings dialog is waiting for

function fillSettings() {
  const list = document.getElementById("keys-settings-list");
  const all = bindings();
  list.replaceChildren();
  for (const a of ACTIONS) {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.id = `key-label-${a.id}`;
    label.textContent = a.label;
    const button = document.createElement("button");
    button.type = "button";
    button.id = `key-${a.id}`;
    button.dataset.action = a.id;
    button.setAttribute("aria-describedby", label.id);
    button.textContent = keyText(all[a.id]);
    button.setAttribute("aria-label", `${a.label}: ${keyText(all[a.id])}. Press to change`);
    li.append(label, button);
    list.append(li);
  }
}

function tell(message) {
  document.getElementById("keys-settings-note").textContent = message;
}

function setupDialogs() {
  const sheet = document.getElementById("keys-sheet");
  const settings = document.getElementById("keys-settings");
  if (!sheet || !settings) return;
  document.getElementById("keys-open")?.addEventListener("click", openSheet);
  document.getElementById("keys-sheet-close").addEventListener("click", () => sheet.close());
  sheet.addEventListener("close", () => { if (!settings.open) restoreFocus(); });
  document.getElementById("keys-change").addEventListener("click", () => {
    sheet.close();
    fillSettings();
    tell("Choose an action, then press its new key.");
    settings.showModal();
    settings.querySelector("#keys-settings-list button").focus();
  });
  document.getElementById("keys-settings-close").addEventListener("click", () => settings.close());
  settings.addEventListener("close", () => { capturing = null; restoreFocus(); });
  document.getElementById("keys-reset").addEventListener("click", () => {
    localStorage.removeItem(STORE);
    fillSettings();
    tell("Every key is back to the studio's own.");
    document.getElementById("keys-reset").focus();
  });
  document.getElementById("keys-settings-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    capturing = button.dataset.action;
    button.textContent = "Press a key…";
    tell(`Press the new key for “${ACTIONS.find((a) => a.id === capturing).label}”. Tab leaves it unchanged.`);
  });
  // Capture before the dialog's own Esc handling, so Esc itself can be chosen.
  settings.addEventListener("keydown", (event) => {
    if (!capturing) return;
    const text = combo(event);
    if (!text) return;
    const action = capturing;
    if (text === "Tab" || text === "Shift+Tab") {
      capturing = null;
      fillSettings();
      tell("Left unchanged.");
      return; // Tab moves on as usual
    }
    event.preventDefault();
    event.stopPropagation();
    const why = refusal(text, action);
    if (why) {
      tell(`Not changed: ${why}`);
      return; // still waiting for a key
    }
    capturing = null;
    const all = bindings();
    all[action] = [text];
    save(all);
    fillSettings();
    document.getElementById(`key-${action}`).focus();
    tell(`Saved: ${text} now does “${ACTIONS.find((a) => a.id === action).label}”.`);
  }, true);
  settings.addEventListener("cancel", (event) => { if (capturing) event.preventDefault(); });
}

setupDialogs();
