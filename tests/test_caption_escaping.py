"""Verbatim caption text shows as written in film.srt and film.vtt, in real players.

Transcripts are verbatim: a narrator may be quoted saying "<b>", a typed "{\\b1}" or "\\N", or
an arrow "-->". The SRT goes through the static ffmpeg we ship (SRT decoder → ASS, read with
libass's rules for escapes and override blocks); the WebVTT through Chromium's parser. Both
files must also pass our own check-subs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from tests.caption_files import write_srt, write_vtt
from tests.players import Chromium, chromium_available
from triggerfilm.captions.check import check_subtitles, read_subtitles
from triggerfilm.captions.model import Cue

TEXTS = [
    "She wrote <b>urgent</b> on it",
    r"The code was {\b1} then",
    r"a line \N break and \h space",
    "left --> right",
    "it ends -->",
    "{braces} stay",
    "<i>not italic</i> & <3",
    "42",
    "10:30 -> the ward",
    r"a \{ and \} b",
]


def _cues() -> list[Cue]:
    return [
        Cue(float(4 * n + 1), float(4 * n + 4), (text,), "ICU07") for n, text in enumerate(TEXTS)
    ]


def _libass_shows(ass_text: str) -> str:
    """The text libass draws for an ASS Dialogue text field (no styling)."""
    out, i = [], 0
    while i < len(ass_text):
        c = ass_text[i]
        if c == "\\" and i + 1 < len(ass_text):
            nxt = ass_text[i + 1]
            if nxt in "{}":
                out.append(nxt)
                i += 2
                continue
            if nxt in "Nn":
                out.append("\n")
                i += 2
                continue
            if nxt == "h":
                out.append("\u00a0")
                i += 2
                continue
        if c == "{":
            end = ass_text.find("}", i)
            if end != -1:
                i = end + 1
                continue
        out.append(c)
        i += 1
    return "".join(out).replace("\u2060", "")


@pytest.mark.slow
def test_srt_text_shows_as_written_through_ffmpeg(tmp_path: Path):
    srt = write_srt(_cues(), tmp_path / "film.srt")
    ass = tmp_path / "film.ass"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-nostdin",
            "-y",
            "-i",
            str(srt),
            str(ass),
        ],
        check=True,
        timeout=60,
    )
    dialogue = [
        line.split(",", 9)[9]
        for line in ass.read_text(encoding="utf-8").splitlines()
        if line.startswith("Dialogue:")
    ]
    assert [_libass_shows(text) for text in dialogue] == TEXTS
    report = check_subtitles(srt, "default")
    assert not report.has_errors, report.findings
    assert len(read_subtitles(srt).cues) == len(TEXTS)


@pytest.mark.slow
def test_vtt_text_shows_as_written_in_chromium(tmp_path: Path):
    vtt = write_vtt(_cues(), tmp_path / "film.vtt")
    report = check_subtitles(vtt, "default")
    assert not report.has_errors, report.findings
    document = read_subtitles(vtt)
    assert [c.text for c in document.cues] == TEXTS
    if not chromium_available():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    browser = Chromium()
    try:
        (cues,) = browser.cues([vtt.read_bytes()])
    finally:
        browser.close()
    assert cues is not None
    assert [text for _, _, text in cues] == TEXTS
    assert [(a, b) for a, b, _ in cues] == [(c.start, c.end) for c in _cues()]
