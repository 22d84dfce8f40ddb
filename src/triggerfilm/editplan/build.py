"""Resolve the manifest's selections into a frame-exact timeline.

Quotes become word times, times are checked against the clip, cut points are padded away from
the words (Whisper's word times are only good to a few hundred milliseconds) and snapped to the
output frame grid. Cards open the film, each touchpoint, and close it with the credits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NoReturn

from ..errors import ManifestError
from ..manifest.model import Anchor, Manifest, Selection
from ..media.probe import MediaInfo
from ..sources.resolve import SourceClip
from ..transcripts.model import Transcript, Word
from .ordering import interleave
from .quotes import QuoteNotFound, find_quote
from .redact import find_redactions, replace_words
from .safecuts import settle_cut
from .timeline import Card, Cut, Item, Timeline, holds_word

NATIONAL_SAMPLE = (
    "These narrators are a national sample of people sharing their experiences, "
    "not patients of this service."
)

# Cut this far outside the first and last quoted word, unless a neighbouring word is closer.
DEFAULT_PAD = 0.3
# The shortest passage a film may use. Shorter is no passage of speech (a syllable, a frame or
# two): a time typed wrongly (`to: 12.0` for `to: 21.0`, two times a hair apart) would
# otherwise become a silent flash in the film.
MIN_PASSAGE_SECONDS = 0.5


@dataclass(frozen=True)
class ClipMaterial:
    """Everything the edit plan needs to know about one clip."""

    source: SourceClip
    media: MediaInfo
    transcript: Transcript


def build_timeline(
    manifest: Manifest, material: dict[str, ClipMaterial], *, pad: float = DEFAULT_PAD
) -> Timeline:
    """The film as the manifest describes it: an opening card, then per touchpoint its card and
    one ``Cut`` per selection (interleaved by narrator unless the touchpoint says not), then the
    credits; no cards at all when ``output.card_seconds`` is 0.

    ``material`` holds every clip's source, probe and transcript by clip id. A selection that
    cannot be cut (a quote not found, a time past the clip's end) raises ManifestError at its
    line; a cut that lands inside a word is kept and listed in ``Timeline.warnings``.
    """
    out = manifest.output
    fps = out.fps
    card_frames = round(out.card_seconds * fps)
    items: list[Item] = []
    warnings: list[str] = []
    if card_frames:
        items.append(Card("opening", manifest.title, card_frames, subtitle=manifest.description))
    for t, touchpoint in enumerate(manifest.touchpoints):
        if card_frames:
            items.append(
                Card(
                    "touchpoint",
                    touchpoint.title,
                    card_frames,
                    subtitle=touchpoint.description,
                    touchpoint=t,
                )
            )
        selections = list(touchpoint.selections)
        if touchpoint.interleave:
            selections = interleave(selections, lambda s: material[s.clip].source.narrator)
        for selection in selections:
            clip = material[selection.clip]
            items.append(_cut(manifest, selection, clip, t, fps, pad, warnings))
    if card_frames:
        items.append(Card("credits", "Credits", card_frames, subtitle=_credits(manifest, material)))
    return Timeline(
        title=manifest.title,
        fps=fps,
        width=out.width,
        height=out.height,
        items=tuple(items),
        touchpoints=tuple(t.title for t in manifest.touchpoints),
        caption_profile=out.caption_profile,
        speaker_labels=out.speaker_labels,
        manifest=str(manifest.path),
        manifest_sha256=hashlib.sha256(manifest.path.read_bytes()).hexdigest(),
        warnings=tuple(warnings),
    )


def _cut(
    manifest: Manifest,
    selection: Selection,
    clip: ClipMaterial,
    touchpoint: int,
    fps: int,
    pad: float,
    warnings: list[str],
) -> Cut:
    words = clip.transcript.words
    duration = clip.media.duration
    start, first_word = _resolve(manifest, selection, "from", selection.start, words, 0.0)
    end, last_word = _resolve(manifest, selection, "to", selection.end, words, start)
    if first_word is not None:
        previous = words[first_word - 1].end if first_word > 0 else 0.0
        start = max(start - pad, (previous + start) / 2, 0.0)
    if last_word is not None:
        following = words[last_word + 1].start if last_word + 1 < len(words) else duration
        end = min(end + pad, (end + following) / 2, duration)
    for key, anchor, value in (("from", selection.start, start), ("to", selection.end, end)):
        if value > duration + 1.0 / fps:
            _fail(
                manifest,
                selection,
                key,
                anchor,
                f"is {value:.2f} s, past the end of clip '{selection.clip}' ({duration:.2f} s)",
                expected=f"a time between 0 and {duration:.2f} s",
            )
    end = min(end, duration)
    if end <= start:
        _fail(
            manifest,
            selection,
            "to",
            selection.end,
            f"ends at {end:.2f} s, not after the start ({start:.2f} s)",
            expected="a passage that ends after it starts",
            hint="Check that 'from' and 'to' are the right way round",
        )
    if end - start < MIN_PASSAGE_SECONDS:
        title = manifest.touchpoints[touchpoint].title
        _fail(
            manifest,
            selection,
            "to",
            selection.end,
            f"the passage of clip '{selection.clip}' in touchpoint '{title}' lasts only "
            f"{end - start:.2g} s ({start:.2f}–{end:.2f} s)",
            expected=f"a passage of at least {MIN_PASSAGE_SECONDS} s",
            hint="Check the times, or quote the first and last words of the passage",
        )
    speech = clip.transcript.speech
    first_at = words[first_word].start if first_word is not None else None
    last_at = words[last_word].end if last_word is not None else None
    start = settle_cut(start, speech, not_after=first_at)
    end = settle_cut(end, speech, not_before=last_at)
    for key, point in (("from", start), ("to", end)):
        cut_word = next((w for w in words if w.start + 0.02 < point < w.end - 0.02), None)
        if cut_word is not None:
            warnings.append(
                f"{selection.origin.field}.{key}: the cut at {point:.2f} s in clip "
                f"'{selection.clip}' lands inside the word '{cut_word.clean}'; listen to it, "
                "or move it by quoting the words instead"
            )
    first_frame = round(start * fps)
    frames = max(1, round(end * fps) - first_frame)
    source_in = first_frame / fps
    source_out = source_in + frames / fps
    spoken = tuple(w for w in words if holds_word(source_in, source_out, w))
    mute, missing = find_redactions(spoken, selection.redact, source_in, source_out)
    if missing:
        item = selection.redact[missing[0]]
        _fail(
            manifest,
            selection,
            f"redact[{missing[0]}]",
            Anchor(line=item.line),
            f'"{item.words}" is not spoken in this selection'
            if item.words
            else f"{item.start:g}–{item.end:g} s lies outside this selection",
            expected="words spoken (or a time range) inside the selected passage",
        )
    if mute:
        spoken = replace_words(spoken, mute, manifest.output.redaction_text)
    src = clip.source
    return Cut(
        clip_id=src.id,
        source=str(src.path),
        source_sha256=src.sha256,
        source_in=source_in,
        frames=frames,
        touchpoint=touchpoint,
        narrator=src.narrator,
        descriptor=src.who.descriptor,
        media_type=src.media_type or clip.media.media_type,
        words=spoken,
        has_audio=clip.media.has_audio,
        redactions=tuple(mute),
        valence=selection.valence,
        origin=selection.origin.field,
    )


def _resolve(
    manifest: Manifest,
    selection: Selection,
    key: str,
    anchor: Anchor,
    words: list[Word],
    after: float,
) -> tuple[float, int | None]:
    """Seconds for one end of a selection, and the index of the quoted word it came from."""
    if anchor.seconds is not None:
        return anchor.seconds, None
    assert anchor.quote is not None
    try:
        match = find_quote(words, anchor.quote, after=after)
    except QuoteNotFound as missing:
        listed = "; ".join(f'{c.start:.1f}–{c.end:.1f} s "{c.text}"' for c in missing.candidates)
        problem = "matches more than one place" if missing.ambiguous else "is not in the transcript"
        _fail(
            manifest,
            selection,
            key,
            anchor,
            f'quote "{anchor.quote}" {problem}',
            expected="a few words as spoken in the clip"
            + (f"; closest: {listed}" if listed else ""),
            hint="Quote more words to make it unique, or give a time in seconds"
            if missing.ambiguous
            else "Check the words with `triggerfilm transcript`",
        )
    if key == "from":
        return match.start, match.first
    return match.end, match.last


def _fail(
    manifest: Manifest, selection: Selection, key: str, anchor: Anchor, message: str, **say: str
) -> NoReturn:
    """Stop at ``selection``'s ``key``; ``say`` may add ``expected`` and ``hint``."""
    line = anchor.line or selection.origin.line
    field = f"{selection.origin.field}.{key}"
    raise ManifestError(message, where=manifest.path, line=line, field=field, **say)


def _credits(manifest: Manifest, material: dict[str, ClipMaterial]) -> str:
    lines = []
    if manifest.credits:
        lines.append(manifest.credits)
    lines += dict.fromkeys(m.source.terms.attribution for m in material.values() if m.source.terms)
    narrators = sorted({m.source.narrator for m in material.values()})
    lines.append("Narrators: " + ", ".join(narrators))
    if any(ref.archive for ref in manifest.clips):
        # Toolkit practice for accelerated EBCD: say plainly whose stories these are.
        lines.append(NATIONAL_SAMPLE)
    return "\n".join(lines)
