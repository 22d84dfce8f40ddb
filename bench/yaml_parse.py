"""Reading a large manifest or catalogue: libyaml's event parser under our checking composer,
against PyYAML's pure-Python parser under the same composer.

    .venv/bin/python bench/yaml_parse.py [--clips 4000]

A hostile (or just large) document just under the size limit took minutes to read with the
pure-Python parser on a busy two-core machine, which looks like a hang. Both runs below use the
same checks (aliases, tags, duplicate keys, field lines); only the event source differs. The
last line is::

    libyaml events: A s, pure Python: B s, ratio B/A = R
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import yaml

from triggerfilm.yamlread import located


def catalogue_text(clips: int) -> str:
    entries = "".join(
        f'  - id: C{i:05d}\n    interview: I{i:05d}\n    title: "Clip number {i}"\n'
        f"    media: c{i}.mp4\n    topics: [nights, going-home]\n"
        f'    narrator: {{descriptor: "woman, 40s, patient", role: patient}}\n'
        for i in range(clips)
    )
    return f"archive: {{name: Bench, attribution: Test}}\nclips:\n{entries}"


def timed(text: str) -> float:
    start = time.perf_counter()
    located.parse_located(text, "bench.yaml")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4000)
    args = parser.parse_args()
    text = catalogue_text(args.clips)
    print(f"document: {len(text) / 2**20:.2f} MiB, {args.clips} clips")
    fast = timed(text)
    # The same module loaded again with libyaml hidden: the composer falls back to PyYAML's
    # pure-Python event source (the one used before).
    saved = yaml._yaml
    yaml._yaml = None
    try:
        spec = importlib.util.spec_from_file_location(
            "triggerfilm.yamlread.bench_pure", located.__file__
        )
        pure = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pure)
    finally:
        yaml._yaml = saved
    assert pure._LimitedLoader.__mro__[1] is yaml.SafeLoader
    start = time.perf_counter()
    pure.parse_located(text, "bench.yaml")
    slow = time.perf_counter() - start
    print(f"libyaml events: {fast:.2f} s, pure Python: {slow:.2f} s, ratio B/A = {slow / fast:.1f}")


if __name__ == "__main__":
    main()
