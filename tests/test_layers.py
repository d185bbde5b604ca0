"""The import layers of the package, read from the source (AST, so imports inside functions
count too): each room may import only the rooms listed for it. The evidence (``flow``) never
imports the prediction side, and nothing low imports anything high."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Rooms with no krtheory imports but errors (the floor everything stands on).
FLOOR = {"errors", "_validation", "_frozen", "_search", "precision", "_cache", "_version", "_lazy"}
#: For each room, the krtheory rooms it may import besides the floor (and itself).
ALLOWED = {
    "errors": set(),
    "_frozen": set(),
    "_validation": set(),
    "_search": set(),
    "_cache": set(),
    "_version": set(),
    "_lazy": set(),
    "precision": set(),
    "_linalg": set(),
    "problem": set(),
    "builtin_problems": {"problem"},
    "links": set(),
    "claims": set(),
    "references": {"_linalg", "problem"},
    "flow": {"problem"},
    "derive": {"links"},
    "families": {"derive", "links", "flow", "problem", "references", "solve"},  # references: the l1/l2 entries; solve: nuclear
    "solve": {"links", "problem", "_linalg"},
    "bounds": {"solve", "families", "derive", "references", "links", "problem"},
    "testing": {"problem", "families", "links", "derive", "solve", "flow", "references", "claims"},  # claims: the plugin tallies Claim.run
    "sweep": set(),
    "nets": {"_linalg"},
    "prove": {"links"},
    "experiments": {"problem", "links", "families", "derive", "solve", "flow", "references", "bounds",
                    "nets", "sweep", "_linalg"},
    "cli": {"*"},
    "__init__": {"*"},
    "__main__": {"cli"},
}


def room_of(path: Path) -> str:
    """``krtheory/solve/mp.py`` -> ``solve``; ``krtheory/links.py`` -> ``links``."""
    parts = path.relative_to(ROOT / "krtheory").with_suffix("").parts
    return parts[0]


def krtheory_imports(path: Path) -> set[str]:
    """The krtheory rooms a module imports (top-level or inside functions), and proofs_checks."""
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + ([f"{node.module}.{a.name}" for a in node.names]
                                     if node.module == "krtheory" else [])
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "proofs_checks":
                rooms.add("proofs_checks")
            elif parts[0] == "krtheory" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


MODULES = sorted((ROOT / "krtheory").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_room_imports_only_what_its_layer_allows(path):
    room = room_of(path)
    assert room in ALLOWED, f"{room} has no row in the layer table"
    allowed = ALLOWED[room]
    imported = krtheory_imports(path) - {room} - FLOOR
    if "*" in allowed:
        assert "proofs_checks" not in imported or room == "cli"
        return
    assert not imported - allowed, f"{path.relative_to(ROOT)} imports {sorted(imported - allowed)}"


def test_the_evidence_never_imports_the_prediction_side():
    for path in (ROOT / "krtheory" / "flow").rglob("*.py"):
        assert not krtheory_imports(path) & {"solve", "derive", "families", "links", "bounds"}, path


def test_the_checker_sees_lazy_imports(tmp_path):
    """Imports inside functions count (the lazy imports a sys.modules probe misses)."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from krtheory.solve.mp import solve_link\n    import proofs_checks\n")
    assert krtheory_imports(probe) == {"solve", "proofs_checks"}
