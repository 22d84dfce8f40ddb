// The clips list: declare an archive clip as one of the film's clips, then reload the list.

import { change, holdVersion, pageData, say } from "./studio.js";

holdVersion(pageData().sha256);

for (const button of document.querySelectorAll("button.declare")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    say("Adding the clip; it is transcribed now, which can take a while…", { keep: true });
    const board = await change(
      { kind: "declare-clip", archive: button.dataset.archive, clip: button.dataset.clip },
      { describe: `add clip ${button.dataset.clip}` },
    );
    if (board) window.location.reload();
    else button.disabled = false;
  });
}
