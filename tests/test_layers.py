"""Dependencies flow one way (README's layout): each layer imports only what is below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "igops"

# What each part of the package may import from igops (besides itself).
ALLOWED: dict[str, set[str]] = {
    "cli": {"engine", "render", "config", "model", "templates"},
    "engine": {
        "api",
        "config",
        "files",
        "normalize",
        "fields",
        "experience_types",
        "model",
        "atomic",
        "sandbox",
        "schemas",
        "analytics",
        "documents",
    },
    "render": {"engine", "model", "files", "analytics", "documents"},
    # The JSON documents (plan, drift, report, sitewide, monitor): below the engine, which saves plans.
    "documents": {"model", "analytics", "schemas"},
    "files": {"model", "schemas", "fields", "experience_types"},
    "templates": {"schemas"},
    "api": set(),
    "sandbox": set(),
    "normalize": {"fields", "model", "schemas"},
    "fields": set(),
    "model": {"analytics"},
    # Pure functions over the API's answers: below everything, like the field table.
    "analytics": set(),
    "errors": set(),
    "text": set(),
    "moments": set(),
    "statuses": set(),
}
# Below everything (the emulator alone does without them): the root of every error igops reports, the
# lifecycle's table of statuses and actions, and the wording every layer shares (counts, the characters
# that do not print, how a moment reads).
ROOT = {"errors", "statuses", "text", "moments"}
# The emulator's own command serves it; it is the one command that may reach it.
EXCEPTIONS = {"cli/sandbox_commands.py": {"sandbox"}}


def _igops_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "igops" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_layer_imports_only_what_is_below_it(part: str) -> None:
    files = sorted((PACKAGE / part).rglob("*.py")) if (PACKAGE / part).is_dir() else [PACKAGE / f"{part}.py"]
    assert files
    for path in files:
        relative = str(path.relative_to(PACKAGE))
        allowed = ALLOWED[part] | EXCEPTIONS.get(relative, set()) | {part, "__version__"}
        if part != "sandbox":
            allowed |= ROOT
        assert _igops_imports(path) <= allowed, f"{relative} imports {_igops_imports(path) - allowed}"
