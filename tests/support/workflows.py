"""Reading the GitHub workflows and the composite action as GitHub does, for the tests of the GitOps loop."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from igops.files.yamldoc import parse
from igops.templates import STORE_ACTION, THIS_REPOSITORY_ACTION, WORKFLOWS, render_workflow

REPO = Path(__file__).resolve().parents[2]
ACTION_FILE = REPO / "action.yml"


def load_yaml(text: str) -> dict[str, Any]:
    """YAML 1.2, as GitHub reads workflows: `on` is a key, not the boolean PyYAML makes of it."""
    document = parse(text)
    assert document is not None and isinstance(document.value, dict)
    return document.value


def store_workflows() -> dict[str, dict[str, Any]]:
    """The workflows igops init writes for a store's repository, by file name."""
    return {name: load_yaml(render_workflow(name, STORE_ACTION)) for name in WORKFLOWS}


def repo_workflows() -> dict[str, dict[str, Any]]:
    """Every workflow of this repository (its CI and its own copies of the igops workflows)."""
    return {
        path.name: load_yaml(path.read_text(encoding="utf-8"))
        for path in sorted((REPO / ".github" / "workflows").glob("*.yml"))
    }


def action() -> dict[str, Any]:
    return load_yaml(ACTION_FILE.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any], job: str | None = None) -> list[dict[str, Any]]:
    """The steps of every job in order, or of `job`."""
    return [step for name, spec in workflow["jobs"].items() if job in (None, name) for step in spec["steps"]]


def igops_steps(workflow: dict[str, Any], job: str | None = None) -> list[dict[str, Any]]:
    """The steps that run igops through its action, in order (of every job, or of `job`)."""
    actions = (STORE_ACTION, THIS_REPOSITORY_ACTION)
    return [step for step in steps(workflow, job) if step.get("uses") in actions]


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
# What the jobs per store make of their matrix entry's store: `matrix.store && format('-{0}', matrix.store)
# || ''` is '-us' for the store us, '' in a repository without stores (whose entry's store is "").
_PER_STORE = re.compile(
    r"matrix\.store\s*&&\s*format\('(?P<template>[^']*)',\s*matrix\.store\)\s*\|\|\s*'(?P<without>[^']*)'"
)


def evaluated(text: str, context: dict[str, str] | None = None, store: str = "") -> str:
    """`text` with its expressions replaced: those `context` names by its values, those of the matrix entry
    of `store` ("" without stores) as GitHub evaluates them, the others by nothing (what a push, with no
    inputs, makes of `${{ inputs.force && '--force' || '' }}`)."""
    values = {"matrix.store": store, **(context or {})}

    def value(expression: str) -> str:
        per_store = _PER_STORE.fullmatch(expression)
        if per_store is not None:
            return per_store["template"].replace("{0}", store) if store else per_store["without"]
        return values.get(expression, "")

    return _EXPRESSION.sub(lambda found: value(found.group(1)), text)


def job_env(workflow: dict[str, Any], job: str, store: str = "") -> dict[str, str]:
    """The job's env for the matrix entry of `store`, as `env.NAME` in its steps' expressions."""
    return {
        f"env.{name}": evaluated(str(value), store=store)
        for name, value in workflow["jobs"][job].get("env", {}).items()
    }


def pushed_command(step: dict[str, Any], context: dict[str, str] | None = None, store: str = "") -> list[str]:
    """The step's igops command line with its expressions evaluated (see `evaluated`)."""
    return evaluated(step["with"]["command"], context, store).split()


def success_codes(step: dict[str, Any]) -> set[int]:
    """The exit codes the action counts as success for this step (its default: 0)."""
    return {int(code) for code in str(step["with"].get("success-codes", "0")).split()}


def actionlint() -> str | None:
    """The actionlint binary of this environment (the [test] extra installs it), else one on PATH."""
    beside_python = Path(sys.executable).parent / "actionlint"
    return str(beside_python) if beside_python.is_file() else shutil.which("actionlint")


def tool_path() -> str:
    """PATH with this environment's scripts (igops) first, for shell scripts the tests run."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
