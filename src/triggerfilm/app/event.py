"""The event pack: the film and an offline player for the joint event (``event-pack``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..captions.build import build_captions
from ..captions.profiles import get_profile
from ..editplan.timeline import load_timeline
from ..eventpack import chapters, event_page
from ..manifest.load import load_manifest
from ..render.outputs import locked_output_folder, refuse_overwriting_inputs
from ..store import write_text
from .notices import Progress
from .render import RenderOptions, RenderReport, companion_name, output_stem, render_manifest


@dataclass(frozen=True)
class EventPackReport:
    """What ``event_pack`` wrote into ``out_dir``: the film's render and the offline player's page
    (``index``, the file to open at the event), with ``chapters`` touchpoints to jump to; ``files``
    lists everything written, the render's first."""

    out_dir: Path
    index: Path
    files: tuple[Path, ...]
    chapters: int
    render: RenderReport


def event_pack(
    manifest_path: str | Path,
    out_dir: str | Path,
    options: RenderOptions | None = None,
    *,
    pause_at_end: bool = True,
    progress: Progress | None = None,
) -> EventPackReport:
    """Render the film into ``out_dir`` and add a page that plays it offline at the event.

    The folder holds film.mp4, its captions (film.vtt, film.srt, film.ttml), the transcript,
    index.html and assets/: open index.html from a USB stick.
    """
    # The player shows the captions, and lets the audience resize or hide them: the picture
    # stays clean whatever the face asked for (they are still a soft track in the film).
    options = replace(options or RenderOptions(), burn_in=False)
    out_dir = Path(out_dir).resolve()
    rendered = render_manifest(manifest_path, out_dir, options, progress)
    manifest = load_manifest(manifest_path)
    # The render's own names for its files, so the page links what it wrote.
    stem = output_stem(options, None, None)
    timeline = load_timeline(out_dir / companion_name(stem, "timeline.json"))
    cues = build_captions(
        timeline, get_profile(timeline.caption_profile), label_speakers=timeline.speaker_labels
    )
    touchpoints = manifest.touchpoints
    chapter_list = chapters(
        timeline,
        prompts=[t.prompt for t in touchpoints],
        descriptions=[t.description for t in touchpoints],
        notes=[t.content_note for t in touchpoints],
    )
    labels = {"vtt": "WebVTT captions", "srt": "SRT captions", "ttml": "TTML captions"}
    subtitles = {
        f"{stem}.{suffix}": label
        for suffix, label in labels.items()
        if (out_dir / f"{stem}.{suffix}").is_file()
    }
    minutes = max(1, round(timeline.duration / 60))
    general: tuple[str, ...] = (
        f"The film lasts about {minutes} minute{'s' if minutes != 1 else ''}. Captions are on; "
        "press C to turn them off.",
    )
    if any(c.content_note for c in chapter_list):
        general += ("Some touchpoints carry a content note:",)
    transcript = companion_name(stem, "transcript.html")
    files = event_page(
        timeline,
        cues,
        chapter_list,
        film=f"{stem}.mp4",
        subtitles=subtitles,
        transcript=transcript if (out_dir / transcript).is_file() else None,
        general_notes=general,
        pause_at_end=pause_at_end,
    )
    written = []
    # The render's lock was released when it finished: take it again for the page, and never
    # write the page over the manifest or a source.
    with locked_output_folder(out_dir):
        inputs = [Path(manifest.path), *(Path(c.media) for c in manifest.clips if c.media)]
        refuse_overwriting_inputs(out_dir, list(files), inputs)
        for name, text in files.items():
            write_text(out_dir / name, text, preserve_format=False)  # generated afresh
            written.append(out_dir / name)
    return EventPackReport(
        out_dir=out_dir,
        index=out_dir / "index.html",
        files=(*rendered.files, *written),
        chapters=len(chapter_list),
        render=rendered,
    )
