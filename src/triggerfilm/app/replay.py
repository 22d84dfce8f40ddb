"""A film re-made from its saved timeline.json alone (``render --timeline``)."""

from __future__ import annotations

from pathlib import Path

from ..editplan.timeline import Cut, Timeline, TimelineError, load_timeline
from ..render.film import check_output_folder
from ..render.outputs import locked_output_folder
from ..store import sha256_of
from .notices import Progress
from .render import Destination, RenderOptions, RenderReport, encode_film, output_stem


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
    sources = {Path(i.source) for i in timeline.items if isinstance(i, Cut)}
    destination = Destination(
        out_dir, output_stem(options, None, None), record, (timeline_path.resolve(), *sources)
    )
    # The same guards and the same encoder as a render from a manifest: one render per folder
    # at a time, and no output written over the timeline or a source.
    with locked_output_folder(out_dir):
        film = encode_film(timeline, destination, options, progress)
    # The same notices as the render it repeats, caption timing included.
    return film.report(out_dir)


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
