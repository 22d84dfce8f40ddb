"""Every page of docs/ that the code, the help texts or the docs point a reader at exists.

A reference to a page that is not there (a docstring once sent readers to a "domain.md" that
never was in the repository) leaves a newcomer with nowhere to go, and nothing else notices it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
# Files a user writes or triggerfilm makes, named like pages: a manifest's cut sheet.
NOT_PAGES = {"cutsheet.md"}


def _source_texts() -> list[tuple[Path, str]]:
    files = [p for p in (ROOT / "src").rglob("*") if p.suffix in (".py", ".html", ".js")]
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(files)]


def test_every_page_the_code_and_its_help_texts_name_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path, text in _source_texts()
        for name in re.findall(r"\b([\w-]+\.md)\b", text)
        if name not in NOT_PAGES and not (DOCS / name).is_file()
    ]
    assert not missing, missing


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_and_named_page_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        target = link.split("#", 1)[0]
        if re.match(r"[a-z]+:", link) or not target:
            continue
        if not (page.parent / target).exists():
            broken.append(link)
    broken += [
        name for name in re.findall(r"\bdocs/([\w-]+\.md)\b", text) if not (DOCS / name).is_file()
    ]
    assert not broken, broken


def test_every_source_file_the_architecture_page_names_exists() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)", text))
    assert named  # the page names files such as app/render.py
    package = ROOT / "src" / "triggerfilm"
    missing = sorted(n for n in named if not (package / n).is_file() and not (ROOT / n).is_file())
    assert not missing, missing


def test_every_rule_the_subtitle_checker_reports_is_in_the_captions_page() -> None:
    # check-subs --help sends readers to docs/captions.md for what each finding means.
    checker = ROOT / "src" / "triggerfilm" / "captions" / "check"
    text = "".join(p.read_text(encoding="utf-8") for p in checker.glob("*.py"))
    rules = set(
        re.findall(r'"((?:format|timing|text|speed|duration|gap|speaker|sync)\.[a-z-]+)"', text)
    )
    assert len(rules) > 20
    page = (DOCS / "captions.md").read_text(encoding="utf-8")
    undocumented = sorted(
        r for r in rules if f"`{r}`" not in page and f"`{r.split('.')[0]}.*`" not in page
    )
    assert not undocumented, undocumented
