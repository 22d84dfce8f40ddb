"""The studio's use cases on a copy of the demo: passages chosen by words, written as quotes or
times, moved, trimmed and removed through the comment-preserving editor, and never over an edit
made on disk meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import demo_copy
from triggerfilm.app import board
from triggerfilm.app.target import Target
from triggerfilm.app.workspace import open_workspace
from triggerfilm.editplan.passage import words_text
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest

# Each test opens the demo workspace, which transcribes the sample clips on a cold cache.
pytestmark = pytest.mark.slow

COMMENTS = (
    "# Demo trigger film, built from the synthetic sample archive",
    "# Touchpoints in care-pathway order: admission, nights on the unit, going home.",
    '# Selected by time: "When he went home ... recovery takes so long."',
)


def _find(words, phrase: str, occurrence: int = 0) -> tuple[int, int]:
    """Word indexes of the n-th place ``phrase`` is said."""
    wanted = phrase.lower().split()
    clean = [w.clean.lower().strip(".,?!") for w in words]
    places = [i for i in range(len(clean)) if clean[i : i + len(wanted)] == wanted]
    start = places[occurrence]
    return start, start + len(wanted) - 1


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return demo_copy(tmp_path)


def _apply(path: Path, change) -> board.Saved:
    ws = open_workspace(path)
    return board.apply_change(ws, change, ws.sha256)


def test_a_passage_chosen_by_words_is_written_as_quotes_that_find_those_words(manifest) -> None:
    ws = open_workspace(manifest)
    words = ws.transcripts["icu03"].words
    first, _ = _find(words, "The night nurses were busy")
    _, last = _find(words, "when I could finally drink")
    saved = board.apply_change(
        ws, board.AddPassage(1, "icu03", first, last, valence="positive"), ws.sha256
    )
    assert "Nights on the unit" in saved.summary
    added = load_manifest(manifest).touchpoints[1].selections[-1]
    assert added.start.quote and added.end.quote  # readable, editable text
    assert added.valence == "positive"
    after = open_workspace(manifest)
    assert after.sha256 == saved.sha256
    passage = after.touchpoints[1].passages[-1].resolved
    assert passage is not None and passage.words == (first, last)
    assert passage.text == words_text(words[first : last + 1])
    text = manifest.read_text(encoding="utf-8")
    assert all(comment in text for comment in COMMENTS)


def test_words_said_twice_are_written_as_times_with_the_same_padding(manifest) -> None:
    ws = open_workspace(manifest)
    words = ws.transcripts["icu03"].words
    first, last = _find(words, "cup of tea", occurrence=1)  # "the best cup of tea of my life"
    board.apply_change(ws, board.AddPassage(2, "icu03", first, last), ws.sha256)
    added = load_manifest(manifest).touchpoints[2].selections[-1]
    # "cup of tea" from the start of the clip finds the first cup: the start is a time, padded
    # outside the words but never into the neighbouring one (the cut sheet's rule). From there
    # on the words are unique, so the end may stay a quote.
    assert added.start.seconds is not None
    assert words[first - 1].end <= added.start.seconds <= words[first].start
    passage = open_workspace(manifest).touchpoints[2].passages[-1].resolved
    assert passage is not None and passage.words == (first, last)


def test_reorder_move_trim_and_remove_keep_the_comments(manifest) -> None:
    _apply(manifest, board.MovePassage(2, 3, 2, 0))  # last passage of "Going home" first
    m = load_manifest(manifest)
    assert [s.clip for s in m.touchpoints[2].selections] == ["icu15", "icu21", "icu12", "icu03"]
    _apply(manifest, board.MovePassage(0, 0, 1, 1))  # between touchpoints
    m = load_manifest(manifest)
    assert [s.clip for s in m.touchpoints[0].selections] == ["icu12", "icu21"]
    assert [s.clip for s in m.touchpoints[1].selections] == ["icu03", "icu07", "icu07", "icu15"]

    # Trimmed to sentence ends, where there is a pause for the cut to settle into: "The nights
    # were the worst part. I was sure ... held my hand. She told me ..." loses its first and
    # last sentences. (Inside continuous speech the safe-cut rule keeps a cut in silence.)
    before = open_workspace(manifest).touchpoints[1].passages[2].resolved
    assert before is not None and before.words is not None
    assert before.text.startswith("The nights were the worst part.")
    _apply(manifest, board.TrimPassage(1, 2, "from", 6))
    _apply(manifest, board.TrimPassage(1, 2, "to", -14))
    after = open_workspace(manifest).touchpoints[1].passages[2].resolved
    assert after is not None and after.words == (before.words[0] + 6, before.words[1] - 14)
    assert after.text.startswith("I was sure") and after.text.endswith("held my hand.")

    _apply(manifest, board.SetPassage(1, 0, valence="mixed", note="ask about the beeps"))
    selection = load_manifest(manifest).touchpoints[1].selections[0]
    assert (selection.valence, selection.note) == ("mixed", "ask about the beeps")
    _apply(manifest, board.RemovePassage(1, 0))
    assert len(load_manifest(manifest).touchpoints[1].selections) == 3
    text = manifest.read_text(encoding="utf-8")
    assert all(comment in text for comment in COMMENTS)
    assert "\n\n  - title: Going home" in text  # touchpoints still a blank line apart


def test_touchpoints_are_added_renamed_moved_and_removed(manifest) -> None:
    _apply(manifest, board.AddTouchpoint("Waiting for news", "Results and delays", at=1))
    ws = open_workspace(manifest)
    assert [t.title for t in ws.touchpoints][:2] == [
        "Coming into intensive care",
        "Waiting for news",
    ]
    assert any(w.code == "empty-touchpoint" for w in ws.plan.warnings)  # a plan in progress
    _apply(manifest, board.EditTouchpoint(1, "Waiting", "For results"))
    _apply(manifest, board.MoveTouchpoint(1, 3))
    m = load_manifest(manifest)
    assert [t.title for t in m.touchpoints][-1] == "Waiting"
    assert m.touchpoints[-1].description == "For results"
    _apply(manifest, board.RemoveTouchpoint(3))
    assert [t.title for t in load_manifest(manifest).touchpoints] == [
        "Coming into intensive care", "Nights on the unit", "Going home",
    ]  # fmt: skip
    with pytest.raises(TriggerfilmError, match="still has passages"):
        _apply(manifest, board.RemoveTouchpoint(0))


def test_an_edit_on_disk_meanwhile_is_never_overwritten(manifest) -> None:
    ws = open_workspace(manifest)  # the page loads this version
    disk = manifest.read_text(encoding="utf-8").replace(
        "title: Going home", "title: Going home again"
    )
    manifest.write_text(disk, encoding="utf-8")  # someone edits the file meanwhile
    with pytest.raises(board.ManifestChanged) as caught:
        board.apply_change(ws, board.RemovePassage(0, 0), ws.sha256)
    assert manifest.read_text(encoding="utf-8") == disk  # their edit stands, untouched
    assert "-  - title: Going home\n+  - title: Going home again" in caught.value.diff
    # Made again on the version now on disk, the change keeps both edits.
    fresh = open_workspace(manifest)
    board.apply_change(fresh, board.RemovePassage(0, 0), caught.value.current_sha256)
    m = load_manifest(manifest)
    assert m.touchpoints[2].title == "Going home again"
    assert [s.clip for s in m.touchpoints[0].selections] == ["icu12", "icu21"]


def test_impossible_changes_are_refused_with_a_reason(manifest) -> None:
    ws = open_workspace(manifest)
    original = manifest.read_bytes()
    for change, message in (
        (board.AddPassage(9, "icu03", 0, 3), "no touchpoint 10"),
        (board.AddPassage(0, "nobody", 0, 3), "no clip"),
        (board.AddPassage(0, "icu03", 5, 99999), "not in clip"),
        (board.SetPassage(0, 0, valence="furious"), "valence"),
        (board.TrimPassage(0, 0, "from", 500), "cannot be trimmed"),
        (board.AddTouchpoint("   "), "needs a title"),
    ):
        with pytest.raises(TriggerfilmError, match=message):
            board.apply_change(ws, change, ws.sha256)
    assert manifest.read_bytes() == original


def test_an_end_moves_by_frames_as_a_time(manifest) -> None:
    before = open_workspace(manifest).touchpoints[0].passages[0].resolved  # ends in a pause
    _apply(manifest, board.NudgePassage(0, 0, "to", -2))
    after = open_workspace(manifest).touchpoints[0].passages[0].resolved
    assert before is not None and after is not None
    assert after.source_out == pytest.approx(before.source_out - 2 / 25, abs=1e-6)
    assert after.source_in == before.source_in
    selection = load_manifest(manifest).touchpoints[0].selections[0]
    assert selection.start.quote == "I went in for an operation"  # the other end as written
    assert selection.end.seconds == pytest.approx(after.source_out, abs=0.005)


def test_a_search_hit_in_an_archive_clip_not_yet_used_is_added_with_its_clip(tmp_path) -> None:
    from tests.conftest import CLIPS, DEMO
    from triggerfilm.app import search_clips
    from triggerfilm.editplan.search import SearchQuery

    open_workspace(DEMO)  # every sample clip transcribed (from the cache when it can)
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        f"""# A film of one clip so far.
title: Going home
archives:
  sample: {CLIPS}
clips:
  - {{id: icu03, archive: sample, clip: ICU03-01}}
touchpoints:
  - title: Going home
    selections:
      - {{clip: icu03, from: "The follow-up clinic helped", to: "what had happened to me"}}
""",
        encoding="utf-8",
    )
    hits = search_clips(SearchQuery("shock"), Target(manifest=manifest))
    pick = next(n for n, h in enumerate(hits, 1) if h.archive_clip == "ICU21-01" and h.span)
    ws = open_workspace(manifest)
    saved = board.apply_change(ws, board.AddHit("shock", pick, 0, "negative"), ws.sha256)
    assert "Added icu2101" in saved.summary
    m = load_manifest(manifest)
    assert [c.archive_clip for c in m.clips] == ["ICU03-01", "ICU21-01"]
    added = m.touchpoints[0].selections[-1]
    assert (added.clip, added.valence) == ("icu2101", "negative")
    added_view = open_workspace(manifest).touchpoints[0].passages[-1].resolved
    assert added_view is not None and "Going home was a" in added_view.text
    assert manifest.read_text(encoding="utf-8").startswith("# A film of one clip so far.")


def test_the_studio_says_what_is_wrong_with_a_manifest_and_recovers(tmp_path) -> None:
    from tests.studio_server import request, running_studio

    manifest = demo_copy(tmp_path)
    good = manifest.read_text(encoding="utf-8")
    with running_studio(manifest, tmp_path / "out") as server:
        # A quote that is not said: the board still opens, with the problem and no times.
        manifest.write_text(good.replace("fell over in the kitchen", "flew to the moon"))
        status, _, body = request(server, "/api/board")
        data = __import__("json").loads(body)
        assert status == 200
        assert "touchpoints[2].selections[0].to" in data["problem"]
        assert "flew to the moon" in data["problem"] and data["plan"] is None
        assert data["touchpoints"][2]["passages"][0]["seconds"] is None
        # Broken YAML: a page naming the file and line, not a traceback.
        manifest.write_text(good.replace("title: Going home", "title: [Going home"))
        status, _, body = request(server, "/")
        assert status == 500
        assert b"demo.yaml:" in body and b"Traceback" not in body
        status, _, body = request(server, "/api/board")
        assert status == 500 and "demo.yaml:" in __import__("json").loads(body)["error"]
        manifest.write_text(good)  # fixed in the editor: the studio follows
        assert request(server, "/")[0] == 200


def test_a_refused_clip_is_marked_wherever_it_appears(tmp_path) -> None:
    from tests.conftest import CLIPS
    from tests.studio_server import request, running_studio

    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        f"""title: Local film
clips:
  - {{id: home, media: {CLIPS / "ICU21-01.mp4"}, narrator: LOC01}}
touchpoints:
  - title: Going home
    selections:
      - {{clip: home, from: "Going home was a shock", to: "fell over in the kitchen"}}
""",
        encoding="utf-8",
    )
    with running_studio(manifest, tmp_path / "out") as server:
        data = __import__("json").loads(request(server, "/api/board")[2])
        assert data["refused"] == ["home"]
        assert data["touchpoints"][0]["passages"][0]["refused"] is True
        assert b"Refused" in request(server, "/clips")[2]
        assert b"Consent refused" in request(server, "/clips/home")[2]
        consent = request(server, "/consent?use=training")[2].decode()
        assert "may not be shown at the training" in consent and "LOC01" in consent
        assert '"refused":["home"]' in request(server, "/preview")[2].decode()


def test_archive_clips_not_in_the_film_are_listed_and_can_be_added(tmp_path) -> None:
    from tests.conftest import CLIPS
    from tests.studio_server import request, running_studio

    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        f"""title: Two clips so far
archives:
  sample: {CLIPS}
clips:
  - {{id: icu03, archive: sample, clip: ICU03-01}}
  - {{id: icu21, archive: sample, clip: ICU21-01}}
touchpoints:
  - title: Going home
    selections:
      - {{clip: icu03, from: "The follow-up clinic helped", to: "what had happened to me"}}
""",
        encoding="utf-8",
    )
    ws = open_workspace(manifest)
    assert [c.clip.id for c in ws.archive_clips] == ["ICU07-01", "ICU12-01", "ICU15-01"]
    with running_studio(manifest, tmp_path / "out") as server:
        page = request(server, "/clips")[2].decode()
        assert "In the archive, not yet in this film" in page and "ICU12-01" in page
        # Who narrates it, as the catalogue publishes them.
        row = "<td>ICU12</td>\n      <td>daughter of a patient, 50s</td>\n      <td>family member</td>"
        assert row in page
        board.apply_change(ws, board.DeclareClip("sample", "ICU12-01"), ws.sha256)
        after = open_workspace(manifest)
        assert [c.archive_clip for c in after.clips] == ["ICU03-01", "ICU21-01", "ICU12-01"]
        assert [c.clip.id for c in after.archive_clips] == ["ICU07-01", "ICU15-01"]
        assert request(server, f"/clips/{after.clips[-1].id}")[0] == 200
    with pytest.raises(TriggerfilmError, match="not one to add"):
        board.apply_change(after, board.DeclareClip("sample", "ICU12-01"), after.sha256)
