"""`check-subs --fix`: safe repairs to a new file, what changed, and what is left for a person."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.players import ffmpeg_cues
from triggerfilm.app import OverwritesChecked, fix_subtitle_file
from triggerfilm.captions.check import check_subtitles, read_subtitles
from triggerfilm.cli import cli

FIXTURES = Path(__file__).resolve().parent / "data" / "subtitles"
REPAIRABLE = {
    "format.timestamp",
    "format.counter",
    "format.unrecognised",
    "format.blank-line",
    "format.line-endings",
    "format.encoding",
    "timing.order",
    "timing.overlap",
    "timing.zero-duration",
    "text.empty",
    "gap.min",
    "duration.min",
}

MESSY = (
    "00:00:01.000 --> 00:00:02,000\n"  # no number, dot decimals
    "First.\n"
    "2\n"  # no blank line before it
    "00:00:01,500 --> 00:00:03,000\n"  # overlaps cue 1
    "Second one.\n\n"
    "3\n00:00:09,000 --> 00:00:09,000\nZero.\n\n"
    "4\n00:00:05,000 --> 00:00:06,000\n\n"  # empty
    "5\n00:00:04,000 --> 00:00:04,400\nOut of order and short.\n\n"
)


@pytest.mark.parametrize("name", ["defects.srt", "defects.vtt"])
def test_fix_clears_the_repairable_defects_and_keeps_the_source(tmp_path, name):
    source = tmp_path / name
    shutil.copy(FIXTURES / name, source)
    before = source.read_bytes()
    out = tmp_path / f"fixed{source.suffix}"
    outcome = fix_subtitle_file(source, out, "default")
    assert source.read_bytes() == before  # never modified
    remaining = {f.rule for f in check_subtitles(out).findings if f.severity != "info"}
    assert not remaining & REPAIRABLE, remaining
    text = outcome.to_text()
    assert "changed (" in text and "left for a person" in text


def test_fix_on_a_messy_file_reports_each_change(tmp_path):
    source = tmp_path / "messy.srt"
    source.write_text(MESSY, encoding="cp1252")
    out = tmp_path / "clean.srt"
    result = CliRunner().invoke(cli, ["check-subs", str(source), "--fix", str(out)])
    assert result.exit_code == 0, result.output
    assert "removed, it has no visible text" in result.output
    assert "moved back into time order" in result.output
    assert "overlapped cue 2" in result.output
    assert "had no duration" in result.output
    assert "numbered the cues 1, 2, 3" in result.output
    report = check_subtitles(out)
    assert not report.has_errors, report.findings
    cues = read_subtitles(out).cues
    assert [c.text for c in cues] == ["First.", "Second one.", "Out of order and short.", "Zero."]
    assert all(b.start - a.end >= 0.08 - 1e-6 for a, b in zip(cues, cues[1:], strict=False))
    # Players read the fixed file exactly as we do.
    assert [(a, b) for a, b, _ in ffmpeg_cues(out)] == [(c.start, c.end) for c in cues]


def test_in_place_and_refusals(tmp_path):
    source = tmp_path / "messy.srt"
    source.write_text(MESSY, encoding="utf-8")
    same = CliRunner().invoke(cli, ["check-subs", str(source), "--fix", str(source)])
    assert same.exit_code == 2 and "--in-place" in same.output
    assert source.read_text(encoding="utf-8") == MESSY
    # The use case refuses in words every face can use; the command line names its options.
    with pytest.raises(OverwritesChecked) as refused:
        fix_subtitle_file(source, source, "default")
    assert "--" not in str(refused.value) and "in place" in str(refused.value)
    other = tmp_path / "other.srt"
    both = CliRunner().invoke(cli, ["check-subs", str(source), "--fix", str(other), "--in-place"])
    assert both.exit_code == 2 and "--fix OUT or --in-place, not both" in both.output
    assert source.read_text(encoding="utf-8") == MESSY and not other.exists()
    done = CliRunner().invoke(cli, ["check-subs", str(source), "--in-place"])
    assert done.exit_code == 0, done.output
    assert not check_subtitles(source).has_errors
    again = CliRunner().invoke(cli, ["check-subs", str(source), "--in-place"])
    assert "changed nothing" in again.output


def test_fix_converts_between_formats(tmp_path):
    out = tmp_path / "clean.vtt"
    fix_subtitle_file(FIXTURES / "clean.srt", out, "default")
    assert out.read_text(encoding="utf-8").startswith("WEBVTT\n\n")
    assert [c.text for c in read_subtitles(out).cues] == [
        c.text for c in read_subtitles(FIXTURES / "clean.srt").cues
    ]
    assert not check_subtitles(out).has_errors


def test_cues_that_start_together_are_merged_not_lost(tmp_path):
    source = tmp_path / "stacked.srt"
    source.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nTop line.\n\n"
        "2\n00:00:01,000 --> 00:00:02,500\nBottom line.\n\n"
        "3\n00:00:05,000 --> 00:00:07,000\nLater.\n",
        encoding="utf-8",
    )
    out = tmp_path / "fixed.srt"
    outcome = fix_subtitle_file(source, out, "default")
    assert "merged into cue 1" in outcome.to_text()
    cues = read_subtitles(out).cues
    assert [c.text for c in cues] == ["Top line.\nBottom line.", "Later."]
    assert not {f.rule for f in check_subtitles(out).findings} & REPAIRABLE


def test_every_shared_file_is_cleared_of_repairable_errors(tmp_path):
    """The repairs on real third-party files: what --fix promises, it clears."""
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("../shared/data is not present")
    for path in sorted(shared.glob("subtitles/*")):
        out = tmp_path / f"{path.stem}.fixed{path.suffix}"
        fix_subtitle_file(path, out, "default")
        left = {f.rule for f in check_subtitles(out).findings if f.severity != "info"}
        assert not left & (REPAIRABLE - {"duration.min"}), (path.name, left)
