"""The import direction of docs/architecture.md, checked rather than kept by hand.

Foundations import no stage; no stage imports ``app/`` or a face; ``app/`` imports no face.
Every ``import`` in the package is read with ``ast`` (deferred imports inside functions too).
"""

from __future__ import annotations

import ast
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
