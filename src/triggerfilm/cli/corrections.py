"""Correcting a clip's transcript in the user's own editor: ``triggerfilm correct``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..notices import Notice
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import manifest_argument


@cli.command("correct")
@manifest_argument
@click.option("--clip", "clip_id", required=True, help="The id of the clip to correct.")
@transcribe_options
def correct_command(manifest: Path, clip_id: str, **opts: Any) -> None:
    """Correct the words of one clip's transcript in $VISUAL or $EDITOR.

    The editor opens the clip's words, one sentence per line, each line starting with a
    [mm:ss] mark you may leave alone. Save and close: the words are stored as the clip's
    verbatim transcript (in MANIFEST's folder, <manifest>.corrections/<clip>.txt), aligned to
    the audio, and used from then on by captions, quotes, search and the studio, whatever
    model transcribes the clip. The film's provenance record says which clips a person
    corrected. Close without changes to store nothing.
    """
    from .. import app

    settings = transcribe_settings(**opts)
    noticed: list[Notice] = []
    with Bars() as bars:
        document = app.correction_document(manifest, clip_id, settings, bars, noticed)
    # Before the editor opens: they may be about the words about to be corrected.
    echo_notices(noticed)
    try:
        edited = click.edit(document, extension=".txt", require_save=False)
    except click.UsageError as error:
        raise click.ClickException(
            f"{error.format_message()}; set VISUAL or EDITOR to your editor's command"
        ) from None
    if edited is None:
        click.echo(f"{clip_id}: no change; nothing was stored")
        return
    report = app.correct_clip(manifest, clip_id, edited, settings)
    click.echo(report.to_text(), nl=False)
    echo_notices(report.notices)
