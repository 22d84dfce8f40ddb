"""The visual QC report: thumbnails with the caption drawn, a severity filter, a reading-speed
chart; opened in real Chromium with 0 axe-core violations."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.players import CHROMIUM
from triggerfilm.cli import cli

from .conftest import CLIPS

DEFECTS = """1
00:00:01,000 --> 00:00:04,000
I went in for an operation, and it was meant to be routine and nothing more.

2
00:00:03,500 --> 00:00:05,000
Overlapping <b>cue</b> & more.

3
00:00:06,000 --> 00:00:06,300
Short.

4
00:00:07,000 --> 00:00:09,000

"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("qc")
    srt = folder / "film.srt"
    srt.write_text(DEFECTS, encoding="utf-8")
    out = folder / "report.html"
    result = CliRunner().invoke(
        cli,
        ["check-subs", str(srt), "--media", str(CLIPS / "ICU07-01.mp4"), "--report", str(out)],
    )
    assert result.exit_code == 1, result.output  # the file has errors
    return out


@pytest.mark.slow
def test_report_has_a_thumbnail_per_cue_with_findings(report):
    page = report.read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/jpeg;base64,([^"]+)" alt="([^"]+)"', page)
    assert images
    alts = {alt for _, alt in images}
    assert any("I went in for an operation" in alt for alt in alts)
    assert all(base64.b64decode(data)[:2] == b"\xff\xd8" for data, _ in images)  # JPEG
    assert "timing.overlap" in page and "text.empty" in page
    assert "<svg" in page and "Reading speed" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page  # no CDN, nothing fetched


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_report_in_chromium_filters_and_has_no_axe_violations(report):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(report.as_uri())
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            rows = page.locator("tbody tr[data-severity]")
            errors = page.locator('tr[data-severity="error"]')
            assert errors.count() >= 3
            page.locator('input[data-severity="error"]').uncheck()
            assert all(errors.nth(k).is_hidden() for k in range(errors.count()))
            visible = [rows.nth(k).is_visible() for k in range(rows.count())]
            assert any(visible) and not all(visible)
            # Every thumbnail really decoded in the browser.
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert widths and all(w == 320 for w in widths)
        finally:
            browser.close()
