"""The facilitator pack: its content, its markup, and the page in a real browser and on paper."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from consent_project import make_project, planned  # noqa: E402
from triggerfilm.cli import cli  # noqa: E402
from triggerfilm.consent import check_consent  # noqa: E402
from triggerfilm.editplan.timeline import Cut  # noqa: E402
from triggerfilm.reports.pack import PACK_NAME, facilitator_pack, write_pack  # noqa: E402
from triggerfilm.timefmt import mmss  # noqa: E402

DAY = datetime.date(2026, 3, 5)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (CI installs it: apt-get install -y chromium)",
)


class _Page(HTMLParser):
    """The tags, attributes and text of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    manifest = make_project(folder)
    prepared, timeline = planned(manifest)
    consent = check_consent(prepared.manifest, "joint-event", DAY, sources=prepared.sources)
    page = facilitator_pack(
        prepared.manifest, timeline, prepared.sources, consent=consent, today=DAY
    )
    path = write_pack(folder / "out", page)
    return path, page, timeline


@pytest.mark.slow
def test_pack_content(pack) -> None:
    path, page, timeline = pack
    assert path.name == PACK_NAME and path.read_text(encoding="utf-8") == page
    parsed = _Page()
    parsed.feed(page)
    text = re.sub(r"\s+", " ", "".join(parsed.text))
    # Cover: title, date and film length.
    assert "Consent test film" in text and "5 March 2026" in text
    assert f"({mmss(timeline.duration)})" in text
    # Suggested introduction: national sample, distressing, positives.
    assert "national sample" in text and "may be distressing" in text
    assert "listen for the positives too" in text
    # Running order: every item with its start timecode.
    starts = [mmss(s / timeline.fps) for s in timeline.starts()]
    assert len(re.findall(r"<tr><td><time", page)) == len(timeline.items)
    for start in starts:
        assert start in text
    # Touchpoints with description and content note.
    assert "Content note: Describes confusion and fear at night" in text
    assert "Noise and confusion" in text
    # The descriptive transcript carries the words spoken.
    spoken = next(i for i in timeline.items if isinstance(i, Cut) and i.clip_id == "icu07")
    assert " ".join(w.text.strip() for w in spoken.words) in text
    # One mapping card per touchpoint, in pathway order.
    cards = [
        a.get("aria-labelledby") for t, a in parsed.tags if "map-card" in (a.get("class") or "")
    ]
    assert cards == ["card-0", "card-1"]
    assert text.index("Touchpoint 1 of 2") < text.index("Touchpoint 2 of 2")
    assert "Emotion words" in text and "High: a good moment" in text
    # Credits: attribution, narrators, and the permissions table.
    assert "Test archive, by permission of its narrators." in text
    assert "ICU07, ICU15, LOC01" in text and "CF-014" in text
    assert "Every clip may be shown at a joint-event." in text


@pytest.mark.slow
def test_pack_is_standalone_and_accessible(pack) -> None:
    _, page, _ = pack
    parsed = _Page()
    parsed.feed(page)
    tags = [t for t, _ in parsed.tags]
    assert parsed.tags[0] == ("html", {"lang": "en"})
    for tag in ("script", "img", "link", "iframe", "object"):
        assert tag not in tags
    for _, attrs in parsed.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), value
    assert "url(" not in page and "@import" not in page
    assert tags.count("h1") == 1 and "main" in tags and "nav" in tags
    # Every section is labelled by its heading, every table has a caption and column headers.
    ids = {a.get("id") for _, a in parsed.tags}
    for tag, attrs in parsed.tags:
        if tag == "section":
            assert attrs.get("aria-labelledby") in ids
    assert tags.count("table") == tags.count("caption") == 2
    assert all(a.get("scope") == "col" for t, a in parsed.tags if t == "th")
    assert "@page { size: A4" in page and "break-before: page" in page


@pytest.mark.slow
def test_pack_command(tmp_path: Path) -> None:
    manifest = make_project(tmp_path)
    out = tmp_path / "pack-out"
    result = CliRunner().invoke(
        cli, ["pack", str(manifest), "-o", str(out), "--use", "training", "--date", "2026-03-05"]
    )
    assert result.exit_code == 0, result.output
    page = (out / PACK_NAME).read_text(encoding="utf-8")
    assert "<h1>Consent test film</h1>" in page
    # icu07 (archive default) and loc01 are not consented for training: the pack says so.
    assert "2 clip(s) may not be shown at a training: icu07, loc01." in page
    assert "warning: consent:" in result.output


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
@needs_chromium
def test_pack_in_a_browser(pack, tmp_path: Path) -> None:
    path, _, _ = pack
    dumped = _chromium(tmp_path, "--dump-dom", path.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "<h1>Consent test film</h1>" in dom
    assert dom.count('class="map-card"') == 2
    assert 'id="transcript-heading"' in dom and "Descriptive transcript" in dom


@pytest.mark.slow
@needs_chromium
def test_pack_prints_to_a4(pack, tmp_path: Path) -> None:
    path, _, _ = pack
    pdf = tmp_path / "pack.pdf"
    printed = _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    assert printed.returncode == 0, printed.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 is 595 x 842 points.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(
        abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes
    )
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    # Cover, introduction, running order, touchpoints, transcript, 2 cards, credits.
    assert pages >= 8
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        sheets = text.split("\f")
        card_pages = [s for s in sheets if "Emotion words" in s]
        # One card per page, in pathway order.
        assert len(card_pages) == 2
        assert "Nights on the unit" in card_pages[0] and "Going home" in card_pages[1]
        assert "Touchpoint 1 of 2" in card_pages[0] and "Touchpoint 2 of 2" in card_pages[1]
