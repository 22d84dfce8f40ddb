"""An editor's edit comes back: export → import keeps the film; a re-ordered, trimmed OTIO is the
edit; the manifest keeps its comments; bad edits are refused with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import opentimelineio as otio
import pytest
import yaml
from opentimelineio.opentime import RationalTime, TimeRange

from triggerfilm import app
from triggerfilm.app import interchange
from triggerfilm.editplan.timeline import Cut
from triggerfilm.exports import FORMATS

from .conftest import demo_copy


def running_order(timeline) -> list[tuple[int, str, float]]:
    return [
        (i.touchpoint, i.clip_id, round(i.source_in, 2))
        for i in timeline.items
        if isinstance(i, Cut)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_then_import_keeps_the_running_order(tmp_path, fmt):
    manifest = demo_copy(tmp_path)
    before_text = manifest.read_text(encoding="utf-8")
    _, before, _ = app.planned(manifest)
    edit = tmp_path / f"film{FORMATS[fmt].suffix}"
    interchange.export_edit(manifest, edit, fmt)
    report = interchange.import_edit(edit, manifest)
    assert report.cuts == len(running_order(before))
    assert not report.changed and not report.written, report.diff
    assert manifest.read_text(encoding="utf-8") == before_text
    _, after, _ = app.planned(manifest)
    assert running_order(after) == running_order(before)


@pytest.mark.slow
def test_a_reordered_and_trimmed_otio_comes_back_as_the_edit(tmp_path):
    manifest = demo_copy(tmp_path)
    _, before, _ = app.planned(manifest)
    edit = tmp_path / "film.otio"
    interchange.export_edit(manifest, edit, "otio")

    # In the editor: swap the first two clips of "Going home" and start icu03's one second later.
    timeline = otio.adapters.read_from_file(str(edit))
    track = timeline.video_tracks()[0]
    going_home = [
        i
        for i, c in enumerate(track)
        if isinstance(c, otio.schema.Clip) and "Touchpoint 3" in " ".join(m.name for m in c.markers)
    ][0]
    first, second = track[going_home], track[going_home + 1]
    assert (first.name, second.name) == ("icu21", "icu12")
    # Move the touchpoint's marker with the clip that now opens it.
    marker = next(m for m in first.markers if m.name.startswith("Touchpoint 3"))
    first.markers.remove(marker)
    marker.marked_range = TimeRange(second.source_range.start_time, marker.marked_range.duration)
    second.markers.append(marker)
    track.remove(second)
    track.insert(going_home, second)
    trimmed = track[going_home + 2]
    assert trimmed.name == "icu03"
    span = trimmed.source_range
    one_second = RationalTime(1, 1).rescaled_to(span.start_time.rate)
    trimmed.source_range = TimeRange(span.start_time + one_second, span.duration - one_second)
    otio.adapters.write_to_file(timeline, str(edit))

    planned_icu03 = next(
        c for c in before.items if isinstance(c, Cut) and c.touchpoint == 2 and c.clip_id == "icu03"
    )
    dry = interchange.import_edit(edit, manifest, dry_run=True)
    assert dry.changed and not dry.written
    assert "# Selected by time" in manifest.read_text(encoding="utf-8")  # untouched

    report = interchange.import_edit(edit, manifest)
    assert report.written
    text = manifest.read_text(encoding="utf-8")
    # Comments and the selections the editor did not trim are kept as written.
    assert "# Touchpoints in care-pathway order" in text
    assert "# Selected by time" in text
    assert 'to: "what had happened to me"' in text
    selections = yaml.safe_load(text)["touchpoints"][2]["selections"]
    assert [s["clip"] for s in selections] == ["icu12", "icu21", "icu03", "icu15"]
    assert selections[2]["from"] == pytest.approx(planned_icu03.source_in + 1.0, abs=0.011)
    assert "from: 0:26.1" in text  # moved, not trimmed: still as the facilitator wrote

    _, after, _ = app.planned(manifest)
    order = [(t, c) for t, c, _ in running_order(after)]
    assert order == [(t, c) for t, c, _ in running_order(before)][:6] + [
        (2, "icu12"),
        (2, "icu21"),
        (2, "icu03"),
        (2, "icu15"),
    ]
    cut = next(
        c for c in after.items if isinstance(c, Cut) and c.clip_id == "icu03" and c.touchpoint == 2
    )
    # Safe cuts may move an in-point into silence, by at most half a second.
    assert abs(cut.source_in - (planned_icu03.source_in + 1.0)) <= 0.5 + 1 / after.fps


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *map(str, args)], capture_output=True, text=True
    )


@pytest.mark.slow
def test_import_edit_command_shows_the_difference_and_dry_run_writes_nothing(tmp_path):
    manifest = demo_copy(tmp_path)
    edl = tmp_path / "film.edl"
    interchange.export_edit(manifest, edl, "edl")
    # The editor drops the last clip of "Going home".
    lines = edl.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if line[:3].isdigit())
    edl.write_text("\n".join(lines[:last]) + "\n", encoding="utf-8")
    original = manifest.read_bytes()
    result = _cli("import-edit", edl, "--manifest", manifest, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "-      - clip: icu15" in result.stdout and "Dry run" in result.stdout
    assert manifest.read_bytes() == original

    result = _cli("import-edit", edl, "--manifest", manifest)
    assert result.returncode == 0, result.stderr
    assert "Updated" in result.stdout
    going_home = yaml.safe_load(manifest.read_text(encoding="utf-8"))["touchpoints"][2]
    assert [s["clip"] for s in going_home["selections"]] == ["icu21", "icu12", "icu03"]


@pytest.mark.slow
def test_an_unknown_touchpoint_or_media_is_refused_with_exit_2(tmp_path):
    manifest = demo_copy(tmp_path)
    edit = tmp_path / "film.otio"
    interchange.export_edit(manifest, edit, "otio")
    timeline = otio.adapters.read_from_file(str(edit))
    clip = next(iter(timeline.find_clips()))
    clip.markers[0].name = "Touchpoint 1: Somewhere else"
    otio.adapters.write_to_file(timeline, str(edit))
    original = manifest.read_bytes()
    result = _cli("import-edit", edit, "--manifest", manifest)
    assert result.returncode == 2
    assert "Somewhere else" in result.stderr and "Traceback" not in result.stderr
    assert manifest.read_bytes() == original

    clip.markers[0].name = "Touchpoint 1: Coming into intensive care"
    clip.media_reference.target_url = (tmp_path / "elsewhere.mp4").as_uri()
    otio.adapters.write_to_file(timeline, str(edit))
    result = _cli("import-edit", edit, "--manifest", manifest)
    assert result.returncode == 2
    assert "matches no clip in the manifest" in result.stderr
    assert manifest.read_bytes() == original


@pytest.mark.slow
def test_an_edl_without_media_paths_matches_clips_by_name(tmp_path):
    manifest = demo_copy(tmp_path)
    edl = tmp_path / "film.edl"
    interchange.export_edit(manifest, edl, "edl")
    # Editing software often writes only the clip name, no "* FROM CLIP:" path.
    text = "\n".join(
        line
        for line in edl.read_text(encoding="utf-8").splitlines()
        if not line.startswith("* FROM CLIP:")
    )
    edl.write_text(text + "\n", encoding="utf-8")
    report = interchange.import_edit(edl, manifest, dry_run=True)
    assert report.cuts == 10 and not report.changed, report.diff
