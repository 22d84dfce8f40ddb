"""Ctrl-C during a render leaves no film.mp4 and no half-written files behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from .conftest import CLIPS


@pytest.mark.slow
def test_ctrl_c_mid_render_leaves_nothing_half_written(tmp_path):
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        textwrap.dedent(
            f"""\
            title: Interrupted film
            output: {{width: 640, height: 360, card_seconds: 1}}
            archives: {{sample: {CLIPS}}}
            clips:
              - {{id: a, archive: sample, clip: ICU07-01}}
              - {{id: b, archive: sample, clip: ICU03-01}}
            touchpoints:
              - title: Nights
                selections:
                  - {{clip: a, from: 0, to: 20}}
                  - {{clip: b, from: 0, to: 20}}
                  - {{clip: a, from: 20, to: 40}}
            """
        )
    )
    out = tmp_path / "out"
    cache = tmp_path / "cache"  # empty: every segment must be rendered, so there is time to stop
    env = {**os.environ, "TRIGGERFILM_CACHE": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-m", "triggerfilm", "render", str(manifest), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, like a job in a terminal
    )
    # Wait until segments are being rendered, then press Ctrl-C (SIGINT to the whole group).
    deadline = time.monotonic() + 240
    segments = cache / "render" / "segments"
    while time.monotonic() < deadline and process.poll() is None:
        if segments.exists():
            break
        time.sleep(0.2)
    # A short pause lands the signal inside an encode; longer, and a fast machine may finish
    # the whole render first.
    time.sleep(0.3)
    assert process.poll() is None, "render finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    assert not (out / "film.mp4").exists()
    leftovers = [p.name for p in out.rglob("*")] if out.exists() else []
    assert not [n for n in leftovers if n.startswith(".") and n.endswith((".tmp", ".mp4"))]
    assert not list(segments.rglob("*.part")), "a partial segment was left in the cache"
    assert "Traceback" not in stderr
