// Search results: add a hit's sentence to a touchpoint, as `triggerfilm search --add` does.

import { change, holdVersion, pageData } from "./studio.js";

const data = pageData();
holdVersion(data.sha256);

for (const form of document.querySelectorAll("form.add-hit")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const board = await change(
      {
        kind: "add-hit",
        query: data.query,
        pick: Number(form.dataset.pick),
        touchpoint: Number(new FormData(form).get("touchpoint")),
      },
      { describe: `add match ${form.dataset.pick}` },
    );
    button.disabled = false;
    if (board) button.textContent = "Added ✓";
    button.focus();
  });
}
