"""The consent ledger: manifest keys, defaults, problems, refusal, and withdrawal."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from consent_project import make_project  # noqa: E402
from triggerfilm.cli import cli  # noqa: E402
from triggerfilm.consent import (  # noqa: E402
    DEFAULT_ARCHIVE_USES,
    ConsentError,
    check_consent,
    refuse_unconsented,
)
from triggerfilm.consent.withdraw import withdraw  # noqa: E402
from triggerfilm.errors import ManifestError  # noqa: E402
from triggerfilm.manifest.load import load_manifest  # noqa: E402
from triggerfilm.sources.resolve import resolve_sources  # noqa: E402

TODAY = datetime.date(2026, 6, 1)


def test_consent_keys_are_read(tmp_path: Path) -> None:
    manifest = load_manifest(make_project(tmp_path))
    icu07, icu15, loc01 = manifest.clips
    assert icu07.consent is None
    assert icu15.consent.basis == "Letter 2025/3"
    assert icu15.consent.uses == ("joint-event", "training")
    assert icu15.consent.expires == datetime.date(2030, 1, 1)
    assert loc01.consent.approved_clips is True and loc01.consent.withdrawn is False
    assert loc01.consent.origin.field == "clips[2].consent"
    assert loc01.consent.origin.line == 17


@pytest.mark.parametrize(
    ("block", "field", "expected"),
    [
        (
            "{basis: CF-1, withdrawn_on: 2026-01-01}",
            "clips[0].consent.withdrawn_on",
            "one of basis",
        ),
        ("{basis: CF-1, uses: [joint]}", "clips[0].consent.uses[0]", "joint-event"),
        ("{basis: CF-1, expires: 31/12/2026}", "clips[0].consent.expires", "YYYY-MM-DD"),
        ('{basis: CF-1, expires: "2026-13-01"}', "clips[0].consent.expires", "YYYY-MM-DD"),
        ("{basis: CF-1, withdrawn: yes please}", "clips[0].consent.withdrawn", "true or false"),
        ("{basis: CF-1, uses: joint-event}", "clips[0].consent.uses", "a list"),
        ("CF-1", "clips[0].consent", "a mapping"),
    ],
)
def test_consent_keys_are_checked_strictly(
    tmp_path: Path, block: str, field: str, expected: str
) -> None:
    make_project(tmp_path)
    path = tmp_path / "bad.yaml"
    path.write_text(
        "title: Bad\nclips:\n  - id: loc\n    media: local/LOC01.mp4\n    narrator: LOC01\n"
        f"    consent: {block}\n"
        "touchpoints:\n  - title: T\n    selections:\n      - {clip: loc, from: 0, to: 2}\n",
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    error = caught.value
    assert error.field == field
    assert error.line == 6  # the consent line
    assert expected in str(error)
    assert str(path) in str(error)


def test_defaults_and_a_clean_ledger(tmp_path: Path) -> None:
    report = check_consent(load_manifest(make_project(tmp_path)), "joint-event", TODAY)
    assert report.ok, report.to_text()
    icu07 = report.entry("icu07")
    # No consent block: the catalogue's permission, for the three events.
    assert (icu07.basis, icu07.basis_from) == ("Archive permission ref TA-7", "catalogue")
    assert icu07.uses == DEFAULT_ARCHIVE_USES and icu07.uses_from == "default"
    assert report.entry("icu15").basis == "Letter 2025/3"
    text = report.to_text()
    assert "No problems" in text and "CF-014" in text and "[default]" in text


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = make_project(tmp_path, loc01_expires="2026-05-31")
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "{id: icu07, archive: ta, clip: ICU07-01}",
        "{id: icu07, archive: ta, clip: ICU07-01, consent: {withdrawn: true}}",
    )
    # A local clip nobody recorded consent for, used in the film, and one that is not used.
    text = text.replace(
        "touchpoints:",
        "  - {id: loc02, media: local/LOC01.mp4, narrator: LOC02}\n"
        "  - {id: loc03, media: local/LOC01.mp4, narrator: LOC03}\n"
        "touchpoints:",
    )
    text += "      - {clip: loc02, from: 5.0, to: 8.0}\n"
    path.write_text(text, encoding="utf-8")
    manifest = load_manifest(path)

    report = check_consent(manifest, "joint-event", TODAY)
    assert report.refused == ("icu07", "loc01", "loc02")
    codes = {(p.clip, p.code) for p in report.problems}
    assert codes == {("icu07", "withdrawn"), ("loc01", "expired"), ("loc02", "unknown")}
    # The day consent expires is still covered; the next day is not.
    assert "loc01" not in check_consent(manifest, "joint-event", datetime.date(2026, 5, 31)).refused
    assert "loc03" not in report.refused  # not in the film
    assert "not checked (not in the film)" in report.to_text()

    # Online use is covered by nobody; a local clip without approval is refused too.
    online = check_consent(manifest, "online", datetime.date(2026, 1, 1))
    assert {p.clip for p in online.problems if p.code == "not-covered"} == {
        "icu07",
        "icu15",
        "loc01",
    }

    with pytest.raises(ConsentError) as caught:
        refuse_unconsented(manifest, "joint-event", TODAY)
    message = str(caught.value)
    for expected in (
        "3 clip(s) may not be shown at a joint-event",
        "film.yaml:9: icu07 (ICU07): consent withdrawn",
        "loc01 (LOC01): consent expired on 2026-05-31",
        "loc02 (LOC02): no consent recorded",
        "Nothing was rendered",
    ):
        assert expected in message


def test_local_clip_needs_approval_of_its_clips(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("approved_clips: true", "approved_clips: false"),
        encoding="utf-8",
    )
    report = check_consent(load_manifest(path), "joint-event", TODAY)
    assert [(p.clip, p.code) for p in report.problems] == [("loc01", "not-approved")]
    # icu15's consent lists joint-event and training only; icu07 has the archive default.
    patient = check_consent(load_manifest(path), "patient-event", TODAY)
    assert {(p.clip, p.code) for p in patient.problems} == {
        ("loc01", "not-approved"),
        ("icu15", "not-covered"),
    }
    training = check_consent(load_manifest(path), "training", TODAY)
    assert training.refused == ("icu07", "loc01")


def test_consent_command(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    ok = CliRunner().invoke(cli, ["consent", str(path), "--date", "2026-06-01"])
    assert ok.exit_code == 0, ok.output
    assert "ok for joint-event" in ok.output
    refused = CliRunner().invoke(
        cli, ["consent", str(path), "--use", "online", "--format", "json", "--date", "2026-06-01"]
    )
    assert refused.exit_code == 2
    data = json.loads(refused.output)
    assert data["use"] == "online" and set(data["refused"]) == {"icu07", "icu15", "loc01"}
    assert data["entries"][1]["expires"] == "2030-01-01"


def test_withdraw_narrator_keeps_comments_and_lists_selections(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    before = path.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["withdraw", str(path), "--narrator", "LOC01"])
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    assert "# Consent test film: comments must survive a withdrawal." in after
    assert "media: local/LOC01.mp4   # the local interview" in after
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["      withdrawn: true"]
    assert load_manifest(path).clip("loc01").consent.withdrawn is True
    assert "Recorded withdrawal in film.yaml for: loc01." in result.output
    assert "Nights on the unit" in result.output
    assert "touchpoints[0].selections[1]: loc01 0.50 s – 4.00 s" in result.output
    assert "Going home" not in result.output
    # The film is refused until the selection goes.
    with pytest.raises(ConsentError, match="loc01 \\(LOC01\\): consent withdrawn"):
        refuse_unconsented(load_manifest(path), "joint-event", TODAY)


def test_withdraw_archive_clip_by_narrator_code_from_the_catalogue(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    outcome = withdraw(path, narrator="icu07")  # codes match in any case
    assert outcome.withdrawn == ("icu07",)
    assert "{id: icu07, archive: ta, clip: ICU07-01, consent: {withdrawn: true}}" in (
        path.read_text(encoding="utf-8")
    )
    assert [a.field for a in outcome.affected] == ["touchpoints[0].selections[0]"]
    assert outcome.affected[0].passage == '"The nights were the worst part" – 24.70 s'
    again = withdraw(path, clip="icu07")
    assert again.withdrawn == () and again.already == ("icu07",)
    # An existing consent block keeps its other keys.
    withdraw(path, clip="icu15")
    icu15 = load_manifest(path).clip("icu15").consent
    assert (
        icu15.withdrawn
        and icu15.basis == "Letter 2025/3"
        and icu15.uses == ("joint-event", "training")
    )


def test_withdraw_errors(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    before = path.read_text(encoding="utf-8")
    unknown = CliRunner().invoke(cli, ["withdraw", str(path), "--narrator", "XX99"])
    assert unknown.exit_code == 2
    assert "no narrator 'XX99'" in unknown.output and "ICU07, ICU15, LOC01" in unknown.output
    both = CliRunner().invoke(cli, ["withdraw", str(path), "--narrator", "LOC01", "--clip", "x"])
    assert both.exit_code == 2 and "exactly one of" in both.output
    assert path.read_text(encoding="utf-8") == before


def test_catalogue_consent_is_merged_and_only_narrowed(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    catalogue = tmp_path / "archive" / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    text = text.replace(
        '    permission: "Archive permission ref TA-15"\n',
        '    permission: "Archive permission ref TA-15"\n'
        "    consent: {uses: [joint-event, online], expires: 2029-01-01}\n",
    )
    text = text.replace(
        '    permission: "Archive permission ref TA-7"\n',
        '    permission: "Archive permission ref TA-7"\n'
        "    consent: {basis: TA-7/2024, withdrawn: true}\n",
    )
    catalogue.write_text(text, encoding="utf-8")
    manifest = load_manifest(path)
    report = check_consent(manifest, "joint-event", TODAY)
    icu07, icu15 = report.entry("icu07"), report.entry("icu15")
    assert (icu07.basis, icu07.basis_from, icu07.withdrawn) == ("TA-7/2024", "catalogue", True)
    # The manifest allows joint-event and training, the archive joint-event and online.
    assert icu15.uses == ("joint-event",) and icu15.uses_from == "manifest+catalogue"
    assert icu15.expires == datetime.date(2029, 1, 1)  # the earlier of 2030 and 2029
    assert icu15.basis == "Letter 2025/3"
    assert report.refused == ("icu07",)
    assert set(check_consent(manifest, "training", TODAY).refused) == {"icu07", "icu15", "loc01"}
    # Resolved sources (the pipeline's Prepared) carry the same terms.
    sources = resolve_sources(manifest)
    assert sources["icu07"].terms.consent.withdrawn is True
    assert check_consent(manifest, "joint-event", TODAY, sources=sources).entries == report.entries


def test_catalogue_consent_is_checked_strictly(tmp_path: Path) -> None:
    from triggerfilm.errors import SourceError
    from triggerfilm.sources.catalogue import load_catalogue

    make_project(tmp_path)
    catalogue = tmp_path / "archive" / "catalogue.yaml"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8").replace(
            '    permission: "Archive permission ref TA-15"\n',
            '    permission: "Archive permission ref TA-15"\n    consent: {usses: [online]}\n',
        ),
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        load_catalogue(tmp_path / "archive")
    assert caught.value.field == "clips[1].consent.usses"
    assert caught.value.line == 19  # the consent line of ICU15-01
    assert "Did you mean 'uses'?" in str(caught.value)


def test_refusal_from_the_prepared_pipeline(tmp_path: Path) -> None:
    from triggerfilm import app

    path = make_project(tmp_path, loc01_expires="2026-01-31")
    withdraw(path, clip="icu15")
    prepared = app.prepare(path)
    with pytest.raises(ConsentError) as caught:
        refuse_unconsented(prepared.manifest, "joint-event", TODAY, sources=prepared.sources)
    error = caught.value
    assert Path(error.where) == path
    assert "2 clip(s) may not be shown at a joint-event" in error.message
    assert "icu15 (ICU15): consent withdrawn" in error.message
    assert "loc01 (LOC01): consent expired on 2026-01-31" in error.message
    # The day before expiry only the withdrawal remains.
    with pytest.raises(ConsentError) as earlier:
        refuse_unconsented(
            prepared.manifest, "joint-event", datetime.date(2026, 1, 30), sources=prepared.sources
        )
    assert "1 clip(s)" in earlier.value.message and "loc01" not in earlier.value.message
