"""Benchmark the archive index on 2,000 transcripts: build time, size, query p95.

    .venv/bin/python bench/search.py [--transcripts 2000] [--queries 200] [--seed 1]

Synthesises ``--transcripts`` transcripts from the sample archive's sentences (``clips/``):
each narrator tells 14-26 sentences drawn at random, many varied by swapping the people,
places, times and drinks they name ("the night nurses" becomes "the weekend physios"), with
word times laid out at a speaking pace and catalogue metadata (narrator, role, media type,
topics, title) drawn from the sample archive's. One in ten also carries its verbatim text, which
the index locates in the words as it does for a real archive.

Then builds the index (words, verbatim, metadata and sentence vectors) in a temporary cache and
times ``--queries`` word queries (phrases, prefixes, filters) and as many meaning queries, all
different (themes framed in different words, so nothing a cache remembers is timed), each one
as ``triggerfilm search`` runs it against the open index. Baselines, in the same run: for words,
the scan that answers without an index (``editplan.search.search`` over the same transcripts),
timed on a few queries, ``scan/index`` being its p95 over the index's; for meaning, the query
encoder with float32 weights (what the numpy encoder computed before int8) against the int8
one that searches, on the same queries.

Prints ``<n> transcripts``, the build time, the index size, then ``p95 <n> ms`` for word
queries and, last, for meaning queries (the target is 50 ms on 2 cores), each wall-clock time
followed by the query's CPU time (``time.process_time``): on a machine shared with other work,
the CPU time says what an idle machine's wall-clock time would be; the load average before and
after the timed queries says how shared it was. Before the last line, where a meaning query's
time goes: each stage's mean wall-clock and CPU time per query.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# (word as spoken in the samples, what it may become): the variation between transcripts.
SWAPS = {
    "nurse": ["nurse", "doctor", "physio", "consultant", "healthcare assistant"],
    "nurses": ["nurses", "doctors", "physios", "consultants", "porters"],
    "night": ["night", "evening", "weekend", "morning", "afternoon"],
    "nights": ["nights", "evenings", "weekends", "mornings"],
    "wife": ["wife", "husband", "partner", "mother", "son"],
    "father": ["father", "mother", "brother", "grandmother", "uncle"],
    "tea": ["tea", "coffee", "water", "soup"],
    "unit": ["unit", "ward", "ICU", "high dependency unit"],
    "kitchen": ["kitchen", "bathroom", "garden", "hallway"],
    "Friday": ["Friday", "Monday", "Sunday", "Wednesday"],
    "weeks": ["weeks", "months", "days"],
    "tablets": ["tablets", "leaflets", "appointments", "forms"],
}
WORD_QUERIES = [
    ("nurse", {}),
    ("cup of tea", {}),
    ("nurs*", {}),
    ('"night" "nurses"', {}),
    ("support group", {"role": "patient"}),
    ("home", {"media_type": "audio-only"}),
    ("machines", {"topic": "nights"}),
    ("recovery takes so long", {}),
    ("phys*", {"role": "family member"}),
    # A phrase with a stop word. "the" alone (every passage matches, each gets a BM25 score)
    # measured ~40 ms of CPU at this size: a query no facilitator needs, so not in the mix.
    ("the night", {}),
]
# Themes a facilitator might search for, each framed in several ways (THEME_FRAMES), so that
# every timed meaning query is a different text.
MEANING_QUERIES = [
    "nobody explained what the alarms meant",
    "hallucinations and paranoia about the staff",
    "we were not prepared for how long getting better would take",
    "relatives also need emotional support",
    "being treated with dignity as a human being",
    "kindness during the night",
    "leaving hospital abruptly without a plan",
    "feeling forgotten after moving to the ward",
]
THEME_FRAMES = [
    ("", ""),
    ("a patient says ", ""),
    ("a relative says ", ""),
    ("someone remembers ", ""),
    ("stories of ", ""),
    ("", " in intensive care"),
    ("", " after discharge"),
    ("talking about ", " on the unit"),
    ("a narrator describing ", ""),
    ("the moment of ", " at night"),
    ("", " for the family"),
    ("memories of ", " years later"),
    ("", ", said with feeling"),
    ("an interview about ", ""),
    ("", " in the first weeks"),
    ("what it was like: ", ""),
    ("", " (ICU)"),
    ("film clip: ", ""),
    ("", " and the fear"),
    ("remembering ", " in hospital"),
    ("experience of ", ""),
    ("", " for patients"),
    ("feedback about ", ""),
    ("", " again and again"),
    ("co-design theme: ", ""),
]


def meaning_queries(count: int, seed: int) -> list[str]:
    """``count`` different theme queries (repeated only past 200)."""
    texts = [f"{a}{theme}{b}" for theme in MEANING_QUERIES for a, b in THEME_FRAMES]
    random.Random(seed).shuffle(texts)
    return [texts[i % len(texts)] for i in range(count)]


def sample_archive() -> tuple[list[str], list[dict]]:
    catalogue = yaml.safe_load((ROOT / "clips" / "catalogue.yaml").read_text(encoding="utf-8"))
    clips = catalogue["clips"]
    said = [line.strip() for c in clips for line in c["transcript"].splitlines() if line.strip()]
    return said, clips


def vary(sentence: str, rng: random.Random) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return rng.choice(SWAPS[word]) if rng.random() < 0.5 else word

    return re.sub(r"\b(" + "|".join(SWAPS) + r")\b", swap, sentence)


def synthesise(count: int, seed: int):
    from triggerfilm.editplan.search import SearchDoc
    from triggerfilm.manifest.model import Narrator
    from triggerfilm.transcripts.model import Segment, Transcript, Word

    said, clips = sample_archive()
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        entry = rng.choice(clips)
        lines = [vary(rng.choice(said), rng) for _ in range(rng.randint(14, 26))]
        segments, t = [], 0.5
        for line in lines:
            words = []
            for token in line.split():
                length = 0.12 + 0.05 * len(token.strip(".,"))
                words.append(Word(round(t, 2), round(t + length, 2), " " + token, 0.9))
                t += length + 0.08
            segments.append(Segment(words[0].start, words[-1].end, line, tuple(words)))
            t += 0.9  # a pause between sentences
        transcript = Transcript(tuple(segments), "en", round(t, 2), "faster-whisper", "bench")
        narrator = entry["narrator"]
        docs.append(
            SearchDoc(
                clip=f"N{n:05d}-01",
                narrator=f"N{n:05d}",
                who=Narrator(descriptor=narrator["descriptor"], role=narrator["role"]),
                media_type=entry["media_type"],
                title=vary(entry["title"], rng),
                topics=tuple(entry.get("topics", ())),
                verbatim="\n".join(lines) if n % 10 == 0 else None,
                transcript=transcript,
                archive="bench",
                archive_clip=f"N{n:05d}-01",
            )
        )
    return docs


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200, help="of each kind")
    parser.add_argument(
        "--scan-queries", type=int, default=2, help="baseline scans to time (each is slow)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="triggerfilm-bench-search-") as cache:
        os.environ["TRIGGERFILM_CACHE"] = cache
        from triggerfilm.archiveindex import meaning
        from triggerfilm.archiveindex.build import update_index
        from triggerfilm.archiveindex.query import (
            StageTimes,
            meaning_matrix,
            search_meaning,
            search_words,
        )
        from triggerfilm.editplan.search import SearchQuery, search

        started = time.perf_counter()
        docs = synthesise(args.transcripts, args.seed)
        made_s = time.perf_counter() - started
        sentences = sum(len(d.transcript.segments) for d in docs)
        print(f"{len(docs)} transcripts ({sentences} sentences, made in {made_s:.1f} s)")

        path = Path(cache) / "index" / "bench.sqlite"
        started = time.perf_counter()
        report = update_index(path, {"bench": args.seed}, docs, with_meaning=True)
        build_s = time.perf_counter() - started
        print(
            f"build {build_s:.1f} s: {report.passages} passages, {report.embedded} distinct "
            f"sentence vectors; index size {report.size / 1e6:.1f} MB"
        )

        connection = sqlite3.connect(path)
        connection.row_factory = sqlite3.Row
        word_ms, word_cpu = [], []
        word_load = os.getloadavg()[0]
        for i in range(args.queries):
            text, filters = WORD_QUERIES[i % len(WORD_QUERIES)]
            started, cpu = time.perf_counter(), time.process_time()
            search_words(connection, SearchQuery(text, **filters), 50)
            word_ms.append((time.perf_counter() - started) * 1000)
            word_cpu.append((time.process_time() - cpu) * 1000)

        scan_ms = []
        for i in range(args.scan_queries):
            text, filters = WORD_QUERIES[i % len(WORD_QUERIES)]
            started = time.perf_counter()
            search(docs, SearchQuery(text.strip('"*'), **filters))
            scan_ms.append((time.perf_counter() - started) * 1000)

        print(
            f"word queries: {len(word_ms)}, p95 {p95(word_ms):.0f} ms (CPU time p95 "
            f"{p95(word_cpu):.0f} ms); scan without index: p95 {p95(scan_ms):.0f} ms over "
            f"{len(scan_ms)} queries; scan/index={p95(scan_ms) / p95(word_ms):.0f}; load "
            f"average (1 min) {word_load:.1f} before them"
        )
        if not meaning.available():
            print("meaning queries: skipped (the sentence-embedding model is not installed)")
            return
        started = time.perf_counter()
        search_meaning(connection, path, SearchQuery("a warm-up theme, not timed"), 10)
        first_s = time.perf_counter() - started
        print(f"meaning: first query (loads the model and the vectors) {first_s:.2f} s")
        texts = meaning_queries(args.queries, args.seed)
        times = StageTimes()
        meaning_ms, meaning_cpu = [], []
        load_before = os.getloadavg()[0]
        for text in texts:
            started, cpu = time.perf_counter(), time.process_time()
            search_meaning(connection, path, SearchQuery(text), 10, times=times)
            meaning_ms.append((time.perf_counter() - started) * 1000)
            meaning_cpu.append((time.process_time() - cpu) * 1000)
        load_after = os.getloadavg()[0]
        rows = len(meaning_matrix(connection, path).ids)
        connection.close()
        compare_encoders(texts)
        stages = ", ".join(
            f"{name} {times.wall[name] * 1000 / len(texts):.1f}/"
            f"{times.cpu[name] * 1000 / len(texts):.1f}"
            for name in times.wall
        )
        print(f"meaning query stages ({rows} passage vectors), mean wall/CPU ms a query: {stages}")
        print(
            f"load average (1 min) {load_before:.1f} before and {load_after:.1f} after the "
            f"meaning queries, on {os.cpu_count()} CPUs"
        )
        print(
            f"meaning queries: {len(meaning_ms)} different, p95 {p95(meaning_ms):.0f} ms "
            f"(CPU time p95 {p95(meaning_cpu):.0f} ms)"
        )


def compare_encoders(texts: list[str]) -> None:
    """The query encoder that searches (int8 weights) against the same model with float32
    weights, on the same queries: CPU time per query and how close their vectors are."""
    from triggerfilm.archiveindex import meaning

    source = meaning.model_dir()
    with tempfile.TemporaryDirectory(prefix="triggerfilm-bench-float32-") as folder:
        target = Path(folder) / "float32"
        baseline = meaning.SentenceEncoder(
            source, meaning.convert(source, target, "float32"), "float32"
        )
        ours = meaning.encoder()
        tokenise_cpu = []
        cpu: dict[str, list[float]] = {"int8": [], "float32": []}
        agreement = []
        for text in texts:
            started = time.process_time()
            ours.tokenizer.encode_batch([text])
            tokenise_cpu.append((time.process_time() - started) * 1000)
            vectors = []
            for name, model in (("int8", ours), ("float32", baseline)):
                started = time.process_time()
                vectors.append(model.encode([text])[0])
                cpu[name].append((time.process_time() - started) * 1000)
            agreement.append(float(vectors[0] @ vectors[1]))
    print(
        f"query encoding, CPU ms p95: int8 {p95(cpu['int8']):.1f} (tokenising "
        f"{p95(tokenise_cpu):.2f}), float32 {p95(cpu['float32']):.1f}; "
        f"float32/int8={p95(cpu['float32']) / p95(cpu['int8']):.1f}; "
        f"vectors agree to cosine {min(agreement):.3f} at worst"
    )


if __name__ == "__main__":
    main()
