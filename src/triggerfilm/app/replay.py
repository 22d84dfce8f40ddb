"""A film re-made from its saved timeline.json alone (``render --timeline``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ..captions.build import build_captions
from ..captions.profiles import get_profile
from ..captions.transcript_doc import descriptive_transcript
from ..captions.writers import format_srt, format_vtt
from ..editplan.timeline import Cut, Timeline, TimelineError, load_timeline
from ..media.loudness import TARGETS as LOUDNESS_TARGETS
from ..render.film import MARKER, check_output_folder, render_film
from ..render.outputs import locked_output_folder, refuse_overwriting_inputs
from ..store import cache_root, sha256_of, write_text
from .notices import Notice, Progress
from .render import RenderOptions, RenderReport, loudness_gains


def render_saved_timeline(
    timeline_path: str | Path,
    out_dir: str | Path,
    options: RenderOptions | None = None,
    progress: Progress | None = None,
) -> RenderReport:
    """Re-make a film from its ``timeline.json`` alone: same cuts, cards, captions and sound.

    No manifest, transcript or archive is read: the timeline holds every cut's source path and
    hash, its words and the film's settings. Each source is checked against its hash first, so
    a moved or changed file is named before anything is rendered.
    """
    options = options or RenderOptions()
    timeline_path = Path(timeline_path)
    timeline = load_timeline(timeline_path)
    _check_sources(timeline, timeline_path)
    out_dir = Path(out_dir).resolve()
    record = timeline.manifest or str(timeline_path.resolve())
    check_output_folder(out_dir, record, options.force)
    if options.preview:
        timeline = replace(timeline, width=timeline.width // 4 * 2, height=timeline.height // 4 * 2)
    stem = "preview" if options.preview else "film"
    prefix = "" if stem == "film" else f"{stem}."
    profile = get_profile(timeline.caption_profile)
    cues = build_captions(timeline, profile, label_speakers=timeline.speaker_labels)
    srt = format_srt(cues)
    document = descriptive_transcript(timeline)
    companions = {
        f"{stem}.srt": srt,
        f"{stem}.vtt": format_vtt(cues),
        f"{prefix}timeline.json": json.dumps(timeline.to_dict(), indent=1),
        f"{prefix}transcript.txt": document.to_text(),
        f"{prefix}transcript.html": document.to_html(),
        MARKER: json.dumps({"manifest": record}),
    }
    sources = {Path(i.source) for i in timeline.items if isinstance(i, Cut)}
    target = LOUDNESS_TARGETS.get(options.loudness)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("render", done, len(timeline.items))

    # The same guards as a render from a manifest: one render per folder at a time, and no
    # output written over the timeline or a source.
    with locked_output_folder(out_dir):
        refuse_overwriting_inputs(
            out_dir, [f"{stem}.mp4", *companions], [timeline_path.resolve(), *sources]
        )
        rendered = render_film(
            timeline,
            cues,
            out_dir,
            srt_text=srt,
            cache_dir=cache_root() / "render" / "segments",
            burn_in=options.burn_in,
            preset="ultrafast" if options.preview else options.preset,
            jobs=options.jobs,
            progress=step,
            gains=loudness_gains(timeline, target, options.jobs) if target is not None else None,
            loudness_target=target,
            stem=stem,
        )
        for name, text in companions.items():
            write_text(out_dir / name, text, preserve_format=False)  # generated afresh
    return RenderReport(
        out_dir=out_dir,
        files=(rendered.film, *(out_dir / n for n in companions if n != MARKER)),
        duration=timeline.duration,
        cues=len(cues),
        segments=rendered.segments,
        reused=rendered.reused,
        transcribed=0,
        loudness=rendered.loudness,
        loudness_target=target,
        notices=tuple(Notice("timeline", w) for w in timeline.warnings)
        + tuple(Notice("render", w) for w in rendered.warnings),
    )


def _check_sources(timeline: Timeline, where: Path) -> None:
    """Every source the timeline cuts from is where it was, with the same content."""
    checked: dict[str, str] = {}
    for index, item in enumerate(timeline.items):
        if not isinstance(item, Cut) or item.source in checked:
            continue
        source = Path(item.source)
        if not source.is_file():
            raise TimelineError(
                f"clip '{item.clip_id}' ({item.narrator}) uses {source}, which is not there",
                where=where,
                field=f"items[{index}].source",
                hint="Put the media back at that path (the timeline names sources by "
                "absolute path and checks them by content)",
            )
        checked[item.source] = sha256_of(source)
        if checked[item.source] != item.source_sha256:
            raise TimelineError(
                f"clip '{item.clip_id}' ({item.narrator}): {source} is not the file the film was "
                "made from (its content differs)",
                where=where,
                field=f"items[{index}].source_sha256",
                expected=item.source_sha256,
                hint="Restore the original media; triggerfilm never changes sources",
            )
