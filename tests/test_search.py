"""Searching the sample archive and adding a hit to a manifest, keeping its comments."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm import app
from triggerfilm.app import selecting
from triggerfilm.app.target import Target
from triggerfilm.cli import cli
from triggerfilm.editplan.search import SearchQuery
from triggerfilm.editplan.sentences import sentences, words_inside
from triggerfilm.editplan.timeline import Cut
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import CLIPS, DEMO, demo_copy


@pytest.mark.slow
def test_search_manifest_finds_timed_whole_words() -> None:
    hits = selecting.search_clips(SearchQuery("nurse"), Target(manifest=DEMO))
    spoken = [h for h in hits if h.field in ("words", "verbatim")]
    assert spoken, hits
    for hit in spoken:
        assert hit.match.lower() == "nurse"  # never "nurses": whole words only
        assert hit.span is not None and hit.span.start < hit.span.end
        assert hit.narrator.startswith("ICU")
    assert {h.clip for h in spoken} >= {"icu21"}


@pytest.mark.slow
def test_regex_and_filters() -> None:
    regex = selecting.search_clips(SearchQuery(r"nurses?\b", regex=True), Target(manifest=DEMO))
    assert any(h.match.lower() == "nurses" for h in regex)
    family = selecting.search_clips(SearchQuery("the", role="family member"), Target(manifest=DEMO))
    assert family and {h.narrator for h in family} <= {"ICU12", "ICU15"}
    audio = selecting.search_clips(
        SearchQuery("home", media_type="audio-only"), Target(manifest=DEMO)
    )
    assert audio and {h.clip for h in audio} == {"icu15"}
    nights = selecting.search_clips(SearchQuery("unit", topic="nights"), Target(manifest=DEMO))
    assert nights and {h.narrator for h in nights} <= {"ICU03", "ICU07", "ICU15"}


@pytest.mark.slow
def test_verbatim_hit_is_located_in_the_recording() -> None:
    """The catalogue's words find a moment even where speech recognition misheard it."""
    hits = selecting.search_clips(SearchQuery("shock"), Target(archive=str(CLIPS)), transcribe=True)
    title = [h for h in hits if h.field == "title"]
    assert [h.clip for h in title] == ["ICU21-01"]
    said = [h for h in hits if h.field in ("verbatim", "words")]
    assert said, hits
    assert said[0].context.startswith("Going home was a")
    assert said[0].span is not None and said[0].span.start < said[0].span.end


@pytest.mark.slow
def test_search_cli_prints_clip_narrator_time_and_context() -> None:
    result = CliRunner().invoke(cli, ["search", "cup of tea", "--manifest", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "icu03 · ICU03 (woman, 40s, patient) · transcript at 0:" in result.output
    assert "[cup of tea]" in result.output
    assert "2 match(es)." in result.output


@pytest.mark.slow
def test_bad_regex_is_a_user_error() -> None:
    result = CliRunner().invoke(cli, ["search", "(unclosed", "--regex", "--archive", str(CLIPS)])
    assert result.exit_code == 2
    assert "not a valid regular expression" in result.output


@pytest.mark.slow
def test_add_appends_the_sentence_and_keeps_comments(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    before = path.read_text(encoding="utf-8")
    runner = CliRunner()
    ambiguous = runner.invoke(
        cli, ["search", "cup of tea", "--manifest", str(path), "--add", "Nights on the unit"]
    )
    assert ambiguous.exit_code == 2 and "--pick" in ambiguous.output
    assert path.read_text(encoding="utf-8") == before

    result = runner.invoke(
        cli,
        [
            "search",
            "cup of tea",
            "--manifest",
            str(path),
            "--add",
            "nights on the unit",
            "--pick",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    # Everything written before is still there, comments and quoting included.
    edits = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes()
    assert {op for op, *_ in edits} == {"equal", "insert"}
    inserted = [after.splitlines()[j1:j2] for op, _, _, j1, j2 in edits if op == "insert"]
    assert len(inserted) == 1
    added = inserted[0]
    assert added[0] == "      - clip: icu03"
    assert re.fullmatch(r" {8}from: \d+(\.\d+)?", added[1]), added
    assert re.fullmatch(r" {8}to: \d+(\.\d+)?", added[2]), added
    assert "# Selected by time" in after and '"Some nights she did not know"' in after

    manifest = load_manifest(path)
    nights = manifest.touchpoints[1].selections
    assert len(nights) == 4 and nights[-1].clip == "icu03"
    # The new selection covers exactly the sentence "It was the best cup of tea of my life."
    prepared = app.prepare(path)
    app.transcribe_all(prepared, TranscribeOptions())
    timeline = app.plan(prepared)
    said = sentences(prepared.transcripts["icu03"])
    tea = next(s for s in said if "best cup of tea" in s.text)
    cut = next(c for c in timeline.items if isinstance(c, Cut) and c.origin.endswith("[3]"))
    cut_out = timeline.source_out(cut)
    for s in said:
        expected = len(s.words) if s is tea else 0
        assert words_inside(s, cut.source_in, cut_out) == expected


@pytest.mark.slow
def test_add_declares_an_archive_clip_the_manifest_lacks(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(
        f"""title: Small film  # a comment to keep
archives:
  sample: {CLIPS}
clips:
  - {{id: icu03, archive: sample, clip: ICU03-01}}
touchpoints:
  - title: Going home
    selections:
      - {{clip: icu03, from: 34.9, to: 40.5, valence: positive}}
""",
        encoding="utf-8",
    )
    hits = selecting.search_clips(
        SearchQuery("support group"), Target(manifest=path), transcribe=True
    )
    spoken = [h for h in hits if h.span is not None]
    assert [h.clip for h in spoken] == ["sample:ICU21-01"]
    selecting.add_hit(path, "going home", spoken[0])
    manifest = load_manifest(path)
    assert [c.archive_clip for c in manifest.clips] == ["ICU03-01", "ICU21-01"]
    assert manifest.touchpoints[0].selections[-1].clip == manifest.clips[1].id
    assert "# a comment to keep" in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_add_to_an_unknown_touchpoint_lists_the_titles(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    hit = selecting.search_clips(SearchQuery("support group"), Target(manifest=path))[0]
    with pytest.raises(TriggerfilmError) as caught:
        selecting.add_hit(path, "Discharge", hit)
    assert "Going home" in str(caught.value)
