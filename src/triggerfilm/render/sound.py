"""The film's sound to AAC, in pieces encoded at once, split inside the silent cards.

The AAC encoder is single-threaded, and encoding the whole film's sound is most of a re-cut
(bench/render.py). The film's sound is therefore cut into pieces at points inside its silent
cards, and the pieces are encoded side by side, then joined frame by frame (ADTS frames
concatenate). The result plays exactly as one encode would:

- Each piece starts ``PRIMING`` samples late: the encoder's priming frame stands in for those
  samples, which are silence (they lie inside a card), so the decoded sound lines up with the
  picture sample for sample, with no edit list needed. (The film starts with its opening card,
  silent too, so the first piece works the same way.)
- Every piece but the last is a whole number of AAC frames long and is stopped after exactly
  that many frames, so nothing is added or lost at a join.
- A join lies at least ``MARGIN`` inside the silence, so the MDCT overlap between the last frame
  of one piece and the first of the next is silence on both sides, and a limiter in the filter
  chain starts each piece in the state it would have reached anyway (nothing to limit).

A film without an opening card or a card long enough to split in is encoded in one piece.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..media.ffmpeg import run_ffmpeg, run_parallel

# The film's sound. The "fast" coder: encoding the whole film's sound is most of a re-cut's
# join, and twoloop takes about half as long again; ffmpeg's AAC maintainer found fast the
# better of the two at high bit rates (FFmpeg commit fcb681ac, "aacenc: use the fast coder as
# the default", 2018).
AAC_ARGS = ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k")
FRAME = 1024  # samples in an AAC-LC frame
PRIMING = 1024  # the encoder's delay: its first frame holds no input
MARGIN = 24000  # half a second at 48 kHz: how far inside a card's silence a join lies


@dataclass(frozen=True)
class Piece:
    """Film samples ``start`` to ``end``, read from the segment list starting at ``item``."""

    item: int
    start: int
    end: int
    frames: int | None  # AAC frames to keep; None for the last piece (it runs to the end)


def plan_pieces(lengths: list[int], silent: list[bool], pieces: int) -> list[Piece]:
    """At most ``pieces`` pieces of the film whose items hold ``lengths`` samples each
    (``silent``: items that are silence throughout), joined inside silent items.

    One piece (the whole film) when it cannot be split: no silent first item, or no silent
    item long enough to split in.
    """
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    total = starts[-1]
    whole = [Piece(0, 0, total, None)]
    if pieces < 2 or not lengths or not silent[0] or lengths[0] < PRIMING:
        return whole
    # One candidate join per silent item: the frame boundary nearest its middle, MARGIN deep.
    candidates: list[tuple[int, int]] = []
    for index in range(1, len(lengths)):
        if not silent[index]:
            continue
        low = -(-(starts[index] + MARGIN) // FRAME) * FRAME
        high = (starts[index + 1] - MARGIN - PRIMING) // FRAME * FRAME
        if low <= high:
            middle = (starts[index] + starts[index + 1]) // 2 // FRAME * FRAME
            candidates.append((index, min(max(middle, low), high)))
    # Joins nearest the points that would cut the film into equal pieces.
    chosen: dict[int, tuple[int, int]] = {}
    for k in range(1, pieces):
        ideal = total * k / pieces
        nearest = min(candidates, key=lambda c: abs(c[1] - ideal), default=None)
        if nearest is not None:
            chosen[nearest[1]] = nearest
    joins = [chosen[p] for p in sorted(chosen)]
    if not joins:
        return whole
    starts_at = [(0, 0), *joins]
    ends = [sample for _, sample in joins]
    result = [
        Piece(item, start, end, (end - start) // FRAME)
        for (item, start), end in zip(starts_at, ends, strict=False)
    ]
    item, start = starts_at[-1]
    return [*result, Piece(item, start, total, None)]


def adts_frames(data: bytes) -> int:
    """How many ADTS frames ``data`` holds (each header gives its frame's length)."""
    count = offset = 0
    while offset + 7 <= len(data):
        if data[offset] != 0xFF or data[offset + 1] & 0xF0 != 0xF0:
            raise ValueError(f"no ADTS frame at byte {offset}")
        header = data[offset + 3 : offset + 6]
        length = ((header[0] & 0x03) << 11) | (header[1] << 3) | (header[2] >> 5)
        if length < 7:
            raise ValueError(f"an ADTS frame of {length} bytes at byte {offset}")
        offset += length
        count += 1
    return count


def encode_sound(
    segments: list[Path],
    lengths: list[int],
    silent: list[bool],
    audio_filter: str | None,
    out: str,
    work: Path,
    jobs: int,
) -> bool:
    """The joined sound of ``segments``, through ``audio_filter``, as AAC (ADTS) in
    ``work/out``, encoded ``jobs`` pieces at a time.

    False when the film cannot be split (see :func:`plan_pieces`) or a piece did not come out
    frame-exact: the caller then encodes the sound in one piece.
    """
    if jobs < 2:
        return False  # one at a time is no quicker than one piece
    # Twice as many pieces as workers: the cards fall where they fall, and smaller pieces
    # share out more evenly.
    pieces = plan_pieces(lengths, silent, jobs * 2)
    if len(pieces) < 2:
        return False
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + length)

    def encode(number: int, piece: Piece) -> Path:
        listing = f"sound-{number}.txt"
        (work / listing).write_text(
            "".join(f"file '{_concat_quote(p)}'\n" for p in segments[piece.item :]), "utf-8"
        )
        offset = starts[piece.item]
        # The first PRIMING samples of the piece are silence: the priming frame replaces them.
        trim = f"atrim=start_sample={piece.start + PRIMING - offset}"
        trim += f":end_sample={piece.end - offset},asetpts=N/SR/TB"
        chain = ",".join(f for f in (trim, audio_filter) if f)
        limit = [] if piece.frames is None else ["-frames:a", str(piece.frames)]
        name = f"sound-{number}.aac"
        run_ffmpeg(
            ["-f", "concat", "-safe", "0", "-i", listing, "-vn", "-sn", "-af", chain,
             *AAC_ARGS, *limit, "-f", "adts", name],
            "encoding the film's sound",
            cwd=work,
        )  # fmt: skip
        return work / name

    # Longest first, so the last to start is a short one.
    order = sorted(range(len(pieces)), key=lambda i: pieces[i].start - pieces[i].end)
    made = dict(zip(order, run_parallel(lambda i: encode(i, pieces[i]), order, jobs), strict=True))
    encoded = [made[i] for i in range(len(pieces))]
    for piece, path in zip(pieces, encoded, strict=True):
        if piece.frames is not None and adts_frames(path.read_bytes()) != piece.frames:
            return False
    # ADTS frames follow one another with nothing between: the pieces are joined as they are.
    with (work / out).open("wb") as joined:
        for path in encoded:
            with path.open("rb") as piece_file:
                shutil.copyfileobj(piece_file, joined)
            path.unlink()
    return True


def _concat_quote(path: Path) -> str:
    # The concat demuxer's list syntax escapes a single quote as '\''.
    return str(path).replace("'", "'\\''")
