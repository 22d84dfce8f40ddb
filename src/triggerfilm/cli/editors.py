"""For editors: export the edit to an editing application, and import their changes back."""

from __future__ import annotations

from pathlib import Path

import click

from .. import editors
from ..exports import FORMATS
from .app import Bars, cli, transcribe_options, transcribe_settings


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="otio",
    show_default=True,
    help="otio: OpenTimelineIO; fcpxml: Final Cut Pro X / Resolve; fcp7xml: Final Cut Pro 7 XML "
    "(Premiere Pro, Resolve, Avid); edl: CMX 3600.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: out/<manifest name>.<format's suffix>).",
)
@transcribe_options
def export(manifest: Path, fmt: str, out: Path | None, **opts) -> None:
    """Export MANIFEST's edit for an editing application.

    One clip per cut, referencing the source media at its real path, in film order; each card
    is a gap named after it; the first clip of each touchpoint has a marker "Touchpoint N:
    Title" (green: more positive moments, red: more negative, yellow: even); every caption is
    a marker on its clip. Narrator, selection and valence travel in the OTIO metadata.
    Bring the edited file back with `triggerfilm import-edit`.
    """
    out = out or Path("out") / f"{manifest.stem}{FORMATS[fmt].suffix}"
    bars = Bars()
    try:
        report = editors.export_edit(manifest, out, fmt, transcribe_settings(**opts), bars)
    finally:
        bars.close()
    click.echo(
        f"Wrote {report.path} ({FORMATS[fmt].label}): {report.cuts} clips, {report.cards} "
        f"cards, {report.touchpoints} touchpoint markers, {report.captions} captions."
    )
