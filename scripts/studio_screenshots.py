"""Take the studio screenshots in docs/ from the demo, in Debian's chromium (no download).

Run from the repository root after `make demo` (the demo's transcripts are then cached):

    python scripts/studio_screenshots.py

It opens the studio on a copy of the demo manifest in a temporary folder (the demo itself is
never edited), selects a passage on a clip page and saves docs/studio.png (the touchpoints
board with its plan) and docs/studio-clip.png (a transcript beside its recording).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.conftest import demo_copy  # noqa: E402
from tests.studio_server import running_studio  # noqa: E402


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="triggerfilm-screens-"))
    with running_studio(demo_copy(folder), folder / "out") as studio, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
        page.goto(studio.url)
        page.wait_for_selector("#touchpoints .passage")
        page.screenshot(path=ROOT / "docs" / "studio.png")
        page.goto(studio.base + "/clips/icu07")
        page.locator("#transcript .w").first.focus()
        for _ in range(50):
            page.keyboard.press("ArrowRight")
        for _ in range(15):
            page.keyboard.press("Shift+ArrowRight")
        page.evaluate("window.triggerfilmClip.seek(24.3)")
        page.wait_for_timeout(500)
        page.screenshot(path=ROOT / "docs" / "studio-clip.png")
        browser.close()
    print("Wrote docs/studio.png and docs/studio-clip.png")


if __name__ == "__main__":
    main()
