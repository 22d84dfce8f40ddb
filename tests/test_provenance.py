"""The provenance record beside a film, `verify`, and the same timeline from the same inputs."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from consent_project import make_project, planned  # noqa: E402
from triggerfilm.captions.profiles import get_profile  # noqa: E402
from triggerfilm.cli import cli  # noqa: E402
from triggerfilm.editplan.timeline import Cut  # noqa: E402
from triggerfilm.reports.provenance import (  # noqa: E402
    PROVENANCE_NAME,
    provenance_record,
    timeline_sha256,
    verify_folder,
    write_provenance,
)
from triggerfilm.transcripts.options import TranscribeOptions  # noqa: E402


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    manifest = make_project(tmp_path_factory.mktemp("provenance"))
    prepared, timeline = planned(manifest)
    return manifest, prepared, timeline


def _record(prepared, timeline):
    return provenance_record(
        prepared.manifest,
        timeline,
        sources=prepared.sources,
        transcripts=prepared.transcripts,
        transcribe_options=TranscribeOptions(),
        caption_profile=get_profile(timeline.caption_profile),
    )


@pytest.mark.slow
def test_record_lists_every_used_clip(project) -> None:
    manifest, prepared, timeline = project
    record = _record(prepared, timeline)
    assert record["manifest"] == {"path": str(manifest), "sha256": _sha(manifest)}
    assert record["timeline_sha256"] == timeline_sha256(timeline)
    assert [c["id"] for c in record["clips"]] == ["icu07", "loc01", "icu15"]
    by_id = {c["id"]: c for c in record["clips"]}

    icu07 = by_id["icu07"]
    source = manifest.parent / "archive" / "ICU07-01.mp4"
    assert icu07["source"] == icu07["path"] == str(source)
    assert icu07["sha256"] == _sha(source)
    assert icu07["archive"]["clip"] == "ICU07-01"
    assert icu07["permission"]["basis"] == "Archive permission ref TA-7"
    assert icu07["permission"]["uses"] == ["staff-event", "patient-event", "joint-event"]
    (cut,) = icu07["cuts"]
    assert cut["from"] == "The nights were the worst part" and cut["to"] == 24.7
    assert cut["touchpoint"] == "Nights on the unit"
    assert "worst part" in cut["spoken"].lower()
    # In/out are the timeline cut's, on the frame grid.
    timeline_cut = next(i for i in timeline.items if isinstance(i, Cut) and i.clip_id == "icu07")
    assert cut["in"] == pytest.approx(timeline_cut.source_in)
    assert cut["out"] == pytest.approx(timeline.source_out(timeline_cut))
    assert cut["out"] == pytest.approx(24.7, abs=0.5 / 25)

    loc01 = by_id["loc01"]
    assert loc01["kind"] == "local" and loc01["sha256"] == _sha(Path(loc01["path"]))
    assert loc01["permission"] == {
        "basis": "CF-014",
        "basis_from": "manifest",
        "uses": ["patient-event", "joint-event"],
        "expires": "2030-12-31",
        "withdrawn": False,
        "approved_clips": True,
    }
    # 0.5 s is frame 12.5, which rounds to even: frame 12, 0.48 s.
    assert (loc01["cuts"][0]["in"], loc01["cuts"][0]["out"]) == (0.48, 4.0)

    assert record["transcription"]["engine"] == "faster-whisper"
    assert record["transcription"]["model"] == "bundled"
    assert by_id["icu15"]["transcript"]["engine"] == "faster-whisper"
    assert record["caption_profile"]["name"] == "default"
    assert record["caption_profile"]["settings"]["max_lines"] == 2
    versions = record["versions"]
    assert versions["triggerfilm"] and versions["pillow"] and versions["ffmpeg"]


@pytest.mark.slow
def test_same_inputs_give_the_same_timeline_and_record(project) -> None:
    manifest, prepared, timeline = project
    again_prepared, again = planned(manifest)
    assert again.to_dict() == timeline.to_dict()
    assert timeline_sha256(again) == timeline_sha256(timeline)
    first = json.dumps(_record(prepared, timeline), sort_keys=True)
    assert json.dumps(_record(again_prepared, again), sort_keys=True) == first


@pytest.mark.slow
def test_verify_reports_drift(project, tmp_path: Path) -> None:
    manifest, prepared, timeline = project
    out = tmp_path / "out"
    out.mkdir()
    (out / "timeline.json").write_text(json.dumps(timeline.to_dict(), indent=1))
    path = write_provenance(out, _record(prepared, timeline))
    assert path == out / PROVENANCE_NAME
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["outputs"] == {"timeline.json": _sha(out / "timeline.json")}

    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 0, result.output
    assert "all 5 files match" in result.output  # 3 sources, the manifest, timeline.json

    # Change a source and an output: both are reported, with what changed.
    local = Path(written["clips"][1]["path"])
    original = local.read_bytes()
    try:
        local.write_bytes(original + b"\0")
        (out / "timeline.json").write_text("{}")
        report = verify_folder(out)
        assert not report.ok
        assert [(d.kind, d.name) for d in report.drift] == [
            ("source", "loc01"),
            ("output", "timeline.json"),
        ]
        assert report.drift[0].found == _sha(local)
        result = CliRunner().invoke(cli, ["verify", str(out)])
        assert result.exit_code == 1
        assert "source loc01: changed" in result.output
        local.unlink()
        assert "source loc01: missing" in verify_folder(out).to_text()
    finally:
        local.write_bytes(original)


def test_verify_without_a_record(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert result.exit_code == 2
    assert "no provenance record" in result.output
    (tmp_path / PROVENANCE_NAME).write_text('{"clips": 3}')
    broken = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert broken.exit_code == 2 and "not a provenance record" in broken.output


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda path: path.mkdir(), "is a directory, not a JSON file"),
        (lambda path: path.write_text("[]"), "is a JSON array, not a JSON object"),
        (lambda path: path.write_text('{"clips": [], "manifest": {"path": "m.yaml", '
                                      '"sha256": "0"}, "signoffs": 3}'), "malformed field"),
    ],
)  # fmt: skip
def test_verify_names_a_damaged_record_with_exit_2(tmp_path: Path, make, said: str) -> None:
    make(tmp_path / PROVENANCE_NAME)
    result = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert said in result.output and str(tmp_path / PROVENANCE_NAME) in result.output
    assert "render the film again" in result.output  # what to do about it
