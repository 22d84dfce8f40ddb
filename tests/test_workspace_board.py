"""The studio's use cases on the tiny project, fast: the workspace a page shows, and every board
change written through the comment-preserving editor, never over an edit made on disk meanwhile.

The same use cases on the real demo interviews are in test_studio_board.py (slow).
"""

from __future__ import annotations

import pytest

from tests.tiny_project import tiny_project
from triggerfilm.app import board
from triggerfilm.app.workspace import open_workspace
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest

COMMENTS = (
    "# A tiny film for the fast tests.",
    "# Touchpoints in care-pathway order.",
    '# Selected by time: "Going home was hard."',
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    return tiny_project(tmp_path, monkeypatch)


def _apply(path, change) -> board.Saved:
    ws = open_workspace(path)
    return board.apply_change(ws, change, ws.sha256)


def test_the_workspace_resolves_every_passage_to_its_words(project) -> None:
    ws = open_workspace(project.manifest)
    assert ws.problem is None and ws.timeline is not None
    assert [c.id for c in ws.clips] == ["ward", "home"]
    ward = ws.clip("ward")
    assert (ward.narrator, ward.words, ward.consent, ward.selections) == ("Ann", 5, "ok", 1)
    assert ward.transcript == "whisper" and ward.duration == pytest.approx(2.4, abs=0.05)
    first, second = (tp.passages[0] for tp in ws.touchpoints)
    assert first.resolved is not None and second.resolved is not None
    assert first.resolved.text == "Nights were long. Nurses helped."
    assert first.resolved.words == (0, 4)
    assert (first.start, first.end) == ('"Nights were"', '"Nurses helped"')
    assert (second.start, second.end) == ("0.00 s", "1.50 s")
    # The time-selected passage holds exactly the words said inside its times.
    assert second.resolved.text == "Going home was hard."
    assert second.resolved.source_in == 0.0
    assert second.resolved.source_out == pytest.approx(1.52, abs=0.04)
    assert second.valence == "negative" and not second.refused
    assert ws.plan is not None and "Going home was hard." in ws.captions_vtt
    assert [e.clip for e in ws.playlist if e.clip] == ["ward", "home"]
    with pytest.raises(KeyError):
        ws.clip("nobody")


def test_a_passage_chosen_by_words_is_written_as_quotes_or_times(project) -> None:
    ws = open_workspace(project.manifest)
    saved = board.apply_change(ws, board.AddPassage(1, "ward", 0, 2, valence="mixed"), ws.sha256)
    assert "Going home" in saved.summary
    added = load_manifest(project.manifest).touchpoints[1].selections[-1]
    assert added.clip == "ward" and added.valence == "mixed"
    assert (added.start.quote, added.end.quote) == ("Nights were long.", "Nights were long.")
    after = open_workspace(project.manifest)
    assert after.sha256 == saved.sha256
    passage = after.touchpoints[1].passages[-1].resolved
    assert passage is not None and passage.words == (0, 2)
    assert passage.text == "Nights were long."
    # Two words are too few to quote: the ends are written as times around them.
    board.apply_change(after, board.AddPassage(1, "ward", 3, 4), after.sha256)
    added = load_manifest(project.manifest).touchpoints[1].selections[-1]
    assert added.start.seconds is not None and 1.30 <= added.start.seconds <= 1.55
    assert added.end.seconds is not None and 2.30 <= added.end.seconds <= 2.40
    added_view = open_workspace(project.manifest).touchpoints[1].passages[-1].resolved
    assert added_view is not None and added_view.text == "Nurses helped."
    assert all(comment in project.text() for comment in COMMENTS)


def test_passages_move_trim_nudge_and_go_keeping_the_comments(project) -> None:
    path = project.manifest
    _apply(path, board.MovePassage(1, 0, 0, 0))  # "Going home" first in the first touchpoint
    m = load_manifest(path)
    assert [s.clip for s in m.touchpoints[0].selections] == ["home", "ward"]
    assert m.touchpoints[1].selections == ()
    # The emptied list is written as `[]`; the comment above its old first passage goes with
    # that passage (written before the list, it would not be YAML).
    assert COMMENTS[2] not in project.text() and "selections: []" in project.text()
    assert all(comment in project.text() for comment in COMMENTS[:2])
    _apply(path, board.MovePassage(0, 0, 1, 0))  # and back
    before = open_workspace(path).touchpoints[0].passages[0].resolved
    _apply(path, board.TrimPassage(0, 0, "to", -2))  # "Nurses helped." goes
    after = open_workspace(path).touchpoints[0].passages[0].resolved
    assert before is not None and before.words is not None and after is not None
    assert after.words == (before.words[0], before.words[1] - 2)
    assert after.text == "Nights were long."
    _apply(path, board.NudgePassage(1, 0, "to", -1))
    nudged = open_workspace(path).touchpoints[1].passages[0].resolved
    assert nudged is not None
    assert nudged.source_out == pytest.approx(1.52 - 1 / 25, abs=1e-6)
    assert load_manifest(path).touchpoints[1].selections[0].end.seconds == pytest.approx(
        nudged.source_out, abs=0.005
    )
    _apply(path, board.SetPassage(0, 0, valence="mixed", note="ask about the nights"))
    selection = load_manifest(path).touchpoints[0].selections[0]
    assert (selection.valence, selection.note) == ("mixed", "ask about the nights")
    _apply(path, board.RemovePassage(1, 0))
    assert load_manifest(path).touchpoints[1].selections == ()
    text = project.text()
    assert all(comment in text for comment in COMMENTS[:2])


def test_touchpoints_are_added_renamed_moved_and_removed(project) -> None:
    path = project.manifest
    _apply(path, board.AddTouchpoint("  Waiting   for news ", "Results", at=1))
    ws = open_workspace(path)
    assert [t.title for t in ws.touchpoints] == [
        "Nights on the ward", "Waiting for news", "Going home",
    ]  # fmt: skip
    assert any(w.code == "empty-touchpoint" for w in ws.plan.warnings)
    _apply(path, board.EditTouchpoint(1, "Waiting", "For results"))
    _apply(path, board.MoveTouchpoint(1, 2))
    m = load_manifest(path)
    assert [t.title for t in m.touchpoints] == ["Nights on the ward", "Going home", "Waiting"]
    assert m.touchpoints[2].description == "For results"
    _apply(path, board.RemoveTouchpoint(2))
    assert [t.title for t in load_manifest(path).touchpoints] == [
        "Nights on the ward", "Going home",
    ]  # fmt: skip
    with pytest.raises(TriggerfilmError, match="still has passages"):
        _apply(path, board.RemoveTouchpoint(0))


def test_an_edit_on_disk_meanwhile_is_never_overwritten(project) -> None:
    path = project.manifest
    ws = open_workspace(path)
    disk = project.text().replace("title: Going home", "title: Going home again")
    path.write_text(disk, encoding="utf-8")
    with pytest.raises(board.ManifestChanged) as caught:
        board.apply_change(ws, board.RemovePassage(0, 0), ws.sha256)
    assert project.text() == disk
    assert "-  - title: Going home\n+  - title: Going home again" in caught.value.diff
    fresh = open_workspace(path)
    board.apply_change(fresh, board.RemovePassage(0, 0), caught.value.current_sha256)
    m = load_manifest(path)
    assert m.touchpoints[1].title == "Going home again" and m.touchpoints[0].selections == ()


def test_impossible_changes_are_refused_and_nothing_is_written(project) -> None:
    ws = open_workspace(project.manifest)
    original = project.manifest.read_bytes()
    for change, message in (
        (board.AddPassage(9, "ward", 0, 1), "no touchpoint 10"),
        (board.AddPassage(0, "nobody", 0, 1), "no clip"),
        (board.AddPassage(0, "ward", 3, 99), "not in clip"),
        (board.SetPassage(0, 0, valence="furious"), "valence"),
        (board.TrimPassage(0, 0, "from", 50), "cannot be trimmed"),
        (board.AddTouchpoint("   "), "needs a title"),
        (board.DeclareClip("nowhere", "X"), "nowhere"),
    ):
        with pytest.raises(TriggerfilmError, match=message):
            board.apply_change(ws, change, ws.sha256)
    assert project.manifest.read_bytes() == original


def test_a_quote_that_no_longer_matches_still_opens_with_the_problem(project) -> None:
    text = project.text().replace('to: "Nurses helped"', 'to: "flew to the moon"')
    project.manifest.write_text(text, encoding="utf-8")
    ws = open_workspace(project.manifest)
    assert ws.timeline is None and ws.plan is None
    assert "touchpoints[0].selections[0].to" in ws.problem and "flew to the moon" in ws.problem
    # No plan, so no words or times for any passage.
    assert all(p.resolved is None for tp in ws.touchpoints for p in tp.passages)


def test_a_search_hit_is_added_from_the_transcripts_the_page_searched(project) -> None:
    # The studio opened with another model (`studio --model tiny`) searches that model's
    # transcripts; adding hit number N must find the same hit N there, not search (or
    # transcribe) with the default model's words.
    from tests.tiny_project import seed_transcripts, transcript_of
    from triggerfilm.transcripts.checked import checked_cache_path
    from triggerfilm.transcripts.options import TranscribeOptions
    from triggerfilm.transcripts.store import cache_path, write_cached

    default = TranscribeOptions()
    chosen = TranscribeOptions(model="tiny" if default.model == "base" else "base")
    seed_transcripts(project.media, chosen)
    # Under the default model the ward clip "says" the other clip's words: no "nurses" there.
    wrong = transcript_of("home", default)
    write_cached(cache_path(project.media["ward"], default), wrong)
    write_cached(checked_cache_path(project.media["ward"], default, None), wrong)
    ws = open_workspace(project.manifest, chosen)
    saved = board.apply_change(ws, board.AddHit("nurses", 1, 1, "positive"), ws.sha256)
    assert "Added ward" in saved.summary
    added = load_manifest(project.manifest).touchpoints[1].selections[-1]
    # The sentence "Nurses helped." (said from 1.55 s to 2.30 s), with its cut points.
    assert added.clip == "ward" and added.start.seconds is not None
    assert added.end.seconds is not None
    assert 1.3 <= added.start.seconds <= 1.55 and 2.3 <= added.end.seconds <= 2.5
