"""check-subs on hostile input: clear messages and exit 2, never a hang, a traceback or a misread."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.captions.check import check_subtitles, read_subtitles
from triggerfilm.captions.check.read import SubtitleTooLarge
from triggerfilm.cli import cli
from triggerfilm.errors import SubtitleFormatError, TriggerfilmError

SRT = "1\n00:00:01,000 --> 00:00:03,000\nHéllo there.\n\n2\n00:00:04,000 --> 00:00:06,000\nSecond line.\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_not_called_binary(tmp_path, codec):
    path = tmp_path / "wide.srt"
    path.write_bytes(SRT.encode(codec))
    document = read_subtitles(path)
    assert [c.text for c in document.cues] == ["Héllo there.", "Second line."]
    assert document.encoding == f"{codec} (no BOM)"
    # Read correctly, and the one error says what players will do with it.
    errors = [f for f in check_subtitles(path).findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["format.encoding"]
    assert "byte-order mark" in errors[0].message


@pytest.mark.parametrize("fps", ["nan", "inf", "-inf", "0", "1e9"])
def test_unusable_frame_rates_are_refused(tmp_path, fps):
    path = tmp_path / "a.srt"
    path.write_text(SRT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-subs", str(path), "--fps", fps])
    assert result.exit_code == 2, result.output
    assert "--fps" in result.output and "Traceback" not in result.output
    with pytest.raises(TriggerfilmError):
        check_subtitles(path, fps=float(fps))


@pytest.mark.parametrize("hours", ["100000000000000000000", "9" * 400, "25"])
def test_huge_hours_are_reported_not_read_as_zero(tmp_path, hours):
    path = tmp_path / "hours.srt"
    path.write_text(
        f"1\n{hours}:00:01,000 --> {hours}:00:02,000\nFar away.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nNear.\n",
        encoding="utf-8",
    )
    report = check_subtitles(path)
    rules = [(f.rule, f.severity, f.line) for f in report.findings]
    assert ("format.timing", "error", 2) in rules
    assert not any(f.rule == "timing.zero-duration" for f in report.findings)
    message = next(f.message for f in report.findings if f.rule == "format.timing")
    assert "24 hours" in message


def test_size_cap_default_and_override(tmp_path):
    path = tmp_path / "big.srt"
    # Over 1 MiB in a few long cues: the size is the point, and 20,000 short cues would cost
    # seconds of checking for nothing.
    text = "Hello there. " * 8000
    cues = (f"{i}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{text}\n\n" for i in range(1, 12))
    path.write_text("".join(cues), encoding="utf-8")
    assert path.stat().st_size > 1024 * 1024
    with pytest.raises(SubtitleTooLarge, match="larger than 1,048,576 bytes") as refused:
        read_subtitles(path, max_bytes=1024 * 1024)
    # The reader says what is wrong; which option raises the limit is the command line's to say.
    assert "--max-size" not in str(refused.value)
    result = CliRunner().invoke(cli, ["check-subs", str(path), "--max-size", "1"])
    assert result.exit_code == 2 and "--max-size" in result.output
    # The default (64 MiB) reads and checks it.
    result = CliRunner().invoke(cli, ["check-subs", str(path)])
    assert result.exit_code == 1 and "cue 11: error text.line-length" in result.output


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_dev_zero_is_refused_without_reading_it():
    done = _run(["check-subs", "/dev/zero"])
    assert done.returncode == 2
    assert "not a regular file" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_instead_of_hanging(tmp_path):
    fifo = tmp_path / "captions.srt"
    os.mkfifo(fifo)
    # Nobody writes to the FIFO: opening it for reading would block forever.
    done = _run(["check-subs", str(fifo)], timeout=60)
    assert done.returncode == 2
    assert "not a regular file" in done.stderr + done.stdout


def test_a_folder_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["check-subs", str(tmp_path)])
    assert result.exit_code == 2
    with pytest.raises(SubtitleFormatError, match="folder"):
        read_subtitles(tmp_path)
