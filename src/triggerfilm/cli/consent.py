"""Consent and provenance: consent, withdraw, verify, and the facilitator pack."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import click

from .. import app
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import manifest_argument, output_folder, use_option


@cli.command("consent")
@manifest_argument
@use_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def consent_command(manifest: Path, use: str, on: datetime.datetime | None, fmt: str) -> None:
    """Print MANIFEST's consent ledger and every problem for --use (exit 2 if any)."""
    import json

    notices: list[app.Notice] = []
    report = app.consent_report(manifest, use, on.date() if on else None, notices)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        click.echo(report.to_text(), nl=False)
    echo_notices(notices)
    sys.exit(0 if report.ok else 2)


@cli.command("withdraw")
@manifest_argument
@click.option("--narrator", help="Withdraw every clip of this narrator code (e.g. ICU07).")
@click.option("--clip", "clip_id", help="Withdraw this one clip (its id in the manifest).")
def withdraw_command(manifest: Path, narrator: str | None, clip_id: str | None) -> None:
    """Record `withdrawn: true` in MANIFEST and list every touchpoint and selection affected."""
    if (narrator is None) == (clip_id is None):
        raise click.UsageError("give exactly one of --narrator CODE or --clip ID")
    notices: list[app.Notice] = []
    report = app.withdraw_consent(manifest, narrator=narrator, clip=clip_id, notices=notices)
    click.echo(report.to_text(), nl=False)
    echo_notices(notices)


@cli.command("verify")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def verify_command(folder: Path) -> None:
    """Re-hash the sources, manifest and outputs in FOLDER/film.provenance.json (exit 1 on
    drift)."""
    report = app.verify_outputs(folder)
    click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.ok else 1)


@cli.command("pack")
@manifest_argument
@output_folder("out/<manifest name>")
@use_option
@transcribe_options
def pack_command(
    manifest: Path, out_dir: Path | None, use: str, on: datetime.datetime | None, **opts: Any
) -> None:
    """Write the facilitator pack (pack.html, prints to A4) for MANIFEST's film."""
    with Bars() as bars:
        report = app.make_pack(
            manifest,
            out_dir or Path("out") / manifest.stem,
            use=use,
            today=on.date() if on else None,
            options=transcribe_settings(**opts),
            progress=bars,
        )
    click.echo(report.path)
    echo_notices(report.notices)
