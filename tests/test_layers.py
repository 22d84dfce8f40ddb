"""The import direction of docs/architecture.md, checked rather than kept by hand.

Foundations import no stage; no stage imports ``app/`` or a face; ``app/`` imports no face; a
face takes from the stages and foundations only what it needs to present (types, constants, a
few formatters) and does everything else through ``app/``. Every ``import`` in the package is
read with ``ast`` (deferred imports inside functions too).
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import re
import types
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "triggerfilm"
# ``python -m triggerfilm`` is the command line too.
FACES = {"cli", "studio", "__main__"}
FOUNDATIONS = {"store", "yamlread", "errors", "notices", "timefmt", "htmlpage"}
# What every module may use: the package's version, and the foundations.
ANYONE = FOUNDATIONS | {"__init__"}


def _part(module: Path) -> str:
    """The layer unit a module belongs to: its top folder, or its own name at the top."""
    relative = module.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_parts(module: Path) -> set[str]:
    """The top-level parts of ``triggerfilm`` that ``module`` imports."""
    package = list(module.relative_to(PACKAGE).parent.parts)
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "triggerfilm":
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.add(target[0])
            else:  # ``from .. import app``: the names are the parts
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "triggerfilm" and len(names) > 1:
                    found.add(names[1])
    return found


def _imports() -> dict[Path, set[str]]:
    return {module: _imported_parts(module) - {_part(module)} for module in PACKAGE.rglob("*.py")}


def test_the_layer_rule_reads_real_imports():
    imports = _imports()
    assert "app" in imports[PACKAGE / "cli" / "film.py"]
    assert "captions" in imports[PACKAGE / "app" / "render.py"]
    assert "store" in imports[PACKAGE / "render" / "film.py"]


def test_no_stage_or_foundation_imports_app_or_a_face():
    wrong = {
        str(module.relative_to(PACKAGE)): sorted(parts & (FACES | {"app"}))
        for module, parts in _imports().items()
        if _part(module) not in FACES | {"app"} and parts & (FACES | {"app"})
    }
    assert wrong == {}


def test_app_imports_no_face():
    wrong = {
        str(module.relative_to(PACKAGE)): sorted(parts & FACES)
        for module, parts in _imports().items()
        if _part(module) == "app" and parts & FACES
    }
    assert wrong == {}


def test_foundations_import_no_stage():
    wrong = {
        str(module.relative_to(PACKAGE)): sorted(parts - ANYONE)
        for module, parts in _imports().items()
        if _part(module) in FOUNDATIONS and parts - ANYONE
    }
    assert wrong == {}


# What a face may take from a stage or a foundation besides a value type (a dataclass, an enum,
# an error to catch) and a constant: functions that only turn a value into text, each with why.
PRESENTATION = {
    "triggerfilm.captions.check.format_text": "a CheckReport as the checker's lines of text",
    "triggerfilm.editplan.search.format_hits": "search hits as the table search prints",
    "triggerfilm.transcripts.whisper_models.display_name": "the model name a user types",
    "triggerfilm.timefmt.length_words": "a film's length in words",
    "triggerfilm.timefmt.mmss": "a time as m:ss",
    "triggerfilm.timefmt.source_time": "a time as a manifest writes it",
    "triggerfilm.errors.terminal_safe": "a message with its control characters escaped",
}
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*|__[a-z]+__")


def _face_imports(source: str, module: Path) -> Iterator[tuple[str, str]]:
    """(module, name) for each name that ``source`` (the text of the face ``module``) imports
    from a stage or a foundation; ``name`` is empty for a plain ``import triggerfilm.x``."""
    package = ["triggerfilm", *module.relative_to(PACKAGE).parent.parts]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                dotted = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.split(".")[0] == "triggerfilm":
                dotted = node.module
            else:
                continue
            for alias in node.names:
                # ``from .. import app``: the name is the part.
                target = f"{dotted}.{alias.name}" if dotted == "triggerfilm" else dotted
                if target.split(".")[1] not in FACES | {"app"}:
                    yield dotted, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "triggerfilm" and len(parts) > 1 and parts[1] not in FACES | {"app"}:
                    yield alias.name, ""


def _why_a_face_may_take(dotted: str, name: str) -> str | None:
    """Why a face may import ``name`` from ``dotted``, or None: then it is the stage's work."""
    if not name:
        return None  # a whole module: every function in it within reach
    holder = importlib.import_module(dotted)
    value = (
        getattr(holder, name)
        if hasattr(holder, name)
        else importlib.import_module(f"{dotted}.{name}")
    )
    if isinstance(value, types.ModuleType):
        return None  # a whole module: every function in it within reach
    if isinstance(value, type):
        if dataclasses.is_dataclass(value) or issubclass(value, BaseException | enum.Enum):
            return "a value type"
        return None  # a class that does work (an editor, a cache)
    if callable(value):
        qualified = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        return PRESENTATION.get(qualified)
    return "a constant" if _CONSTANT.fullmatch(name) else None


def _faces() -> list[Path]:
    return [m for m in PACKAGE.rglob("*.py") if _part(m) in FACES]


def test_faces_take_from_stages_only_types_constants_and_presentation():
    wrong = sorted(
        f"{module.relative_to(PACKAGE)}: {dotted} {name or '(the module)'}"
        for module in _faces()
        for dotted, name in _face_imports(module.read_text(encoding="utf-8"), module)
        if _why_a_face_may_take(dotted, name) is None
    )
    assert wrong == [], "a face calls a stage itself: put that behind a use case in app/"


def test_the_face_rule_refuses_a_stage_action_and_a_stage_module():
    face = PACKAGE / "cli" / "film.py"
    for line in (
        "from ..manifest.init import starter_manifest",
        "from ..transcripts import whisper_models",
        "import triggerfilm.store",
        "from ..manifest.rewrite import ManifestEditor",
        "from ..store import write_text",
    ):
        assert [_why_a_face_may_take(*found) for found in _face_imports(line, face)] == [None]
    allowed = "from ..manifest.model import CONSENT_USES\nfrom .. import app, __version__"
    assert all(_why_a_face_may_take(*found) for found in _face_imports(allowed, face))


def test_every_presentation_helper_is_used_by_a_face():
    used = {
        f"{value.__module__}.{value.__qualname__}"
        for module in _faces()
        for dotted, name in _face_imports(module.read_text(encoding="utf-8"), module)
        if name and callable(value := getattr(importlib.import_module(dotted), name, None))
    }
    assert set(PRESENTATION) <= used, "an allow-list entry no face needs any more: remove it"


# app/'s working set and the steps that fill it: a face calls a use case and gets typed results.
WORKING_SET = {"Prepared", "prepare", "transcribe_all", "prepared"}


def _working_set_uses(source: str) -> list[str]:
    """Names of app/'s working set that ``source`` imports or reaches as an attribute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            found += [p for p in parts if p in WORKING_SET]
            found += [a.name for a in node.names if a.name in WORKING_SET]
        elif isinstance(node, ast.Attribute) and node.attr in WORKING_SET:
            found.append(node.attr)
    return found


def test_prepared_never_leaves_app():
    wrong = {
        str(module.relative_to(PACKAGE)): used
        for module in _faces()
        if (used := _working_set_uses(module.read_text(encoding="utf-8")))
    }
    assert wrong == {}
    for line in (
        "from ..app.prepared import plan",
        "from ..app import Prepared",
        "from .. import app\nx = app.prepare(path)",
    ):
        assert _working_set_uses(line), line
