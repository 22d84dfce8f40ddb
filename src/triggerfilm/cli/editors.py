"""For editors: export the edit to an editing application, and import their changes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import app
from ..exports import FORMATS, ExportError
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import file_option, film_options, manifest_argument, preset_option, use_choice


@cli.command()
@manifest_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="otio",
    show_default=True,
    help="otio: OpenTimelineIO; fcpxml: Final Cut Pro X / Resolve; fcp7xml: Final Cut Pro 7 XML "
    "(Premiere Pro, Resolve, Avid); edl: CMX 3600.",
)
@file_option(
    "-o", "--output", "out", help="File to write (default: out/<manifest name>.<format's suffix>)."
)
@transcribe_options
def export(manifest: Path, fmt: str, out: Path | None, **opts: Any) -> None:
    """Export MANIFEST's edit for an editing application.

    One clip per cut, referencing the source media at its real path, in film order; each card
    is a gap named after it; the first clip of each touchpoint has a marker "Touchpoint N:
    Title" (green: more positive moments, red: more negative, yellow: even); every caption is
    a marker on its clip. Narrator, selection and valence travel in the OTIO metadata.
    Bring the edited file back with `triggerfilm import-edit`.
    """
    out = out or Path("out") / f"{manifest.stem}{FORMATS[fmt].suffix}"
    with Bars() as bars:
        report = app.export_edit(manifest, out, fmt, transcribe_settings(**opts), bars)
    click.echo(
        f"Wrote {report.path} ({FORMATS[fmt].label}): {report.cuts} clips, {report.cards} "
        f"cards, {report.touchpoints} touchpoint markers, {report.captions} captions."
    )
    echo_notices(report.notices)


@cli.command("import-edit")
@click.argument("edit", type=click.Path(dir_okay=False, path_type=Path))
@file_option("--manifest", required=True, help="The manifest to update with the edit's selections.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    help="The edit's format [default: from its suffix: .otio, .fcpxml, .xml, .edl].",
)
@click.option("--dry-run", is_flag=True, help="Show the changes without writing the manifest.")
@transcribe_options
def import_edit(edit: Path, manifest: Path, fmt: str | None, dry_run: bool, **opts: Any) -> None:
    """Bring an editor's edit (EDIT: OTIO, FCPXML, FCP 7 XML or EDL) back into MANIFEST.

    Touchpoints come from markers "Touchpoint N: Title" (as `triggerfilm export` writes them),
    markers or gaps named after a touchpoint, or video tracks named after one; each clip's
    in and out points become its selection's times. Clips are matched to the manifest's by
    media path, then content, then file name. A selection the editor did not trim keeps its
    quotes and comments. The difference is printed first; --dry-run writes nothing.
    """
    try:
        with Bars() as bars:
            report = app.import_edit(
                edit,
                manifest,
                dry_run=dry_run,
                fmt=fmt,
                options=transcribe_settings(**opts),
                progress=bars,
            )
    except ExportError as error:
        if error.field == "format":  # the format could not be told from the file name
            error.hint = "Rename the file, or pass --format"
        raise
    click.echo(report.diff, nl=False)
    echo_notices(report.notices)
    counts = ", ".join(f"{title}: {n}" for title, n in report.touchpoints)
    if not report.changed:
        click.echo(f"{report.cuts} clips ({counts}); the manifest already says this.")
    elif report.written:
        click.echo(f"Updated {report.manifest} from {report.cuts} clips ({counts}).")
    else:
        click.echo(f"Dry run: {report.manifest} left unchanged ({report.cuts} clips; {counts}).")


@cli.command("event-pack")
@manifest_argument
@film_options("out/<manifest name>-event", "Folder to make")
@click.option(
    "--no-pause",
    is_flag=True,
    help="Start with the pause after each touchpoint switched off (the page can switch it on).",
)
@preset_option
@use_choice
@transcribe_options
def event_pack(
    manifest: Path, out_dir: Path | None, no_pause: bool, options: app.RenderOptions
) -> None:
    """Make a folder that plays the film offline at the event, from a USB stick.

    Renders the film (reusing cached segments) and adds index.html: open it in any current
    browser, no network needed. Content notes come first; captions are on by default with a
    toggle and a size control; the touchpoint list jumps through the film; the player can
    pause at the end of each touchpoint and show its discussion prompt (the manifest's
    touchpoints[].prompt, or a default question); everything works from the keyboard.
    """
    out_dir = out_dir or Path("out") / f"{manifest.stem}-event"
    with Bars() as bars:
        report = app.event_pack(
            manifest, out_dir, options, pause_at_end=not no_pause, progress=bars
        )
    click.echo(f"Event pack: {report.chapters} touchpoints, {report.render.cues} captions.")
    click.echo(f"Open {report.index} in a browser (works offline, from a USB stick).")
    echo_notices(report.render.notices)
