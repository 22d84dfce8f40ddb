"""Consent and provenance: consent, withdraw, verify, and the facilitator pack."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import pipeline
from .app import Bars, cli, transcribe_options, transcribe_settings, use_option


@cli.command("consent")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@use_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def consent_command(manifest: Path, use: str, on, fmt: str) -> None:
    """Print MANIFEST's consent ledger and every problem for --use (exit 2 if any)."""
    import json

    from ..consent import check_consent
    from ..manifest.load import load_manifest

    report = check_consent(load_manifest(manifest), use, on.date() if on else None)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.ok else 2)


@cli.command("withdraw")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--narrator", help="Withdraw every clip of this narrator code (e.g. ICU07).")
@click.option("--clip", "clip_id", help="Withdraw this one clip (its id in the manifest).")
def withdraw_command(manifest: Path, narrator: str | None, clip_id: str | None) -> None:
    """Record `withdrawn: true` in MANIFEST and list every touchpoint and selection affected."""
    from ..consent.withdraw import withdraw

    if (narrator is None) == (clip_id is None):
        raise click.UsageError("give exactly one of --narrator CODE or --clip ID")
    click.echo(withdraw(manifest, narrator=narrator, clip=clip_id).to_text(), nl=False)


@cli.command("verify")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def verify_command(folder: Path) -> None:
    """Re-hash the sources, manifest and outputs in FOLDER/film.provenance.json (exit 1 on
    drift)."""
    from ..reports.provenance import verify_folder

    report = verify_folder(folder)
    click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.ok else 1)


@cli.command("pack")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: out/<manifest name>).",
)
@use_option
@transcribe_options
def pack_command(manifest: Path, out_dir: Path | None, use: str, on, **opts) -> None:
    """Write the facilitator pack (pack.html, prints to A4) for MANIFEST's film."""
    from ..consent import check_consent
    from ..reports.pack import facilitator_pack, write_pack

    bars = Bars()
    try:
        prepared = pipeline.prepare(manifest)
        pipeline.transcribe_all(prepared, transcribe_settings(**opts), bars)
    finally:
        bars.close()
    timeline = pipeline.plan(prepared)
    today = on.date() if on else None
    consent = check_consent(prepared, use, today)
    page = facilitator_pack(
        prepared.manifest, timeline, prepared.sources, consent=consent, today=today
    )
    click.echo(write_pack(out_dir or Path("out") / manifest.stem, page))
    for line in consent.problem_lines():
        click.echo(f"warning: consent: {line}", err=True)
