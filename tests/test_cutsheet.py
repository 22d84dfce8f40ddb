"""The cut sheet round trip: write, tick, apply, and the film holds exactly what was ticked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm import app
from triggerfilm.app import selecting
from triggerfilm.cli import cli
from triggerfilm.editplan.cutsheet import parse_cutsheet
from triggerfilm.editplan.sentences import sentences, words_inside
from triggerfilm.editplan.timeline import Cut
from triggerfilm.errors import ManifestError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.manifest.rewrite import slug
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import demo_copy


def _set(sheet: str, clip: str, index: int, tag: str | None) -> str:
    """Tick (with ``tag``) or untick the ``index``-th sentence line of ``clip``'s section."""
    lines = sheet.split("\n")
    section, seen = None, -1
    for i, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if section == clip and line.startswith("- ["):
            seen += 1
            if seen == index:
                line = re.sub(r"^- \[.\]", "- [x]" if tag else "- [ ]", line)
                lines[i] = re.sub(r"#tp:\S*$", f"#tp:{tag or '?'}", line)
                return "\n".join(lines)
    raise AssertionError(f"no sentence {index} for {clip}")


def _plan(path: Path):
    prepared = app.prepare(path)
    app.transcribe_all(prepared, TranscribeOptions())
    return prepared, app.plan(prepared)


@pytest.mark.slow
def test_round_trip_selects_exactly_the_ticked_sentences(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    before = path.read_text(encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["cutsheet", str(path), "-o", str(tmp_path / "sheet.md")])
    assert result.exit_code == 0, result.output
    sheet = (tmp_path / "sheet.md").read_text(encoding="utf-8")
    # The manifest's own selections arrive ticked with their touchpoints.
    assert "#tp:coming-into-intensive-care" in sheet and "- [x]" in sheet
    nights, home = slug("Nights on the unit"), slug("Going home")

    # icu03: keep sentences 0-2 for nights and add 3-4 (adjacent: one selection, new times);
    # icu21: untick sentence 2 of the admission passage; and tick a sentence for Going home
    # that no other Going home sentence touches (so it becomes a new selection).
    ticked = _set(_set(sheet, "icu03", 3, nights), "icu03", 4, nights)
    ticked = _set(ticked, "icu21", 3, None)
    lines = parse_cutsheet(ticked, "sheet.md")
    lone = next(
        (ln.clip, sum(o.clip == ln.clip for o in lines[:i]))
        for i, ln in enumerate(lines)
        if ln.clip not in ("icu03", "icu21")
        and not ln.ticked
        and all(
            not (o.ticked and o.tag == home and o.clip == ln.clip)
            for o in lines[max(i - 1, 0) : i + 2]
        )
    )
    ticked = _set(ticked, lone[0], lone[1], home)
    (tmp_path / "ticked.md").write_text(ticked, encoding="utf-8")
    result = runner.invoke(cli, ["cutsheet", str(path), "--apply", str(tmp_path / "ticked.md")])
    assert result.exit_code == 0, result.output

    after = path.read_text(encoding="utf-8")
    manifest = load_manifest(path)  # still a valid manifest
    for comment in ("# Touchpoints in care-pathway order", "# Selected by time", "credits:"):
        assert comment in after
    # Untouched selections keep their quotes; changed ones keep valence and position.
    assert '"The nights were the worst part"' in after
    tp_nights = manifest.touchpoints[1].selections
    assert [s.clip for s in tp_nights] == ["icu03", "icu07", "icu15"]
    assert tp_nights[0].valence == "negative" and tp_nights[0].start.seconds is not None
    home_clips = [s.clip for s in manifest.touchpoints[2].selections]
    assert home_clips == ["icu21", "icu12", "icu03", "icu15", lone[0]]

    # The film now holds, per clip and touchpoint, exactly the words of the ticked sentences.
    prepared, timeline = _plan(path)
    tags = {slug(t.title): i for i, t in enumerate(manifest.touchpoints)}
    lines = parse_cutsheet(ticked, "ticked.md")
    for clip, transcript in prepared.transcripts.items():
        said = sentences(transcript)
        clip_lines = [ln for ln in lines if ln.clip == clip]
        assert len(clip_lines) == len(said)
        for t in tags.values():
            cuts = [
                c
                for c in timeline.items
                if isinstance(c, Cut) and c.clip_id == clip and c.touchpoint == t
            ]
            for line, sentence in zip(clip_lines, said, strict=True):
                held = sum(
                    words_inside(sentence, c.source_in, timeline.source_out(c)) for c in cuts
                )
                wanted = line.ticked and tags[line.tag] == t
                assert held == (len(sentence.words) if wanted else 0), (clip, t, line.text)

    # Writing the sheet again gives back the ticked sheet: nothing was lost or invented.
    runner.invoke(cli, ["cutsheet", str(path), "-o", str(tmp_path / "again.md")])
    assert (tmp_path / "again.md").read_text(encoding="utf-8") == ticked
    assert before != after


@pytest.mark.slow
def test_unchanged_sheet_leaves_the_manifest_byte_for_byte(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    before = path.read_bytes()
    sheet = selecting.write_cutsheet_file(path, tmp_path / "sheet.md")
    report = selecting.apply_cutsheet_file(path, sheet)
    assert report.changed == ()
    assert path.read_bytes() == before


@pytest.mark.slow
def test_ticked_line_without_touchpoint_names_its_line(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    before = path.read_bytes()
    sheet = selecting.write_cutsheet_file(path, tmp_path / "sheet.md")
    text = sheet.read_text(encoding="utf-8")
    bad = re.sub(r"^- \[ \](.*)#tp:\?$", r"- [x]\1#tp:?", text, count=1, flags=re.M)
    sheet.write_text(bad, encoding="utf-8")
    line = next(
        i
        for i, ln in enumerate(bad.splitlines(), 1)
        if ln.startswith("- [x]") and ln.endswith("#tp:?")
    )
    with pytest.raises(ManifestError) as caught:
        selecting.apply_cutsheet_file(path, sheet)
    assert caught.value.line == line
    assert "#tp:going-home" in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.slow
def test_emptying_a_touchpoint_is_refused(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    before = path.read_bytes()
    sheet = selecting.write_cutsheet_file(path, tmp_path / "sheet.md")
    text = sheet.read_text(encoding="utf-8")
    emptied = re.sub(r"^- \[x\](.*)#tp:going-home$", r"- [ ]\1#tp:?", text, flags=re.M)
    sheet.write_text(emptied, encoding="utf-8")
    result = CliRunner().invoke(cli, ["cutsheet", str(path), "--apply", str(sheet)])
    assert result.exit_code == 2
    assert "'Going home' would have no selections" in result.output
    assert path.read_bytes() == before
