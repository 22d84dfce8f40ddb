"""Making the film: transcribe, transcript, render, init, approval-pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import app
from ..timefmt import length_words
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import (
    file_option,
    film_options,
    format_option,
    manifest_argument,
    preset_option,
    use_choice,
)


@cli.command()
@click.argument("target", metavar="MANIFEST_OR_ARCHIVE")
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Send one task per clip to this Dask scheduler (any Dask cluster whose workers have "
    "triggerfilm installed and see the media at the same paths, or can fetch it by URL). "
    "Without it, the clips are transcribed on this machine.",
)
@transcribe_options
def transcribe(target: str, scheduler: str | None, **opts: Any) -> None:
    """Transcribe every clip of a manifest, or of an archive (folder, catalogue file or URL),
    offline, with word times.

    Results are cached by the media's content, the engine, model and options: a second run
    does no work. With --scheduler, each clip is a task on a Dask cluster (docs/scale.md).
    """
    from ..app.transcription import transcribe_target

    with Bars() as bars:
        counts = transcribe_target(target, transcribe_settings(**opts), bars, scheduler)
    click.echo(f"{counts.transcribed} clip(s) transcribed, {counts.cached} already in the cache.")
    echo_notices(counts.notices)


@cli.command()
@click.argument("media", type=click.Path(dir_okay=False, path_type=Path))
@format_option(
    ["txt", "srt", "vtt", "json"],
    "How to print the transcript.",
)
@transcribe_options
def transcript(media: Path, fmt: str, **opts: Any) -> None:
    """Print the transcript of any audio or video file (cached like `transcribe`)."""
    notices: list[app.Notice] = []
    click.echo(app.transcript_text(media, transcribe_settings(**opts), fmt, notices), nl=False)
    echo_notices(notices)


@cli.command()
@click.argument("manifest", required=False, type=click.Path(dir_okay=False, path_type=Path))
@file_option(
    "--timeline",
    "timeline_file",
    help="Re-make a film exactly from its saved timeline.json instead of a manifest "
    "(see docs/timeline.md).",
)
@film_options("out/<manifest name>")
@click.option(
    "--no-burn-in",
    is_flag=True,
    help="Leave the picture clean (captions stay as a soft track and in film.srt / film.vtt).",
)
@click.option(
    "--loudness",
    type=click.Choice(["broadcast", "web", "off"]),
    default="broadcast",
    show_default=True,
    help="Sound level: broadcast = EBU R 128 (-23 LUFS), web = -16 LUFS; true peak <= -1 dBTP.",
)
@click.option(
    "--touchpoint",
    metavar="NAME",
    help="Render one touchpoint (its title or number) as a short film of its own.",
)
@click.option("--preview", is_flag=True, help="Fast, half-size render for checking an edit.")
@use_choice
@preset_option
@transcribe_options
def render(
    manifest: Path | None,
    timeline_file: Path | None,
    out_dir: Path | None,
    options: app.RenderOptions,
) -> None:
    """Render MANIFEST to a captioned film.

    Writes film.mp4 (H.264 + AAC, captions burned in and as a soft track, chapters per
    touchpoint), film.srt, film.vtt, film.ttml (EBU-TT-D), transcript.txt/html (a
    descriptive transcript) and timeline.json into the output folder. Clips not yet
    transcribed are transcribed first.

    With --timeline instead of MANIFEST, the film is re-made from a saved timeline.json alone
    (same cuts, cards and captions), after checking each source is unchanged.
    """
    if (manifest is None) == (timeline_file is None):
        raise click.UsageError("give a MANIFEST or --timeline FILE (one of them)")
    if timeline_file is not None and options.touchpoint is not None:
        raise click.UsageError("--touchpoint needs a MANIFEST, not --timeline")
    if manifest is not None:
        name = manifest.stem
    else:
        assert timeline_file is not None  # one of the two, checked above
        name = f"{timeline_file.parent.name}-replay"
    out_dir = out_dir or Path("out") / name
    with Bars() as bars:
        if manifest is not None:
            report = app.render_manifest(manifest, out_dir, options, bars)
        else:
            assert timeline_file is not None
            report = app.render_saved_timeline(timeline_file, out_dir, options, bars)
    click.echo(
        f"Film: {length_words(report.duration, places=1)}, {report.cues} captions, "
        f"{report.segments} segments ({report.reused} reused from the cache)."
    )
    if report.loudness is not None:
        level = report.loudness.measured
        click.echo(
            f"Loudness: {level.integrated:.1f} LUFS integrated (target "
            f"{report.loudness.target:.0f}), true peak {level.true_peak:.1f} dBTP."
        )
    for path in report.files:
        click.echo(f"  {path}")
    echo_notices(report.notices)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="film.yaml", show_default=True, help="Manifest file name.")
def init(folder: Path, name: str) -> None:
    """Start a project: write a manifest listing the media files found in FOLDER."""
    path = app.start_project(folder, name)
    click.echo(f"Wrote {path}. Fill in narrators and touchpoints, then run:")
    click.echo(f"  triggerfilm transcribe {path}")


@cli.command("approval-pack")
@manifest_argument
@click.option("--narrator", required=True, metavar="CODE", help="The narrator's code, e.g. ICU07.")
@film_options("out/<manifest name>-approval")
@preset_option
@transcribe_options
def approval_pack_command(
    manifest: Path, narrator: str, out_dir: Path | None, options: app.RenderOptions
) -> None:
    """Render one narrator's passages as a short film, with a list of their quotes.

    Send both to the narrator: they consent to the specific clips used. Writes
    approval-CODE.mp4 (with captions), approval-CODE-quotes.txt and subtitles.
    """
    out_dir = out_dir or Path("out") / f"{manifest.stem}-approval"
    with Bars() as bars:
        report = app.approval_pack(manifest, narrator, out_dir, options, bars)
    click.echo(f"Approval pack for {narrator}: {report.duration:.1f} s, {report.cues} captions.")
    for path in report.files:
        click.echo(f"  {path}")
    echo_notices(report.notices)
