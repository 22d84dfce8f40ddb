"""The archive index: built from the sample archive's real transcripts, searched by words (BM25,
phrases, prefixes, filters) and by meaning, updated incrementally, and the scan as a fallback."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.app import indexing
from triggerfilm.archiveindex import meaning
from triggerfilm.cli import cli
from triggerfilm.editplan.search import SearchQuery
from triggerfilm.store import cache_root
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import CLIPS, ROOT

# Themes a facilitator might search for, each written for one passage of the sample archive
# without its key words: (query, the clip that says it, words of that passage).
THEMES = [
    ("nobody explained what the alarms meant", "ICU03-01", ("beep", "told")),
    ("hallucinations and paranoia about the nurses", "ICU07-01", ("hurt",)),
    ("we were not prepared for how long getting better would take", "ICU12-01", ("recovery",)),
    ("relatives also need emotional support", "ICU15-01", ("families",)),
    ("being treated with dignity as a human being", "ICU21-01", ("person",)),
    ("kindness from a nurse during the night", "ICU07-01", ("hand",)),
    ("leaving hospital abruptly without a plan", "ICU21-01", ("plan", "tablets")),
]


def _copy_archive(folder: Path) -> Path:
    """The sample archive in a folder of its own, so its index is this test's alone (media
    content is the same, so the cached transcripts are reused)."""
    target = folder / "archive"
    shutil.copytree(CLIPS, target)
    return target


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = _copy_archive(tmp_path_factory.mktemp("indexed"))
    report = indexing.build_index(str(folder))
    assert report.added == 5 and report.clips == 5
    return folder


def _search(archive: Path, text: str, **filters) -> list:
    hits, from_index = indexing.search(SearchQuery(text, **filters), archive=str(archive))
    assert from_index
    return hits


@pytest.mark.slow
def test_index_is_one_sqlite_file_in_the_cache_with_fts5(archive):
    path = indexing.index_path(indexing.Target(archive=str(archive)), TranscribeOptions())
    assert path.parent == cache_root() / "index" and path.is_file()
    connection = sqlite3.connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"clips", "passages", "passages_fts", "vectors", "meaning_matrix"} <= tables
    fields = {row[0] for row in connection.execute("SELECT DISTINCT field FROM passages")}
    assert fields == {"title", "topics", "descriptor", "words", "verbatim"}
    timed = connection.execute(
        "SELECT count(*) FROM passages WHERE field = 'words' AND start < end"
    ).fetchone()[0]
    assert timed >= 30  # every sentence Whisper heard, with its cut points
    connection.close()
    assert not list(path.parent.glob(".*"))  # no staged copy or journal is left behind


@pytest.mark.slow
def test_words_phrases_and_prefixes(archive):
    tea = _search(archive, "cup of tea")
    assert tea and {h.clip for h in tea} == {"ICU03-01"}
    assert all(h.match.lower() == "cup of tea" for h in tea)
    spoken = [h for h in tea if h.field == "words"]
    assert spoken and all(h.span.start <= h.span.at < h.span.end for h in spoken)

    exact = _search(archive, "nurse")
    assert exact and all(h.match.lower() == "nurse" for h in exact)  # whole words only
    prefixed = _search(archive, "nurs*")
    assert {h.match.lower() for h in prefixed} >= {"nurse", "nurses"}
    assert len({h.clip for h in prefixed}) >= 3

    both = _search(archive, '"night" "nurses"')  # two phrases, any order, same sentence
    assert both and all(
        "night" in h.context.lower() and "nurses" in h.context.lower() for h in both
    )


@pytest.mark.slow
def test_bm25_puts_the_title_that_says_it_first(archive):
    hits = _search(archive, "shock")
    assert hits[0].clip == "ICU21-01"
    assert {h.field for h in hits} >= {"title"}


@pytest.mark.slow
def test_filters_by_role_topic_media_type_and_narrator(archive):
    family = _search(archive, "home", role="family member")
    assert family and {h.narrator for h in family} <= {"ICU12", "ICU15"}
    audio = _search(archive, "home", media_type="audio-only")
    assert audio and {h.clip for h in audio} == {"ICU15-01"}
    nights = _search(archive, "unit", topic="nights")
    assert nights and {h.narrator for h in nights} <= {"ICU03", "ICU07", "ICU15"}
    hits, _ = indexing.search(SearchQuery("home"), archive=str(archive), narrator="icu21")
    assert hits and {h.narrator for h in hits} == {"ICU21"}


@pytest.mark.slow
def test_the_scan_answers_when_there_is_no_index_and_finds_the_same_clips(archive, tmp_path):
    bare = _copy_archive(tmp_path)
    scanned, from_index = indexing.search(SearchQuery("nurse"), archive=str(bare))
    assert not from_index
    assert {h.clip for h in scanned} == {h.clip for h in _search(archive, "nurse")}


@pytest.mark.slow
def test_updates_only_what_changed(tmp_path):
    folder = _copy_archive(tmp_path)
    first = indexing.build_index(str(folder))
    assert (first.added, first.unchanged) == (5, 0)
    again = indexing.build_index(str(folder))
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert again.embedded == 0

    catalogue = folder / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    changed = text.replace(
        "It was the best cup of tea of my life.", "It was the finest cup of tea of my life."
    )
    catalogue.write_text(changed, encoding="utf-8")
    edited = indexing.build_index(str(folder))
    assert (edited.updated, edited.unchanged) == (1, 4)
    assert _search(folder, "finest")[0].clip == "ICU03-01"

    start = changed.index("  - id: ICU21-01")
    end = changed.find("\n  - id:", start + 1)
    catalogue.write_text(changed[:start] + (changed[end + 1 :] if end > 0 else ""), "utf-8")
    removed = indexing.build_index(str(folder))
    assert (removed.removed, removed.unchanged, removed.clips) == (1, 4, 4)
    assert not [h for h in _search(folder, "shock") if h.clip == "ICU21-01"]

    catalogue.write_text(changed, encoding="utf-8")
    added = indexing.build_index(str(folder))
    assert (added.added, added.unchanged) == (1, 4)


@pytest.mark.slow
@pytest.mark.parametrize("theme, clip, words", THEMES, ids=[t[0] for t in THEMES])
def test_theme_queries_rank_the_intended_passage_in_the_top_3(archive, theme, clip, words):
    if not meaning.available():
        pytest.skip("the sentence-embedding model is not installed (see docs/search.md)")
    hits, from_index = indexing.search(
        SearchQuery(theme), archive=str(archive), meaning=True, limit=3
    )
    assert from_index and len(hits) == 3
    assert all(h.span is not None and h.score is not None for h in hits)
    assert any(h.clip == clip and any(w in h.context.lower() for w in words) for h in hits), [
        (h.clip, h.context, h.score) for h in hits
    ]


@pytest.mark.slow
def test_meaning_search_without_an_index_says_what_to_run(tmp_path):
    bare = _copy_archive(tmp_path)
    result = CliRunner().invoke(cli, ["search", "--meaning", "fear", "--archive", str(bare)])
    assert result.exit_code == 2
    assert "triggerfilm index" in result.output and "Traceback" not in result.output


def test_search_needs_a_query_or_a_meaning():
    result = CliRunner().invoke(cli, ["search", "--archive", str(CLIPS)])
    assert result.exit_code == 2 and "--meaning" in result.output


@pytest.mark.slow
def test_index_and_search_commands(archive):
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Indexed 5 clip(s): 0 added, 0 updated, 0 removed, 5 unchanged" in result.output
    found = runner.invoke(cli, ["search", "nurs*", "--archive", str(archive), "--limit", "2"])
    assert found.exit_code == 0, found.output
    assert "2 match(es)." in found.output and "[nurse" in found.output.lower()
    themed = runner.invoke(
        cli, ["search", "--meaning", "fear at night", "--archive", str(archive), "--limit", "3"]
    )
    if meaning.available():
        assert themed.exit_code == 0, themed.output
        assert "similarity" in themed.output and "3 match(es)." in themed.output


def test_a_target_is_an_archive_or_a_manifest(tmp_path):
    from triggerfilm.app.indexing import Target

    assert Target.parse(str(CLIPS)).archive == str(CLIPS)
    assert Target.parse(str(CLIPS / "catalogue.yaml")).archive is not None
    assert Target.parse("https://archive.example.org/narratives/").archive is not None
    renamed = tmp_path / "national.yaml"
    renamed.write_bytes((CLIPS / "catalogue.yaml").read_bytes())
    assert Target.parse(str(renamed)).archive == str(renamed)
    demo = ROOT / "manifests" / "demo.yaml"
    assert Target.parse(str(demo)).manifest == demo
    assert Target.parse(str(tmp_path / "missing.yaml")).manifest is not None


@pytest.mark.slow
def test_an_index_of_another_version_or_encoder_is_refused_then_rebuilt(tmp_path):
    folder = _copy_archive(tmp_path)
    indexing.build_index(str(folder))
    path = indexing.index_path(indexing.Target(archive=str(folder)), TranscribeOptions())
    runner = CliRunner()

    # An index as the previous format left it: no meaning_matrix, schema 3.
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE meaning_matrix")
    connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    connection.commit()
    connection.close()
    for args in (["nurse"], ["--meaning", "fear at night"]):
        result = runner.invoke(cli, ["search", *args, "--archive", str(folder)])
        assert result.exit_code == 2, result.output
        assert "another version of triggerfilm" in result.output
        assert "triggerfilm index" in result.output and "Traceback" not in result.output
    rebuilt = indexing.build_index(str(folder))
    assert (rebuilt.added, rebuilt.unchanged) == (5, 0) and rebuilt.meaning
    assert _search(folder, "nurse")

    if not meaning.available():
        return
    # Vectors made by another encoder compare with no query of this one: search by meaning
    # refuses them, and the next update makes them anew while keeping every clip's passages.
    connection = sqlite3.connect(path)
    connection.execute("UPDATE meta SET value = 'another model' WHERE key = 'encoder'")
    connection.commit()
    connection.close()
    result = runner.invoke(cli, ["search", "--meaning", "fear", "--archive", str(folder)])
    assert result.exit_code == 2 and "another encoder" in result.output, result.output
    assert _search(folder, "nurse")  # search by words does not need the vectors
    again = indexing.build_index(str(folder))
    assert again.unchanged == 5 and again.embedded > 0 and again.meaning
    hits, _ = indexing.search(SearchQuery("fear at night"), archive=str(folder), meaning=True)
    assert hits and hits[0].score is not None

    # Not an index at all (a damaged file): refused the same way, then rebuilt.
    path.write_bytes(b"not a database" * 100)
    result = runner.invoke(cli, ["search", "nurse", "--archive", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert indexing.build_index(str(folder)).added == 5
