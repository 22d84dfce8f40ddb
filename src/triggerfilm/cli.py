"""The command line: parses arguments and calls one library function per command.

Commands stay thin: the library never sees a click object, and every user-facing error is a
``TriggerfilmError`` that becomes a one-paragraph message and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, pipeline
from .errors import TriggerfilmError
from .manifest.init import starter_manifest
from .transcripts.options import ENGINES, TranscribeOptions


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TriggerfilmError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triggerfilm")
def cli() -> None:
    """Build captioned trigger films for Experience-Based Co-Design.

    A manifest (YAML) lists the filmed narratives and the touchpoints of the care pathway, each
    with the passages to show. triggerfilm transcribes the narratives offline with Whisper,
    resolves the passages to times, and renders one captioned film for the joint event.
    """


def main() -> None:
    cli()


# --- commands ---------------------------------------------------------------------------------
# Each command is a thin wrapper: parse, call one library function, print. Add new commands below.


def _transcribe_options(f):
    """The Whisper options shared by every command that may transcribe."""
    f = click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="faster-whisper",
        show_default=True,
        help="Speech recogniser. openai-whisper needs the optional extra.",
    )(f)
    f = click.option(
        "--model",
        default="bundled",
        show_default=True,
        help="'bundled' (tiny.en, works offline), a local model folder or file, or a model "
        "name the engine may download when a network exists.",
    )(f)
    f = click.option("--language", default="en", show_default=True, help="Spoken language.")(f)
    f = click.option("--beam-size", default=5, show_default=True, type=click.IntRange(1, 20))(f)
    f = click.option(
        "--threads", default=0, type=click.IntRange(0), help="CPU threads (0: engine decides)."
    )(f)
    return f


def _options(engine, model, language, beam_size, threads) -> TranscribeOptions:
    return TranscribeOptions(
        engine=engine,
        model=model,
        language=language or None,
        beam_size=beam_size,
        threads=threads,
    )


class _Bars:
    """One tqdm bar per pipeline stage, on stderr so stdout stays clean for data."""

    UNITS = {"transcribe": ("Transcribing", "s audio"), "render": ("Rendering", "segments")}

    def __init__(self) -> None:
        self.bars: dict = {}

    def __call__(self, stage: str, done: float, total: float) -> None:
        from tqdm import tqdm

        if stage not in self.bars:
            label, unit = self.UNITS.get(stage, (stage, "items"))
            self.bars[stage] = tqdm(
                total=round(total, 1),
                desc=label,
                unit=unit,
                leave=True,
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} "
                "[{elapsed}<{remaining}]",
            )
        bar = self.bars[stage]
        bar.n = min(round(done, 1), bar.total)
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@_transcribe_options
def transcribe(manifest: Path, **opts) -> None:
    """Transcribe every clip of MANIFEST offline, with word times.

    Results are cached by the media's content, the engine, model and options: a second run
    does no work.
    """
    bars = _Bars()
    try:
        prepared = pipeline.prepare(manifest)
        counts = pipeline.transcribe_all(prepared, _options(**opts), bars)
    finally:
        bars.close()
    click.echo(
        f"{counts['transcribed']} clip(s) transcribed, {counts['cached']} already in the cache."
    )


@cli.command()
@click.argument("media", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "srt", "vtt", "json"]),
    default="txt",
    show_default=True,
    help="How to print the transcript.",
)
@_transcribe_options
def transcript(media: Path, fmt: str, **opts) -> None:
    """Print the transcript of any audio or video file (cached like `transcribe`)."""
    click.echo(pipeline.transcript_text(media, _options(**opts), fmt), nl=False)


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: out/<manifest name>).",
)
@click.option(
    "--no-burn-in",
    is_flag=True,
    help="Leave the picture clean (captions stay as a soft track and in film.srt / film.vtt).",
)
@click.option("--force", is_flag=True, help="Replace a film made from another manifest.")
@click.option(
    "--preset",
    default="veryfast",
    show_default=True,
    help="x264 speed/size preset (ultrafast … veryslow).",
)
@_transcribe_options
def render(
    manifest: Path, out_dir: Path | None, no_burn_in: bool, force: bool, preset: str, **opts
) -> None:
    """Render MANIFEST to a captioned film.

    Writes film.mp4 (H.264 + AAC, captions burned in and as a soft track, chapters per
    touchpoint), film.srt, film.vtt, transcript.txt/html (a descriptive transcript) and
    timeline.json into the output folder. Clips not yet transcribed are transcribed first.
    """
    out_dir = out_dir or Path("out") / manifest.stem
    options = pipeline.RenderOptions(
        burn_in=not no_burn_in, force=force, preset=preset, transcribe=_options(**opts)
    )
    bars = _Bars()
    try:
        report = pipeline.render_manifest(manifest, out_dir, options, bars)
    finally:
        bars.close()
    minutes, seconds = divmod(report.duration, 60)
    click.echo(
        f"Film: {int(minutes)} min {seconds:04.1f} s, {report.cues} captions, "
        f"{report.segments} segments ({report.reused} reused from the cache)."
    )
    for path in report.files:
        click.echo(f"  {path}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="film.yaml", show_default=True, help="Manifest file name.")
def init(folder: Path, name: str) -> None:
    """Start a project: write a manifest listing the media files found in FOLDER."""
    path = starter_manifest(folder, name)
    click.echo(f"Wrote {path}. Fill in narrators and touchpoints, then run:")
    click.echo(f"  triggerfilm transcribe {path}")
