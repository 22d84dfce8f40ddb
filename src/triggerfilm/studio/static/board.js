// The touchpoints board and the live plan. Rendered from the board JSON after every change;
// focus returns to the control that made the change (or to the passage where it went).

import { change, clock, el, holdVersion, onBoard, pageData, say, watchDisk } from "./studio.js";

const data = pageData();
const list = document.getElementById("touchpoints");
const planBox = document.getElementById("plan");
const problemBox = document.getElementById("problem");
const valenceTemplate = document.getElementById("valence-options");
let board = data;
holdVersion(data.sha256);

function valenceSelect(passage, id) {
  const select = el("select", { id, "data-act": "valence" });
  select.append(valenceTemplate.content.cloneNode(true));
  select.value = passage.valence || "";
  return select;
}

function passageItem(tp, p, count, titles) {
  const who = `${p.narrator} passage ${p.index + 1} of “${tp.title}”`;
  const id = `p-${tp.index}-${p.index}`;
  const moveTo = el("select", { id: `${id}-to` },
    el("option", { value: "", text: "Choose a touchpoint" }),
    titles.map((title, t) => t === tp.index ? null : el("option", { value: t, text: `${t + 1}. ${title}` })));
  const item = el("li", {
    class: `passage ${p.valence || "none"}${p.refused ? " refused" : ""}`,
    id, "data-t": tp.index, "data-i": p.index, draggable: true,
    "aria-label": who,
  },
  el("div", { class: "passage-head" },
    el("span", { class: "handle", "aria-hidden": "true", title: "Drag to move" }, "⠿"),
    el("strong", {}, p.narrator),
    el("span", { class: "muted small" }, [p.descriptor, p.media_type].filter(Boolean).join(" · ")),
    el("span", { class: "small" }, p.length ? `${p.length} · from ${p.in_clock}` : "not resolved"),
    el("span", { class: `valence ${p.valence || "none"}` }, p.valence || "not marked"),
    p.refused ? el("span", { class: "badge bad" }, "Consent refused") : null),
  el("p", { class: "passage-words" }, p.text ? `“${p.text}”` : `${p.start} … ${p.end}`),
  p.note ? el("p", { class: "small muted" }, `Note: ${p.note}`) : null,
  el("div", { class: "passage-tools" },
    el("button", { type: "button", class: "icon", "data-act": "up", disabled: p.index === 0, "aria-label": `Move up: ${who}` }, "↑"),
    el("button", { type: "button", class: "icon", "data-act": "down", disabled: p.index === count - 1, "aria-label": `Move down: ${who}` }, "↓"),
    el("span", { class: "tool-pair" },
      el("label", { for: `${id}-to` }, "Move to", el("span", { class: "visually-hidden" }, ` (${who})`)),
      moveTo,
      el("button", { type: "button", "data-act": "move-to", "aria-label": `Move ${who} to the chosen touchpoint` }, "Move")),
    el("span", { class: "tool-pair" },
      el("label", { for: `${id}-valence` }, "Valence"),
      valenceSelect(p, `${id}-valence`)),
    el("a", { href: `/clips/${encodeURIComponent(p.clip)}?t=${p.source_in ?? 0}` }, "Show in context",
      el("span", { class: "visually-hidden" }, `: ${who}`)),
    el("button", { type: "button", class: "danger", "data-act": "remove", "aria-label": `Remove ${who}` }, "Remove")),
  el("details", {},
    el("summary", { "data-act": "details" }, "Trim and note"),
    el("div", { class: "trim", role: "group", "aria-label": `Trim ${who} by a word` },
      el("button", { type: "button", "data-act": "trim", "data-end": "from", "data-by": -1 }, "Start one word earlier"),
      el("button", { type: "button", "data-act": "trim", "data-end": "from", "data-by": 1 }, "Start one word later"),
      el("button", { type: "button", "data-act": "trim", "data-end": "to", "data-by": -1 }, "End one word earlier"),
      el("button", { type: "button", "data-act": "trim", "data-end": "to", "data-by": 1 }, "End one word later")),
    el("div", { class: "trim", role: "group", "aria-label": `Move ${who} by a frame` },
      el("button", { type: "button", "data-act": "nudge", "data-end": "from", "data-by": -1 }, "Start 1 frame earlier"),
      el("button", { type: "button", "data-act": "nudge", "data-end": "from", "data-by": 1 }, "Start 1 frame later"),
      el("button", { type: "button", "data-act": "nudge", "data-end": "to", "data-by": -1 }, "End 1 frame earlier"),
      el("button", { type: "button", "data-act": "nudge", "data-end": "to", "data-by": 1 }, "End 1 frame later")),
    el("div", { class: "tp-edit" },
      el("div", {}, el("label", { for: `${id}-note` }, "Note"),
        el("input", { id: `${id}-note`, type: "text", defaultValue: p.note || "", "data-field": "note" })),
      el("button", { type: "button", "data-act": "note" }, "Save note"))));
  return item;
}

function touchpointItem(tp, total, titles) {
  const id = `tp-${tp.index}`;
  const passages = el("ol", { class: "passages", "data-t": tp.index, "aria-label": `Passages of ${tp.title}` },
    tp.passages.map((p) => passageItem(tp, p, tp.passages.length, titles)));
  return el("li", { class: "touchpoint", id, "data-t": tp.index },
    el("div", { class: "tp-head" },
      el("h2", { id: `${id}-title`, tabindex: "-1" }, `${tp.index + 1}. ${tp.title}`),
      el("span", { class: "tp-time" }, tp.time ? `${tp.time} · ${tp.passages.length} passage${tp.passages.length === 1 ? "" : "s"}` : ""),
      el("div", { class: "tools" },
        el("button", { type: "button", class: "icon", "data-act": "tp-up", disabled: tp.index === 0, "aria-label": `Move touchpoint up: ${tp.title}` }, "↑"),
        el("button", { type: "button", class: "icon", "data-act": "tp-down", disabled: tp.index === total - 1, "aria-label": `Move touchpoint down: ${tp.title}` }, "↓"),
        el("button", { type: "button", "data-act": "tp-edit", "aria-expanded": "false", "aria-controls": `${id}-form` }, "Rename", el("span", { class: "visually-hidden" }, `: ${tp.title}`)),
        tp.passages.length === 0 && total > 1
          ? el("button", { type: "button", class: "danger", "data-act": "tp-remove" }, "Remove", el("span", { class: "visually-hidden" }, ` touchpoint ${tp.title}`))
          : null)),
    tp.description ? el("p", { class: "tp-desc" }, tp.description) : null,
    tp.content_note ? el("p", { class: "small" }, `Content note: ${tp.content_note}`) : null,
    el("form", { class: "tp-edit", id: `${id}-form`, hidden: true, "data-t": tp.index },
      el("div", {}, el("label", { for: `${id}-new-title` }, "Title"),
        el("input", { id: `${id}-new-title`, name: "title", defaultValue: tp.title, required: true })),
      el("div", {}, el("label", { for: `${id}-new-desc` }, "Description"),
        el("input", { id: `${id}-new-desc`, name: "description", defaultValue: tp.description || "" })),
      el("button", { type: "submit", class: "primary" }, "Save")),
    passages);
}

function renderPlan(plan) {
  if (!plan) {
    planBox.replaceChildren(el("p", {}, "The plan appears when every passage resolves."));
    return;
  }
  const over = plan.fraction > 1.1;
  planBox.replaceChildren(
    el("p", { class: "total" }, plan.total, el("span", { class: "muted small" }, ` of ${plan.target} target`)),
    el("div", { class: "meter" + (over ? " over" : ""), role: "img", "aria-label": `${plan.against_target}` },
      el("span", { style: `width:${Math.min(100, plan.fraction * 100).toFixed(1)}%` })),
    el("p", { class: "small" }, `${plan.total_seconds} · ${plan.against_target}`),
    el("h3", {}, "Time per touchpoint"),
    el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Touchpoint"), el("th", { scope: "col", class: "num" }, "Time"), el("th", { scope: "col", class: "num" }, "Cuts"), el("th", { scope: "col" }, "+ / − / ~"))),
      el("tbody", {},
        plan.touchpoints.map((t) => el("tr", {},
          el("th", { scope: "row" }, t.title), el("td", { class: "num" }, t.time), el("td", { class: "num" }, t.cuts),
          el("td", {}, `+${t.valence.positive} −${t.valence.negative} ~${t.valence.mixed}${t.valence.unmarked ? ` ?${t.valence.unmarked}` : ""}`))),
        el("tr", {}, el("th", { scope: "row" }, "Other cards"), el("td", { class: "num" }, plan.other_cards), el("td", {}), el("td", {})))),
    el("h3", {}, "Narrators' share"),
    el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Narrator"), el("th", { scope: "col", class: "num" }, "Share"), el("th", { scope: "col" }, "Who"))),
      el("tbody", {}, plan.narrators.map((n) => el("tr", {},
        el("th", { scope: "row" }, n.narrator),
        el("td", { class: "num" }, n.share, " ", el("span", { class: "share-bar", style: `width:${(n.fraction * 6).toFixed(2)}rem`, "aria-hidden": "true" })),
        el("td", { class: "small" }, [n.role, n.sex, n.age_band, n.media].join(", ")))))),
    el("h3", {}, "Representation"),
    el("ul", { class: "small" }, Object.entries(plan.representation).map(([category, counts]) =>
      el("li", {}, `${category.replace("_", " ")}: `, Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")))),
    el("h3", {}, "Warnings"),
    plan.warnings.length
      ? el("ul", { class: "warnings" }, plan.warnings.map((w) => el("li", {}, w.message)))
      : el("p", { class: "small" }, "None."),
    el("details", {}, el("summary", {}, "Running order"),
      el("ol", { class: "small" }, plan.rows.map((r) => el("li", {},
        `${r.film} `, r.kind === "card" ? `[card] ${r.label}` : `${r.narrator}: ${r.label}`)))),
  );
}

// A selector for the focused control, so a redraw (after a save, or an edit on disk) can put
// focus back where it was instead of dropping it to the top of the page.
function focusedSelector() {
  const node = document.activeElement;
  if (!node || !list.contains(node)) return null;
  if (node.id) return `#${node.id}`;
  const holder = node.closest(".passage, .touchpoint");
  if (!holder || !node.dataset.act) return null;
  const extra = ["end", "by"].map((k) => node.dataset[k] ? `[data-${k}="${node.dataset[k]}"]` : "").join("");
  return `#${holder.id} [data-act="${node.dataset.act}"]${extra}`;
}

function render(next, focus = null) {
  const keep = focus ? null : focusedSelector();
  const open = [...list.querySelectorAll(".passage details[open]")].map((d) => d.closest(".passage").id);
  // Half-typed text (a note, a new title) and open rename forms outlive a redraw caused by a
  // save or an edit on disk: the person has not finished with them.
  const typed = [...list.querySelectorAll("input[id]")].filter((i) => i.value !== i.defaultValue).map((i) => [i.id, i.value]);
  const forms = [...list.querySelectorAll("form.tp-edit[id]:not([hidden])")].map((f) => f.id);
  board = next;
  const titles = board.touchpoints.map((t) => t.title);
  list.replaceChildren(...board.touchpoints.map((tp) => touchpointItem(tp, board.touchpoints.length, titles)));
  // Links to each touchpoint: a keyboard reaches the third one in two presses, not fifty.
  document.getElementById("tp-jump").replaceChildren(...board.touchpoints.map((tp) =>
    el("li", {}, el("a", { href: `#tp-${tp.index}-title` }, `${tp.index + 1}. ${tp.title}`))));
  problemBox.hidden = !board.problem;
  problemBox.textContent = board.problem || "";
  renderPlan(board.plan);
  const at = document.getElementById("new-at");
  at.replaceChildren(
    ...board.touchpoints.map((t, i) => el("option", { value: i, text: `before ${i + 1}. ${t.title}` })),
    el("option", { value: "", text: "at the end", selected: true }));
  for (const [id, value] of typed) { const input = document.getElementById(id); if (input) input.value = value; }
  for (const id of forms) {
    const form = document.getElementById(id);
    if (!form) continue;
    form.hidden = false;
    form.closest(".touchpoint")?.querySelector('[data-act="tp-edit"]')?.setAttribute("aria-expanded", "true");
  }
  for (const id of open) { const details = document.querySelector(`#${id} details`); if (details) details.open = true; }
  // `focus` may list selectors in order of preference (a comma list would pick the first in
  // the document instead: after "move down", the passage's "up" button).
  const wanted = [focus, keep].flat().filter(Boolean);
  const target = wanted.map((selector) => document.querySelector(selector)).find((node) => node && !node.disabled);
  if (target) target.focus();
}
onBoard((next) => render(next));

function where(node) {
  const item = node.closest(".passage");
  return item ? { t: Number(item.dataset.t), i: Number(item.dataset.i) } : null;
}

// One change at a time: a control's place (touchpoint, index) is only true of the board it was
// drawn from, so a second press before the first save answers would act on the wrong passage.
let busy = false;
async function act(payload, focusAfter, describe) {
  if (busy) { say("Still saving the last change: press again in a moment."); return; }
  busy = true;
  try {
    const next = await change(payload, { describe });
    if (next) render(next, focusAfter);
  } finally {
    busy = false;
  }
}

list.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const action = button.dataset.act;
  const tpItem = button.closest(".touchpoint");
  const t = Number(tpItem?.dataset.t);
  const p = where(button);
  if (action === "up" || action === "down") {
    const to = p.i + (action === "up" ? -1 : 1);
    await act({ kind: "move-passage", touchpoint: p.t, index: p.i, to_touchpoint: p.t, to_index: to },
      [`#p-${p.t}-${to} [data-act="${action}"]`, `#p-${p.t}-${to} [data-act="${action === "up" ? "down" : "up"}"]`],
      "move a passage");
  } else if (action === "move-to") {
    const select = document.getElementById(`p-${p.t}-${p.i}-to`);
    if (select.value === "") { say("Choose a touchpoint to move the passage to, then press Move."); select.focus(); return; }
    const to = Number(select.value);
    const index = board.touchpoints[to].passages.length;
    await act({ kind: "move-passage", touchpoint: p.t, index: p.i, to_touchpoint: to, to_index: index },
      `#p-${to}-${index} [data-act="move-to"]`, "move a passage to another touchpoint");
  } else if (action === "remove") {
    await act({ kind: "remove-passage", touchpoint: p.t, index: p.i }, `#tp-${p.t}-title`, "remove a passage");
  } else if (action === "trim" || action === "nudge") {
    const old = board.touchpoints[p.t].passages[p.i];
    const by = Number(button.dataset.by);
    await act(action === "trim"
      ? { kind: "trim-passage", touchpoint: p.t, index: p.i, end: button.dataset.end, by }
      : { kind: "nudge-passage", touchpoint: p.t, index: p.i, end: button.dataset.end, frames: by },
    null, "trim a passage");
    const now = board.touchpoints[p.t]?.passages[p.i];
    if (now && now.source_in === old.source_in && now.source_out === old.source_out) {
      say("The cut stayed where it was: it lies in speech, and cuts are kept in the nearest pause. Move it further to reach the next pause.");
    }
    const details = document.querySelector(`#p-${p.t}-${p.i} details`);
    if (details) { details.open = true; details.querySelector(`[data-act="${action}"][data-end="${button.dataset.end}"][data-by="${button.dataset.by}"]`)?.focus(); }
  } else if (action === "note") {
    const note = document.getElementById(`p-${p.t}-${p.i}-note`).value;
    const valence = document.getElementById(`p-${p.t}-${p.i}-valence`).value || null;
    await act({ kind: "set-passage", touchpoint: p.t, index: p.i, valence, note }, `#p-${p.t}-${p.i} [data-act="valence"]`, "save a note");
  } else if (action === "tp-up" || action === "tp-down") {
    const to = t + (action === "tp-up" ? -1 : 1);
    await act({ kind: "move-touchpoint", index: t, to_index: to }, [`#tp-${to} [data-act="${action}"]`, `#tp-${to} [data-act="${action === "tp-up" ? "tp-down" : "tp-up"}"]`], "move a touchpoint");
  } else if (action === "tp-edit") {
    const form = document.getElementById(`tp-${t}-form`);
    form.hidden = !form.hidden;
    button.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector("input").focus();
  } else if (action === "tp-remove") {
    await act({ kind: "remove-touchpoint", index: t }, "#new-title", "remove a touchpoint");
  }
});

list.addEventListener("change", async (event) => {
  const select = event.target.closest("select[data-act]");
  if (!select) return;
  const p = where(select);
  if (select.dataset.act === "valence") {
    const passage = board.touchpoints[p.t].passages[p.i];
    // Arrow keys on a closed select change it at every press: each press is saved in turn (the
    // passage keeps its place, so queued saves stay true), and the board is drawn from the last.
    const next = await change({ kind: "set-passage", touchpoint: p.t, index: p.i, valence: select.value || null, note: passage.note },
      { describe: "set a valence" });
    if (!next) render(board); // not saved: show the valence that is on disk
  }
});

list.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.tp-edit");
  if (!form) return;
  event.preventDefault();
  const values = new FormData(form);
  const t = Number(form.dataset.t);
  if (busy) { say("Still saving the last change: press again in a moment."); return; }
  form.hidden = true; // done with it: the redraw after the save must not reopen it
  await act({ kind: "edit-touchpoint", index: t, title: values.get("title"), description: values.get("description") },
    `#tp-${t} [data-act="tp-edit"]`, "rename a touchpoint");
});

document.getElementById("add-touchpoint").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const values = new FormData(form);
  const at = values.get("at") === "" ? null : Number(values.get("at"));
  const next = await change({ kind: "add-touchpoint", title: values.get("title"), description: values.get("description"), at },
    { describe: "add a touchpoint" });
  if (next) {
    form.reset();
    const index = at === null ? next.touchpoints.length - 1 : at;
    render(next, `#tp-${index}-title`);
    document.getElementById(`tp-${index}-title`)?.setAttribute("tabindex", "-1");
    document.getElementById(`tp-${index}-title`)?.focus();
  }
});

// --- drag and drop (the buttons above do the same from the keyboard) -------------------------
let dragged = null;
list.addEventListener("dragstart", (event) => {
  const item = event.target.closest?.(".passage");
  if (!item) return;
  dragged = where(item);
  item.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", `${dragged.t}:${dragged.i}`);
});
list.addEventListener("dragend", () => {
  dragged = null;
  for (const node of list.querySelectorAll(".dragging, .drop-before, .drop-target")) node.classList.remove("dragging", "drop-before", "drop-target");
});
function dropPoint(event) {
  const tpItem = event.target.closest(".touchpoint");
  if (!tpItem) return null;
  const t = Number(tpItem.dataset.t);
  const items = [...tpItem.querySelectorAll(".passage")];
  let index = items.length;
  for (const [i, item] of items.entries()) {
    const box = item.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) { index = i; break; }
  }
  return { t, index, items, tpItem };
}
list.addEventListener("dragover", (event) => {
  if (!dragged) return;
  const point = dropPoint(event);
  if (!point) return;
  event.preventDefault();
  for (const node of list.querySelectorAll(".drop-before, .drop-target")) node.classList.remove("drop-before", "drop-target");
  if (point.items[point.index]) point.items[point.index].classList.add("drop-before");
  else point.tpItem.classList.add("drop-target");
});
list.addEventListener("drop", async (event) => {
  if (!dragged) return;
  const point = dropPoint(event);
  if (!point) return;
  event.preventDefault();
  const from = dragged;
  let to = point.index;
  if (point.t === from.t && to > from.i) to -= 1; // the passage leaves its old place first
  if (point.t === from.t && to === from.i) return;
  await act({ kind: "move-passage", touchpoint: from.t, index: from.i, to_touchpoint: point.t, to_index: to },
    `#p-${point.t}-${to} .handle`, "move a passage");
});

// A jump link focuses the touchpoint's heading, so the next Tab is that touchpoint's first control.
document.getElementById("tp-jump").addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link) return;
  event.preventDefault();
  const heading = document.querySelector(link.getAttribute("href"));
  heading?.focus();
  heading?.scrollIntoView({ block: "start" });
});

render(board);
watchDisk();
window.triggerfilmBoard = { board: () => board, clock };
