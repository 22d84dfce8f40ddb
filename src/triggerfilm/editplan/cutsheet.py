"""The cut sheet: text-based editing of a film in any Markdown editor.

``write_cutsheet`` lists every clip's sentences with their times, a checkbox and a touchpoint
tag; sentences the manifest already uses are ticked and tagged. The facilitator ticks sentences
and sets tags; ``plan_apply`` turns the sheet back into selections: adjacent ticked sentences of
one clip with the same tag become one selection. A touchpoint whose ticks did not change is left
exactly as written (quotes stay quotes); in a changed one, an existing selection that overlaps a
ticked passage keeps its place, its valence, note and comments, and gets the passage's times
unless it already cuts exactly those sentences; ticked passages that overlap nothing are
appended, and selections of the sheet's clips that are no longer ticked go. Selections of clips
not on the sheet are never touched. A sentence is listed once, with the one touchpoint that
uses most of it.

The sheet format, one line per sentence under a ``## clip-id`` heading::

    - [x] `0:05.19–0:08.79` My first memory on unit is a nurse saving my name. #tp:coming-in
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ManifestError
from ..manifest.model import Manifest
from ..manifest.rewrite import KeptSelection, NewSelection, slug
from ..store import regular_file_problem
from ..timefmt import source_time
from .sentences import Sentence, words_inside
from .timeline import Cut, Timeline

UNTAGGED = "?"
# A touchpoint tag inside a sentence's text (the line's own tag is at its end).
_TAG = re.compile(r"(?:^|\s)#tp:(\S*)")
_HEADING = re.compile(r"^##\s+(\S+)")
_LINE = re.compile(
    r"^\s*[-*]\s*\[(?P<tick>[ xX])\]\s*`?(?P<start>\d+:\d+(?:\.\d+)?)\s*[–-]\s*"
    r"(?P<end>\d+:\d+(?:\.\d+)?)`?\s*(?P<text>.*?)\s*(?:#tp:(?P<tag>\S*))?\s*$"
)


@dataclass(frozen=True)
class SheetLine:
    """One sentence line of a cut sheet: the sentence's cut points in the clip (seconds), whether it
    is ticked, and its touchpoint tag. Read from the facilitator's sheet, ticked lines become
    selections; made from the manifest (``line`` 0), they are the sheet as it stands."""

    clip: str
    start: float
    end: float
    ticked: bool
    tag: str  # a touchpoint slug, or "?"
    text: str
    line: int  # 1-based line in the sheet


@dataclass(frozen=True)
class ClipSentences:
    """What the sheet lists for one clip."""

    clip: str
    heading: str
    sentences: tuple[Sentence, ...]


def selected_tag(
    manifest: Manifest, timeline: Timeline, clip: str, sentence: Sentence
) -> str | None:
    """The touchpoint slug whose cuts hold most of ``sentence``, if they hold half of it."""
    best, best_count = None, 0
    for item in timeline.items:
        if not isinstance(item, Cut) or item.clip_id != clip:
            continue
        inside = words_inside(sentence, item.source_in, timeline.source_out(item))
        if inside * 2 >= len(sentence.words) and inside > best_count:
            best, best_count = slug(manifest.touchpoints[item.touchpoint].title), inside
    return best


def sheet_lines(
    manifest: Manifest, timeline: Timeline, clips: list[ClipSentences]
) -> list[SheetLine]:
    """The sheet as the manifest stands now (what ``write_cutsheet`` prints), line by line."""
    lines = []
    for group in clips:
        for sentence in group.sentences:
            tag = selected_tag(manifest, timeline, group.clip, sentence)
            lines.append(
                SheetLine(
                    group.clip,
                    sentence.cut_in,
                    sentence.cut_out,
                    tag is not None,
                    tag or UNTAGGED,
                    sentence.text,
                    0,
                )
            )
    return lines


def write_cutsheet(manifest: Manifest, timeline: Timeline, clips: list[ClipSentences]) -> str:
    current = iter(sheet_lines(manifest, timeline, clips))
    out = [
        f"# Cut sheet: {manifest.title}",
        "",
        "Tick `[x]` each sentence to use and replace `#tp:?` with its touchpoint's tag. Ticked",
        "sentences next to each other with the same tag become one selection. Apply with",
        f"`triggerfilm cutsheet {manifest.path.name} --apply THIS-FILE`.",
        "",
        "Touchpoints (in film order):",
        "",
    ]
    out += [f"- `#tp:{slug(t.title)}` {t.title}" for t in manifest.touchpoints]
    for group in clips:
        out += ["", f"## {group.clip}", "", f"*{group.heading}*", ""]
        for _ in group.sentences:
            line = next(current)
            tick = "x" if line.ticked else " "
            times = f"{source_time(line.start)}–{source_time(line.end)}"
            out.append(f"- [{tick}] `{times}` {line.text} #tp:{line.tag}")
    return "\n".join(out) + "\n"


# A sheet is a page of text per clip; anything far bigger is not one (or is the wrong file).
MAX_SHEET_BYTES = 16 * 1024 * 1024
# A clip longer than a day is not an interview: such a time is a typing slip.
_MAX_MINUTES = 24 * 60
# "- [x] ..." : a line meant as a sentence, whether or not its times can be read.
_SENTENCE_START = re.compile(r"^\s*[-*]\s*\[[ xX]\]")


def read_cutsheet(path: Path) -> str:
    """The sheet's text; a clear error when ``path`` is not a UTF-8 text file of sane size."""
    problem = regular_file_problem(path, "a text cut sheet", allow_empty=True)
    if problem:
        raise ManifestError(
            problem,
            where=path,
            expected="the Markdown file `triggerfilm cutsheet` wrote",
            hint="Check the path; write a sheet with `triggerfilm cutsheet MANIFEST`",
        )
    if path.stat().st_size > MAX_SHEET_BYTES:
        raise ManifestError(
            f"is {path.stat().st_size} bytes, too big for a cut sheet",
            where=path,
            expected=f"a text file under {MAX_SHEET_BYTES // 2**20} MiB",
        )
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"cannot read the cut sheet ({error.strerror})", where=path) from None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Saved as "Unicode" by a Windows editor: still the sheet's text.
        try:
            decoded = content.decode("utf-16")
        except UnicodeDecodeError:
            decoded = None  # reported below as not text
        # UTF-32 starts with the same two bytes, and decodes as UTF-16 full of NULs.
        if decoded is not None and "\0" not in decoded:
            return decoded
    problem = None
    nul = content.find(b"\0")
    if nul >= 0:
        problem = f"it holds a NUL byte at byte {nul}"
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problem = f"{error.reason} at byte {error.start}"
    if problem is not None:
        raise ManifestError(
            f"not a text cut sheet ({problem})",
            where=path,
            expected="the UTF-8 Markdown file `triggerfilm cutsheet` wrote",
            hint="Give the .cutsheet.md file, saved as plain text",
        )
    return text


def parse_cutsheet(text: str, where: Path | str) -> list[SheetLine]:
    """Every sentence line of the sheet; errors name the sheet's file and line."""
    clip: str | None = None
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        heading = _HEADING.match(raw)
        if heading:
            clip = heading.group(1)
            continue
        match = _LINE.match(raw)
        if not match:
            if _SENTENCE_START.match(raw):
                raise ManifestError(
                    "cannot read this sentence line's times",
                    where=where,
                    line=number,
                    expected="- [x] `M:SS.ss–M:SS.ss` the sentence #tp:touchpoint",
                    hint="Restore the times as the sheet wrote them, or delete the line",
                )
            continue
        if clip is None:
            raise ManifestError(
                "a sentence line comes before any '## clip' heading",
                where=where,
                line=number,
                expected="sentence lines under the heading of their clip",
            )
        _one_tag(match, where, number)
        start = _seconds(match["start"], where, number)
        end = _seconds(match["end"], where, number)
        if end <= start:
            raise ManifestError(
                f"the sentence's end ({match['end']}) is not after its start ({match['start']})",
                where=where,
                line=number,
                expected="an end time after the start time",
                hint="Restore the times as the sheet wrote them",
            )
        lines.append(
            SheetLine(
                clip,
                start,
                end,
                match["tick"] != " ",
                match["tag"] or UNTAGGED,
                match["text"],
                number,
            )
        )
    return lines


def check_selected(lines: list[SheetLine], where: Path | str) -> None:
    """Refuse a sheet that selects nothing: applying it would empty every touchpoint."""
    if not lines:
        raise ManifestError(
            "nothing was selected: the cut sheet has no sentence lines, so the manifest was "
            "left unchanged",
            where=where,
            expected="lines like - [x] `0:05.19–0:08.79` the sentence #tp:touchpoint",
            hint="Write a sheet with `triggerfilm cutsheet MANIFEST` and tick sentences in it",
        )
    if not any(line.ticked for line in lines):
        raise ManifestError(
            "nothing was selected: no sentence is ticked, so the manifest was left unchanged",
            where=where,
            expected="at least one sentence ticked [x] with its #tp:touchpoint tag",
        )


def _one_tag(match: re.Match[str], where: Path | str, line: int) -> None:
    """Refuse a tag anywhere but at the end of the line: with two, the last would win silently
    and the sentence would go to a touchpoint nobody chose."""
    stray = _TAG.findall(match["text"])
    if not stray:
        return
    if match["tag"] is not None:
        tags = " and ".join(f"#tp:{tag}" for tag in (*stray, match["tag"]))
        problem = f"the sentence has more than one touchpoint tag ({tags})"
    else:
        problem = f"the touchpoint tag #tp:{stray[0]} is not at the end of the line"
    raise ManifestError(
        problem,
        where=where,
        line=line,
        expected="one #tp:touchpoint tag, at the end of the sentence's line",
        hint="A sentence goes into one touchpoint: keep the tag of that one and delete the other",
    )


def _seconds(text: str, where: Path | str, line: int) -> float:
    minutes, seconds = text.split(":")
    if len(minutes) > 5 or int(minutes) > _MAX_MINUTES or float(seconds) >= 60:
        raise ManifestError(
            f"the time {text} is not a time in a recording",
            where=where,
            line=line,
            expected="minutes:seconds with seconds below 60, as the sheet wrote it",
            hint="Restore the times as the sheet wrote them",
        )
    return round(int(minutes) * 60 + float(seconds), 2)


@dataclass(frozen=True)
class Passage:
    """Ticked, adjacent sentences of one clip for one touchpoint: one selection."""

    clip: str
    start: float
    end: float
    lines: tuple[int, ...]


def passages(lines: list[SheetLine], tag: str) -> list[Passage]:
    result: list[Passage] = []
    previous: SheetLine | None = None
    for line in lines:
        chosen = line.ticked and line.tag == tag
        if chosen:
            joins = (
                previous is not None
                and previous.clip == line.clip
                and previous.ticked
                and previous.tag == tag
                and result
            )
            if joins:
                last = result[-1]
                result[-1] = Passage(last.clip, last.start, line.end, (*last.lines, line.line))
            else:
                result.append(Passage(line.clip, line.start, line.end, (line.line,)))
        previous = line
    return result


def plan_apply(
    manifest: Manifest,
    timeline: Timeline,
    sheet: list[SheetLine],
    clips: list[ClipSentences],
    where: Path | str,
) -> dict[int, list[KeptSelection | NewSelection]]:
    """For each touchpoint the sheet changes, its new list of selections."""
    current = sheet_lines(manifest, timeline, clips)
    said = {group.clip: group.sentences for group in clips}
    tags = {slug(t.title): i for i, t in enumerate(manifest.touchpoints)}
    known_clips = {c.id for c in manifest.clips}
    for line in sheet:
        if line.clip not in known_clips:
            raise ManifestError(
                f"clip '{line.clip}' is not in the manifest",
                where=where,
                line=line.line,
                expected="a '## clip' heading naming a clip id of the manifest",
            )
        if line.ticked and line.tag not in tags:
            raise ManifestError(
                f"ticked sentence has the tag '#tp:{line.tag}'",
                where=where,
                line=line.line,
                expected="one of " + ", ".join(f"#tp:{tag}" for tag in tags),
                hint="Set the touchpoint the sentence belongs to, or untick it",
            )
    covered = {line.clip for line in sheet}
    cuts = {item.origin: item for item in timeline.items if isinstance(item, Cut)}
    changes: dict[int, list[KeptSelection | NewSelection]] = {}
    for tag, t in tags.items():
        wanted = passages(sheet, tag)
        before = passages(current, tag)
        if _spans(wanted) == _spans(before):
            continue
        touchpoint = manifest.touchpoints[t]
        entries: list[KeptSelection | NewSelection] = []
        taken: set[int] = set()
        for index, selection in enumerate(touchpoint.selections):
            if selection.clip not in covered:
                entries.append(KeptSelection(index))
                continue
            cut = cuts.get(selection.origin.field)
            if cut is None:
                continue
            cut_out = timeline.source_out(cut)
            for p, passage in enumerate(wanted):
                if p in taken or passage.clip != selection.clip:
                    continue
                if passage.start < cut_out and cut.source_in < passage.end:
                    taken.add(p)
                    # Keep what the facilitator wrote (quotes, say) when it already cuts
                    # exactly the ticked sentences; otherwise write the sentences' times.
                    unchanged = _cuts_exactly(
                        said.get(passage.clip, ()), passage, cut.source_in, cut_out
                    )
                    entries.append(
                        KeptSelection(index)
                        if unchanged
                        else KeptSelection(index, passage.start, passage.end)
                    )
                    break
        for p, passage in enumerate(wanted):
            if p not in taken:
                entries.append(NewSelection(passage.clip, passage.start, passage.end))
        if not entries:
            raise ManifestError(
                f"touchpoint '{touchpoint.title}' would have no selections left",
                where=where,
                expected=f"at least one sentence ticked with #tp:{tag}",
                hint="Tick a sentence for it, or remove the touchpoint from the manifest by hand",
            )
        changes[t] = entries
    return changes


def _cuts_exactly(
    said: tuple[Sentence, ...], passage: Passage, cut_in: float, cut_out: float
) -> bool:
    if not said:
        return False
    for sentence in said:
        inside = passage.start <= sentence.cut_in and sentence.cut_out <= passage.end
        if words_inside(sentence, cut_in, cut_out) != (len(sentence.words) if inside else 0):
            return False
    return True


def _spans(items: list[Passage]) -> list[tuple[str, float, float]]:
    return sorted((p.clip, p.start, p.end) for p in items)
