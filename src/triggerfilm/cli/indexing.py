"""The archive index: `triggerfilm index`, which `search` then reads."""

from __future__ import annotations

from typing import Any

import click

from ..notices import Notice
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings


@cli.command("index")
@click.argument("target", metavar="ARCHIVE_OR_MANIFEST")
@click.option(
    "--no-transcribe",
    is_flag=True,
    help="Index only the transcripts already in the cache (with each clip's catalogue text), "
    "transcribing nothing.",
)
@click.option(
    "--no-meaning",
    is_flag=True,
    help="Skip the sentence vectors that search by meaning needs (faster to build).",
)
@transcribe_options
def index_command(target: str, no_transcribe: bool, no_meaning: bool, **opts: Any) -> None:
    """Build or update the search index of an archive (folder, catalogue file or URL) or of a
    manifest's clips and archives: every clip's words with their times, the verbatim
    transcript, catalogue metadata and topics, and sentence vectors for `search --meaning`.

    The index is one SQLite file in the cache (FTS5; no server). Run it again after adding
    clips or transcribing: only clips whose transcript or catalogue entry changed are redone.
    """
    from ..app import indexing

    notices: list[Notice] = []
    with Bars() as bars:
        report = indexing.build_index(
            target,
            transcribe_settings(**opts),
            transcribe=not no_transcribe,
            with_meaning=not no_meaning,
            progress=bars,
            notices=notices,
        )
    echo_notices(notices)
    click.echo(
        f"Indexed {report.clips} clip(s): {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged; {report.passages} passages, "
        f"{report.embedded} new sentence vector(s); {report.size / 1e6:.1f} MB."
    )
    if not report.meaning:
        click.echo("Search by meaning is not available: see `triggerfilm search --help`.")
    click.echo(f"Index: {report.path}")
