"""Fast tests of the stages on small synthetic artefacts: no transcription, no rendering.

The slow tests run the real pipeline on real media; these give every stage module a test in
the fast loop (`make test-fast`). The transcript here is typed in, as a Whisper engine would
hand it on, so the edit plan, captions, reports and cut sheet run in milliseconds.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.app.render import RenderOptions, output_stem
from triggerfilm.app.selecting import add_hit
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.profiles import get_profile
from triggerfilm.cli import cli
from triggerfilm.editplan.build import ClipMaterial, build_timeline
from triggerfilm.editplan.cutsheet import ClipSentences, parse_cutsheet, write_cutsheet
from triggerfilm.editplan.redact import find_redactions, replace_words
from triggerfilm.editplan.search import SearchDoc, SearchHit, SearchQuery, format_hits, search
from triggerfilm.editplan.sentences import sentences, words_inside
from triggerfilm.editplan.timeline import Cut
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.manifest.model import Narrator, Redaction
from triggerfilm.media.ffmpeg import ffmpeg_exe, run_ffmpeg
from triggerfilm.media.loudness import _parse
from triggerfilm.media.probe import MediaInfo
from triggerfilm.notices import Notice
from triggerfilm.render.ass import compose_ass
from triggerfilm.render.film import _chapters
from triggerfilm.reports.approval import approval_quotes
from triggerfilm.reports.pack import facilitator_pack
from triggerfilm.reports.plan import build_plan_report
from triggerfilm.reports.plan_format import format_table
from triggerfilm.reports.review import ReviewReport
from triggerfilm.reports.review import format_table as review_table
from triggerfilm.sources.catalogue_model import ArchiveTerms
from triggerfilm.sources.resolve import SourceClip
from triggerfilm.transcripts.doubts import Doubt
from triggerfilm.transcripts.model import Segment, Transcript, Word

SPOKEN = (
    "The nights were the worst part. I was sure the nurses were trying to hurt me. "
    "My wife came every day. She read to me from the paper."
)

MANIFEST = """\
title: Synthetic film
clips:
  - id: a
    media: a.mp4
    narrator: ICU07
    descriptor: man, 60s
touchpoints:
  - title: Nights
    selections:
      - clip: a
        from: "The nights were"
        to: "hurt me"
        redact:
          - "nurses"
  - title: Visiting
    selections:
      - clip: a
        from: 9.0
        to: 13.5
"""


def _transcript() -> Transcript:
    words, at = [], 0.5
    for token in SPOKEN.split():
        words.append(Word(at, at + 0.3, " " + token))
        at += 0.4 if not token.endswith(".") else 0.9
    return Transcript(
        segments=(Segment(0.0, at, SPOKEN, tuple(words)),),
        language="en",
        duration=at + 1.0,
        engine="typed",
        model="none",
    )


@pytest.fixture
def project(tmp_path: Path):
    path = tmp_path / "film.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "a.mp4").write_bytes(b"not really a film")
    manifest = load_manifest(path)
    transcript = _transcript()
    source = SourceClip(
        id="a",
        path=tmp_path / "a.mp4",
        sha256="0" * 64,
        narrator="ICU07",
        who=Narrator(descriptor="man, 60s"),
    )
    media = MediaInfo(
        str(source.path), transcript.duration, True, True, 1280, 720, 25.0, 1.0, 48000, 2
    )
    material = {"a": ClipMaterial(source, media, transcript)}
    return manifest, {"a": source}, material, build_timeline(manifest, material)


def test_the_edit_plan_cuts_quotes_and_times_and_redacts(project):
    manifest, _, _, timeline = project
    cuts = [item for item in timeline.items if isinstance(item, Cut)]
    assert [c.touchpoint for c in cuts] == [0, 1]
    first = cuts[0]
    spoken = " ".join(w.clean for w in first.words)
    assert spoken.startswith("The nights were") and spoken.endswith("hurt me.")
    assert "nurses" not in spoken and manifest.output.redaction_text in spoken
    assert first.redactions and timeline.source_out(first) > first.source_in
    assert cuts[1].source_in == pytest.approx(9.0, abs=1 / timeline.fps)


def test_the_credits_name_an_archives_attribution_once_and_nothing_for_a_local_clip(project):
    manifest, sources, material, timeline = project
    assert timeline.items[-1].subtitle == "Narrators: ICU07"
    # Two clips under the same archive terms: the archive is credited once.
    terms = ArchiveTerms("Reused by permission", "Test archive, by permission of its narrators.")
    archived = replace(material["a"], source=replace(sources["a"], terms=terms))
    second = replace(archived, source=replace(archived.source, id="b", narrator="ICU15"))
    credits = build_timeline(manifest, {"a": archived, "b": second}).items[-1].subtitle
    assert credits == f"{terms.attribution}\nNarrators: ICU07, ICU15"


def test_captions_and_the_burned_in_script_follow_the_cuts(project):
    timeline = project[3]
    cues = build_captions(timeline, get_profile("default"))
    assert cues and all(c.end > c.start for c in cues)
    assert cues[0].to_dict()["start"] == cues[0].start and cues[0].text
    script = compose_ass(cues, 1280, 720)
    assert script.count("Dialogue:") == len(cues)
    assert "PlayResY: 720" in script


def test_chapters_name_every_touchpoint(project):
    timeline = project[3]
    chapters = _chapters(timeline)
    assert chapters.startswith(";FFMETADATA1")
    assert "title=Nights" in chapters and "title=Visiting" in chapters


def test_plan_report_and_table(project):
    _, sources, _, timeline = project
    report = build_plan_report(timeline, sources, target_minutes=0.5)
    table = format_table(report)
    assert "Nights" in table and "Visiting" in table and "ICU07" in table


def test_facilitator_pack_is_one_page_with_every_touchpoint(project):
    manifest, sources, _, timeline = project
    page = facilitator_pack(manifest, timeline, sources)
    assert page.startswith("<!DOCTYPE html>") and page.count("<main>") == 1
    assert "Nights" in page and "Visiting" in page


def test_approval_quotes_list_each_passage_in_film_order(project):
    timeline = project[3]
    quotes = approval_quotes(timeline, "ICU07")
    assert quotes.startswith("Passages from ICU07 chosen for the film “Synthetic film”.")
    assert "The nights were" in quotes
    assert quotes.index("1. Nights (clip a,") < quotes.index("2. Visiting (clip a, 9.0")


def test_output_names(project):
    timeline = project[3]
    assert output_stem(RenderOptions(), timeline, None) == "film"
    assert output_stem(RenderOptions(), timeline, 1).startswith("touchpoint-02-")
    # Named with the same slug as a cut sheet's #tp: tags; a title with no letter or digit
    # to keep still gives a name that does not end in a dash.
    titled = replace(timeline, touchpoints=("Nights on the unit!", "夜"))
    assert output_stem(RenderOptions(), titled, 0) == "touchpoint-01-nights-on-the-unit"
    assert output_stem(RenderOptions(preview=True), titled, 1) == "touchpoint-02-touchpoint-preview"


def test_cut_sheet_round_trip(project):
    manifest, _, material, timeline = project
    said = sentences(material["a"].transcript)
    assert len(said) == 4
    assert words_inside(said[0], said[0].cut_in, said[0].cut_out) == len(said[0].words)
    sheet = write_cutsheet(
        manifest, timeline, [ClipSentences("a", "ICU07 (man, 60s)", tuple(said))]
    )
    lines = parse_cutsheet(sheet, "sheet.md")
    assert [line.text for line in lines] == [s.text for s in said]
    ticked = [line.tag for line in lines if line.ticked]
    assert ticked and set(ticked) <= {"nights", "visiting"}  # what the film already cuts


def test_search_finds_spoken_words_and_add_hit_writes_a_selection(project, tmp_path):
    manifest, _, material, _ = project
    doc = SearchDoc("a", "ICU07", transcript=material["a"].transcript, in_manifest=True)
    hits = search([doc], SearchQuery("read to me"))
    assert len(hits) == 1 and hits[0].span is not None
    assert "ICU07" in format_hits(hits)
    add_hit(manifest.path, "Visiting", hits[0])
    again = load_manifest(manifest.path)
    assert len(again.touchpoints[1].selections) == 2


def test_add_hit_refuses_a_match_with_no_time_and_leaves_the_manifest(project):
    manifest, _, _, _ = project
    before = manifest.path.read_bytes()
    # A match in the catalogue's text: nothing in the recording to cut.
    title = SearchHit("a", "ICU07", None, "title", "Nights on the ward", "Nights")
    with pytest.raises(TriggerfilmError) as caught:
        add_hit(manifest.path, "Visiting", title)
    assert "has no time in the recording" in str(caught.value)
    assert "triggerfilm" not in (caught.value.hint or "")  # the studio shows it too
    assert manifest.path.read_bytes() == before


def test_redaction_by_words_and_by_time():
    words = tuple(Word(i, i + 0.5, f" w{i}") for i in range(6))
    ranges, missing = find_redactions(
        words, (Redaction(words="w2"), Redaction(start=4, end=4.4)), 0, 6
    )
    assert missing == [] and len(ranges) == 2
    replaced = replace_words(words, ranges, "[name]")
    assert [w.clean for w in replaced].count("[name]") == 2
    _, missing = find_redactions(words, (Redaction(words="nobody"),), 0, 6)
    assert missing == [0]


def test_review_table_lists_doubts():
    report = ReviewReport(
        "film.yaml", (Doubt("a", 61.0, 61.4, "truly", "interpolated"),), {"a": 0.95}, ()
    )
    table = review_table(report)
    assert "01:01.0" in table and "interpolated" in table


def test_loudness_summary_is_parsed_and_ffmpeg_runs():
    summary = "Summary:\n  Integrated loudness:\n    I:         -23.4 LUFS\n  Loudness range:\n    LRA:         5.1 LU\n  True peak:\n    Peak:        -1.5 dBFS\n"
    level = _parse(summary)
    assert (level.integrated, level.true_peak, level.lra) == (-23.4, -1.5, 5.1)
    assert Path(ffmpeg_exe()).is_file()
    run_ffmpeg(["-version"], "asking ffmpeg its version")


def test_a_missing_model_is_a_user_error(tmp_path):
    from triggerfilm.transcripts.engines.faster_whisper import _load

    with pytest.raises(TriggerfilmError, match="cannot load Whisper model"):
        _load(str(tmp_path / "no-model"), 1)


def test_a_broken_manifest_stops_plan_with_exit_2(tmp_path):
    path = tmp_path / "film.yaml"
    path.write_text(textwrap.dedent("title: x\nclips: 3\n"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 2 and "film.yaml" in result.output


def test_a_notice_reads_as_one_line():
    assert str(Notice("cache", "redone", where="x.json")) == "cache: x.json: redone"


def test_review_of_a_broken_manifest_names_the_file(tmp_path):
    from triggerfilm.app import review_manifest
    from triggerfilm.errors import ManifestError

    path = tmp_path / "film.yaml"
    path.write_text("title: x\nclips: 3\n", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        review_manifest(path)
    assert Path(caught.value.where) == path and caught.value.line == 2


def test_passage_anchors_and_the_studio_playlist(project):
    from triggerfilm.editplan.passage import anchor_resolves, from_anchor, word_range, words_text
    from triggerfilm.editplan.playlist import playlist

    _, _, material, timeline = project
    words = material["a"].transcript.words
    first, last = word_range(words, 0.0, 2.6) or (None, None)
    assert (first, last) == (0, 4)
    assert words_text(words[first : last + 1]) == "The nights were the worst"
    start = from_anchor(words, first, last)
    assert isinstance(start, str) and anchor_resolves(words, start, first, "from", 0.0)
    entries = playlist(timeline)
    assert [e.kind for e in entries].count("cut") >= 1
    cut = next(e for e in entries if e.kind == "cut")
    assert cut.source_out > cut.source_in and cut.clip == "a"


def test_alignment_problem_only_for_a_poorly_matched_verbatim_text():
    from triggerfilm.transcripts.checked import alignment_problem

    assert alignment_problem(_transcript()) is None  # no verbatim text: nothing to distrust


def test_render_outputs_never_replace_an_input_and_scratch_is_removed(tmp_path):
    from triggerfilm.media.ffmpeg import RenderError
    from triggerfilm.render.outputs import locked_output_folder, refuse_overwriting_inputs
    from triggerfilm.render.workspace import run_folder

    source = tmp_path / "film.mp4"
    source.write_bytes(b"x")
    with pytest.raises(RenderError, match="would write film.mp4 over"):
        refuse_overwriting_inputs(tmp_path, ["film.mp4"], [source])
    out = tmp_path / "out" / "new"
    with pytest.raises(RuntimeError), locked_output_folder(out):
        raise RuntimeError("the render failed")
    assert not (tmp_path / "out").exists()  # a folder made for a failed render is removed
    with run_folder() as scratch:
        (scratch / "seg.ass").write_text("x")
    assert not scratch.exists()


def test_the_studio_accepts_only_its_own_host_names():
    from triggerfilm.studio.security import allowed_hosts

    assert allowed_hosts("127.0.0.1", 8765) == {"127.0.0.1:8765", "localhost:8765"}
    assert allowed_hosts("::1", 80) >= {"[::1]:80", "localhost:80"}


def test_the_openai_engine_skips_silence_like_faster_whisper():
    import numpy as np

    from triggerfilm.transcripts.engines.openai_whisper import _speech_only

    speech, timeline = _speech_only(np.zeros(16000, dtype=np.float32))
    assert speech.size == 0 and timeline is None


def test_the_event_page_has_a_chapter_per_touchpoint(project):
    from triggerfilm.eventpack.page import chapters, event_page

    timeline = project[3]
    cues = build_captions(timeline, get_profile("default"))
    marks = chapters(timeline)
    assert [c.title for c in marks] == ["Nights", "Visiting"]
    files = event_page(timeline, cues, marks)
    assert "index.html" in files and "Visiting" in files["index.html"]


def test_an_exported_edit_reads_back_as_the_same_cuts(project, tmp_path):
    from triggerfilm.exports.otio_build import build_otio
    from triggerfilm.exports.read_edit import read_cuts

    timeline = project[3]
    edit = build_otio(timeline, (), None, None)
    cuts = read_cuts(edit, list(timeline.touchpoints), tmp_path / "film.otio")
    planned = [item for item in timeline.items if isinstance(item, Cut)]
    assert len(cuts) == len(planned)


def test_the_caption_qc_report_lists_each_finding(tmp_path):
    from triggerfilm.captions.check import check_subtitles
    from triggerfilm.captions.check.read import read_subtitles
    from triggerfilm.reports.caption_qc import caption_qc_html

    path = tmp_path / "film.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:01,100\nToo quick to read\n", encoding="utf-8")
    report = check_subtitles(path, "default")
    page = caption_qc_html(report, read_subtitles(path).cues, get_profile("default"))
    assert report.findings and all(f.rule in page for f in report.findings)
