"""The film's use cases on the tiny project, fast: the event pack, a film re-made from its
timeline alone, the edit out to editing software and back, caption stills and the QC report.
(Render and check, as the studio's Render button does it, is in test_studio_server.py.)

One render of a five-second film is shared by the module; the rest reuse its cached segments.
The same use cases on the real demo interviews are in test_render.py, test_event_pack.py,
test_timeline_replay.py, test_export.py and test_import_edit.py (slow).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import opentimelineio as otio
import pytest
from click.testing import CliRunner
from opentimelineio.opentime import RationalTime, TimeRange
from PIL import Image

from tests.tiny_project import tiny_project
from triggerfilm.app import RenderOptions, interchange
from triggerfilm.app.replay import render_saved_timeline
from triggerfilm.cli import cli
from triggerfilm.editplan.timeline import Cut, TimelineError, load_timeline
from triggerfilm.exports import ExportError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.media.probe import probe
from triggerfilm.media.stills import caption_still

# As `triggerfilm event-pack` renders (soft captions), so every render here reuses its segments.
FAST = RenderOptions(preset="ultrafast", burn_in=False)
FAST_FLAGS = ["--no-burn-in", "--preset", "ultrafast"]


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    """The tiny project with its event pack made by the command (film, captions, timeline,
    page), and what the command printed."""
    folder = tmp_path_factory.mktemp("tiny-film")
    with pytest.MonkeyPatch.context() as patch:
        project = tiny_project(folder, patch, card_seconds=0.5)
        out = folder / "event"
        args = ["event-pack", str(project.manifest), "-o", str(out), "--preset", "ultrafast"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        yield project, out, result.output


def test_the_event_pack_holds_the_film_its_captions_and_an_offline_page(film) -> None:
    project, out, output = film
    assert "Event pack: 2 touchpoints" in output
    assert f"Open {out / 'index.html'} in a browser" in output
    names = {p.name for p in out.iterdir()}
    assert {"film.mp4", "film.vtt", "film.srt", "index.html", "timeline.json", "assets"} <= names
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Nights on the ward" in page and "What would help at night?" in page
    assert "Going home: Talks about a hard day" in page  # the content note comes first
    assert 'src="film.mp4"' in page
    assert not any(s in page for s in ("http://", "https://"))  # works offline
    info = probe(out / "film.mp4")
    # Cards of half a second open the film, each touchpoint, and close it.
    timeline = load_timeline(out / "timeline.json")
    assert info.duration == pytest.approx(timeline.duration, abs=0.1)
    assert (info.width, info.height) == (320, 180)
    assert [i.clip_id for i in timeline.items if isinstance(i, Cut)] == ["ward", "home"]
    assert "Going home was hard." in (out / "film.vtt").read_text(encoding="utf-8")


def test_a_film_is_made_again_from_its_timeline_alone(film, tmp_path) -> None:
    _, out, _ = film
    saved = tmp_path / "timeline.json"
    shutil.copyfile(out / "timeline.json", saved)
    again = tmp_path / "again"
    result = CliRunner().invoke(
        cli, ["render", "--timeline", str(saved), "-o", str(again), *FAST_FLAGS]
    )
    assert result.exit_code == 0, result.output
    # Nothing transcribed, every segment from the cache, the same captions.
    match = re.search(r"Film: .*, \d+ captions, (\d+) segments \((\d+) reused", result.output)
    assert match and match[1] == match[2], result.output
    assert "Loudness:" in result.output and str(again / "film.mp4") in result.output
    assert (again / "film.vtt").read_text(encoding="utf-8") == (out / "film.vtt").read_text(
        encoding="utf-8"
    )


def test_a_moved_or_changed_source_is_named_before_anything_is_rendered(film, tmp_path) -> None:
    _, out, _ = film
    data = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    index = next(i for i, item in enumerate(data["items"]) if item.get("clip_id") == "home")
    copy = tmp_path / "home.mp4"
    shutil.copyfile(data["items"][index]["source"], copy)
    copy.write_bytes(copy.read_bytes()[:-100])  # not the file the film was made from
    data["items"][index]["source"] = str(copy)
    saved = tmp_path / "timeline.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TimelineError, match="is not the file the film was made from") as caught:
        render_saved_timeline(saved, tmp_path / "out", FAST)
    assert caught.value.field == f"items[{index}].source_sha256"
    copy.unlink()
    with pytest.raises(TimelineError, match="which is not there"):
        render_saved_timeline(saved, tmp_path / "out", FAST)
    assert not (tmp_path / "out" / "film.mp4").exists()


def test_export_then_import_leaves_the_manifest_as_it_was(film, tmp_path) -> None:
    project, _, _ = film
    before = project.text()
    for fmt, suffix in (("otio", ".otio"), ("fcpxml", ".fcpxml"), ("edl", ".edl")):
        edit = tmp_path / f"film{suffix}"
        exported = interchange.export_edit(project.manifest, edit, fmt)
        assert (exported.cuts, exported.cards, exported.touchpoints) == (2, 4, 2)
        report = interchange.import_edit(edit, project.manifest)
        assert report.cuts == 2 and not report.changed, (fmt, report.diff)
        assert report.touchpoints == (("Nights on the ward", 1), ("Going home", 1))
    assert project.text() == before


def test_a_trimmed_clip_in_the_edit_comes_back_as_a_time(film, tmp_path) -> None:
    project, _, _ = film
    manifest = tmp_path / "tiny.yaml"
    shutil.copyfile(project.manifest, manifest)
    edit = tmp_path / "film.otio"
    interchange.export_edit(manifest, edit, "otio")
    timeline = otio.adapters.read_from_file(str(edit))
    clip = next(c for c in timeline.video_tracks()[0] if isinstance(c, otio.schema.Clip))
    assert clip.name == "ward"
    span = clip.source_range
    cut = RationalTime(0.8, 1).rescaled_to(
        span.start_time.rate
    )  # the editor drops "Nights were long."
    clip.source_range = TimeRange(span.start_time + cut, span.duration - cut)
    otio.adapters.write_to_file(timeline, str(edit))
    dry = interchange.import_edit(edit, manifest, dry_run=True)
    assert dry.changed and not dry.written
    assert manifest.read_text(encoding="utf-8") == project.text()
    report = interchange.import_edit(edit, manifest)
    assert report.written
    selection = load_manifest(manifest).touchpoints[0].selections[0]
    assert selection.start.seconds == pytest.approx(span.start_time.to_seconds() + 0.8, abs=0.011)
    assert selection.end.quote == "Nurses helped"  # the end the editor left alone, as written
    assert selection.valence == "positive"
    assert "# Touchpoints in care-pathway order." in manifest.read_text(encoding="utf-8")


def test_export_and_import_edit_commands(film, tmp_path) -> None:
    project, _, _ = film
    edl = tmp_path / "film.edl"
    result = CliRunner().invoke(
        cli, ["export", str(project.manifest), "--format", "edl", "-o", str(edl)]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {edl} (CMX 3600 EDL): 2 clips, 4 cards, 2 touchpoint markers" in result.output
    assert "ward" in edl.read_text(encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import-edit", str(edl), "--manifest", str(project.manifest), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "the manifest already says this" in result.output
    assert "Nights on the ward: 1, Going home: 1" in result.output
    result = CliRunner().invoke(
        cli, ["import-edit", str(tmp_path / "none.edl"), "--manifest", str(project.manifest)]
    )
    assert result.exit_code == 2 and "none.edl" in result.output
    # An edit whose format its name does not tell: the stage asks for the format by its field,
    # the command line says which option names it.
    unknown = tmp_path / "film.edit"
    unknown.write_bytes(edl.read_bytes())
    with pytest.raises(ExportError) as refused:
        interchange.import_edit(unknown, project.manifest)
    assert refused.value.field == "format" and "--format" not in str(refused.value)
    result = CliRunner().invoke(
        cli, ["import-edit", str(unknown), "--manifest", str(project.manifest)]
    )
    assert result.exit_code == 2 and "pass --format" in result.output
    result = CliRunner().invoke(
        cli,
        [
            "import-edit",
            str(unknown),
            "--manifest",
            str(project.manifest),
            "--format",
            "edl",
            "--dry-run",
        ],
    )
    assert result.exit_code == 0, result.output


def test_caption_stills_draw_the_words_on_the_picture_or_on_black(film) -> None:
    project, _, _ = film
    media = Path(project.media["ward"])
    with_picture = caption_still(media, 0.5, "Nights were long.", has_video=True, width=160)
    on_black = caption_still(media, 0.5, "Nights were long.", has_video=False, width=160)
    images = [Image.open(io.BytesIO(still)) for still in (with_picture, on_black)]
    assert [(i.format, i.size) for i in images] == [("JPEG", (160, 90)), ("JPEG", (160, 90))]
    # On black, only the caption can be bright: light letters in the lower half of the frame.
    gray = images[1].convert("L")
    assert max(gray.crop((0, 45, 160, 90)).getdata()) > 120
    assert max(gray.crop((0, 0, 160, 30)).getdata()) < 40
    assert caption_still(media.with_name("gone.mp4"), 0.5, "x", has_video=True) is None


def test_the_render_command_refuses_what_it_cannot_do(film, tmp_path) -> None:
    project, out, _ = film
    timeline = out / "timeline.json"
    for wrong in (
        ["render"],
        ["render", str(project.manifest), "--timeline", str(timeline)],
        ["render", "--timeline", str(timeline), "--touchpoint", "1"],
    ):
        result = CliRunner().invoke(cli, wrong)
        assert result.exit_code == 2 and "Traceback" not in result.output, wrong
    # A folder holding another manifest's film is not replaced without --force.
    other = tmp_path / "other.yaml"
    other.write_text(project.text(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(other), "-o", str(out), *FAST_FLAGS])
    assert result.exit_code == 2 and "--force" in result.output
    assert "index.html" in {p.name for p in out.iterdir()}  # the event pack is untouched


def test_an_unusable_output_folder_is_explained_in_each_faces_words(film, tmp_path) -> None:
    from triggerfilm.app import render_manifest
    from triggerfilm.render.outputs import OutputFolderError, locked_output_folder

    project, _, _ = film
    not_a_folder = tmp_path / "film.mp4"
    not_a_folder.write_bytes(b"")
    # What the studio shows: the render's own words, which name no command-line option.
    with pytest.raises(OutputFolderError) as caught:
        render_manifest(project.manifest, not_a_folder, FAST)
    assert "not a folder" in str(caught.value)
    assert caught.value.hint == "Choose another output folder"
    assert not_a_folder.read_bytes() == b""
    # The command line adds how its user chooses another folder; here the folder is busy
    # with another render (its lock is held).
    busy = tmp_path / "busy"
    with locked_output_folder(busy):
        for command in ("render", "event-pack"):
            args = [command, str(project.manifest), "-o", str(busy), "--preset", "ultrafast"]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 2, result.output
            assert "another render is using this folder" in result.output
            assert "-o chooses the output folder" in result.output


def test_the_qc_report_shows_each_finding_with_the_frame_as_seen(film, tmp_path) -> None:
    _, event, _ = film
    srt = tmp_path / "film.srt"
    # Captions for the film: one cue unreadably fast, one where nobody speaks.
    srt.write_text(
        "1\n00:00:00,600 --> 00:00:00,900\nNights were long, and the nurses helped all night.\n\n"
        "2\n00:00:03,000 --> 00:00:03,900\nNobody speaks here.\n",
        encoding="utf-8",
    )
    out = tmp_path / "qc.html"
    film_path = event / "film.mp4"
    args = ["check-subs", str(srt), "--media", str(film_path), "--report", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # the fast cue is an error
    assert "speed.cps" in result.output
    page = out.read_text(encoding="utf-8")
    assert "film.mp4" in page and "speed.cps" in page
    assert page.count("data:image/jpeg;base64,") >= 1  # a thumbnail with the caption drawn
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
