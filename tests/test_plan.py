"""The running order rule and the plan report, on the real sample archive."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm import app
from triggerfilm.app import selecting
from triggerfilm.cli import cli
from triggerfilm.editplan.ordering import interleave
from triggerfilm.editplan.timeline import Cut
from triggerfilm.errors import ManifestError
from triggerfilm.manifest.load import load_manifest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "manifests" / "demo.yaml"
CLIPS = ROOT / "clips"


def _first(item: str) -> str:
    return item[0]


def repeats(items, narrator) -> int:
    """How many neighbours in ``items`` share a narrator: what interleave must minimise."""
    keys = [narrator(item) for item in items]
    return sum(a == b for a, b in zip(keys, keys[1:], strict=False))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a1 b1 c1", "a1 b1 c1"),  # already interleaved: unchanged
        ("a1 a2 b1", "a1 b1 a2"),
        ("a1 a2 b1 b2", "a1 b1 a2 b2"),
        ("a1 b1 b2", "b1 a1 b2"),  # the only order without repeats
        # One repeat is unavoidable; the earliest order with only one keeps a2 in place.
        ("a1 a2 a3 b1", "a1 a2 b1 a3"),
        ("a1 a2 b1 c1 c2", "a1 b1 c1 a2 c2"),
    ],
)
def test_interleave_moves_as_little_as_needed(given: str, expected: str) -> None:
    result = interleave(given.split(), _first)
    assert " ".join(result) == expected


def test_interleave_is_optimal_and_a_permutation() -> None:
    rng = random.Random(4)
    for _ in range(300):
        # Up to 6 passages: every permutation is tried (7 would be 5040 of them, 300 times).
        items = [f"{rng.choice('abc')}{i}" for i in range(rng.randint(1, 6))]
        result = interleave(items, _first)
        assert sorted(result) == sorted(items)
        best = min(repeats(p, _first) for p in itertools.permutations(items))
        assert repeats(result, _first) == best, items
        # Stability: one narrator's own passages keep the facilitator's order.
        for who in "abc":
            mine = [x for x in items if x[0] == who]
            assert [x for x in result if x[0] == who] == mine


def _manifest(tmp_path: Path, touchpoints: str, name: str = "film.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        f"""title: Test film
output: {{card_seconds: 2}}
archives:
  sample: {CLIPS}
clips:
  - {{id: icu03, archive: sample, clip: ICU03-01}}
  - {{id: icu07, archive: sample, clip: ICU07-01}}
  - {{id: icu15, archive: sample, clip: ICU15-01}}
  - {{id: local, media: {CLIPS / "ICU21-01.mp4"}, narrator: LOC01}}
touchpoints:
{touchpoints}""",
        encoding="utf-8",
    )
    return path


SAME_NARRATOR_TWICE = """  - title: Nights
    {flag}selections:
      - {{clip: icu07, from: 18.5, to: 21.0, valence: negative}}
      - {{clip: icu07, from: 21.3, to: 24.7, valence: negative}}
      - {{clip: icu03, from: 0.1, to: 3.6, valence: negative}}
"""


def _cut_order(report) -> list[tuple[str, float]]:
    return [(r.cut.clip, r.cut.source_in) for r in report.rows if r.cut]


@pytest.mark.slow
def test_build_interleaves_narrators_unless_turned_off(tmp_path: Path) -> None:
    on = _manifest(tmp_path, SAME_NARRATOR_TWICE.format(flag=""), "on.yaml")
    report = selecting.plan_report(on)
    assert [c for c, _ in _cut_order(report)] == ["icu07", "icu03", "icu07"]
    # The second icu07 passage moved after icu03; the first kept its place.
    assert _cut_order(report)[0][1] == pytest.approx(18.52, abs=0.04)

    off = _manifest(
        tmp_path, SAME_NARRATOR_TWICE.format(flag="interleave: false\n    "), "off.yaml"
    )
    assert load_manifest(off).touchpoints[0].interleave is False
    assert [c for c, _ in _cut_order(selecting.plan_report(off))] == ["icu07", "icu07", "icu03"]


def test_interleave_must_be_true_or_false(tmp_path: Path) -> None:
    path = _manifest(tmp_path, SAME_NARRATOR_TWICE.format(flag="interleave: sometimes\n    "))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.field == "touchpoints[0].interleave"
    assert "true or false" in str(caught.value)


@pytest.mark.slow
def test_plan_table_for_the_demo() -> None:
    result = CliRunner().invoke(cli, ["plan", str(DEMO)])
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("Coming into intensive care", "Nights on the unit", "Going home"):
        assert title in out
    total = re.search(r"^Total\s+(\d\d):(\d\d)\s+([\d.]+) s\s+(\d+)\s+target 30:00", out, re.M)
    assert total, out
    demo = load_manifest(DEMO)
    assert int(total.group(4)) == sum(len(t.selections) for t in demo.touchpoints)
    shares = [float(s) for s in re.findall(r"^ICU\d\d\s+([\d.]+)%", out, re.M)]
    assert len(shares) == 5
    assert sum(shares) == pytest.approx(100, abs=0.3)
    assert "under the 30:00 target" in out  # the demo is a few minutes long
    assert "role: family member 2, patient 3" in out
    assert "media type: audio-only 1, video 4" in out
    # Running order rows: film times run on without gaps.
    assert "00:00–00:04" in out and "[card] Credits" in out


@pytest.mark.slow
def test_plan_json_matches_the_timeline() -> None:
    timeline = app.plan(_prepared(DEMO))
    # A target 5 % above the film's length: within 10 %, so no length warning.
    target = f"{timeline.duration * 1.05 / 60:.4f}"
    result = CliRunner().invoke(cli, ["plan", str(DEMO), "--format", "json", "--target", target])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_seconds"] == pytest.approx(timeline.duration)
    assert data["target_seconds"] == pytest.approx(float(target) * 60)
    assert len(data["rows"]) == len(timeline.items)
    cuts = [i for i in timeline.items if isinstance(i, Cut)]
    assert data["cut_seconds"] == pytest.approx(sum(c.frames for c in cuts) / timeline.fps)
    assert sum(n["share"] for n in data["narrators"]) == pytest.approx(1.0)
    # Touchpoint times (with their title cards) plus opening and credits make the total.
    cards = 2 * load_manifest(DEMO).output.card_seconds
    assert sum(t["seconds"] for t in data["touchpoints"]) + cards == pytest.approx(
        data["total_seconds"]
    )
    going_home = data["touchpoints"][2]
    assert going_home["valence"] == {"positive": 1, "negative": 2, "mixed": 1, "unmarked": 0}
    assert not [w for w in data["warnings"] if w["code"].endswith("target")]
    for row, nxt in itertools.pairwise(data["rows"]):
        assert row["film_out"] == pytest.approx(nxt["film_in"])


def _prepared(path: Path):
    from triggerfilm.transcripts.options import TranscribeOptions

    prepared = app.prepare(path)
    app.transcribe_all(prepared, TranscribeOptions())
    return prepared


@pytest.mark.slow
def test_plan_csv_lists_the_running_order() -> None:
    result = CliRunner().invoke(cli, ["plan", str(DEMO), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["kind"] for r in rows].count("cut") == 10
    assert rows[-1]["words"] == "Total"
    cut = next(r for r in rows if r["clip"] == "icu12" and r["touchpoint"] == "Going home")
    # Selected by time in the demo: the written times, on the 25 fps grid.
    selection = load_manifest(DEMO).touchpoints[2].selections[1]
    assert selection.start.seconds is not None and selection.end.seconds is not None
    assert float(cut["source_in"]) == pytest.approx(selection.start.seconds, abs=0.021)
    assert float(cut["source_out"]) == pytest.approx(selection.end.seconds, abs=0.021)


@pytest.mark.slow
def test_plan_warns_about_balance_dominance_and_length(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path,
        SAME_NARRATOR_TWICE.format(flag="")
        + """  - title: Home
    selections:
      - {clip: local, from: 18.4, to: 21.0, valence: positive}
""",
    )
    report = selecting.plan_report(path, target_minutes=0.2)
    codes = [w.code for w in report.warnings]
    assert "over-target" in codes
    assert (
        "all-negative" in codes
        and "'Nights'" in report.warnings[codes.index("all-negative")].message
    )
    assert "narrator-dominates" in codes  # ICU07 speaks for about half the film
    local = next(n for n in report.narrators if n.narrator == "LOC01")
    # A local clip has no catalogue entry: its narrator's details are unknown, not guessed.
    assert local.facts() == {"role": "unknown", "sex": "unknown", "age_band": "unknown"}
    assert report.representation["role"] == {"patient": 2, "unknown": 1}


@pytest.mark.slow
def test_local_clips_may_say_who_the_narrator_is(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path,
        """  - title: Home
    selections:
      - {clip: local, from: 18.4, to: 21.0, valence: positive}
""",
    )
    text = path.read_text(encoding="utf-8").replace(
        "narrator: LOC01}", "narrator: LOC01, role: family member, sex: female, age_band: 50-59}"
    )
    path.write_text(text, encoding="utf-8")
    report = selecting.plan_report(path)
    local = next(n for n in report.narrators if n.narrator == "LOC01")
    assert local.facts() == {"role": "family member", "sex": "female", "age_band": "50-59"}
    assert report.representation["role"] == {"family member": 1}

    path.write_text(text.replace("role: family member", "role: nurse"), encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert "clips[3].role" in str(caught.value) and "family member" in str(caught.value)
