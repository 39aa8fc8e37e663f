"""Projects whose experiences have results in the emulator: marked experiences, created and started."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from igops.files import load_experiences
from igops.schemas import load_schema
from support.cli import with_state_client, work_in
from support.engine import create_as_igops
from support.files import dump, experience


def ab_test(name: str, marker: str = "", *, status: str = "started", **fields: Any) -> dict[str, Any]:
    """A 50/50 content/advanced test whose description carries the sandbox marker `marker`."""
    description = f"{name}, a test. [sandbox {marker}]" if marker else f"{name}, a test."
    return experience("content/advanced", name=name, description=description, status=status, **fields)


def results_project(
    root: Path, monkeypatch: pytest.MonkeyPatch, documents: dict[str, dict[str, Any]], *, config: str = ""
) -> Path:
    """`root` as a project of these experience files (by key) against the sandbox state in account.json,
    each file's experience created and brought to its status, as applies would have."""
    (root / "experiences").mkdir(parents=True)
    for key, document in documents.items():
        (root / "experiences" / f"{key}.yaml").write_text(dump(document), encoding="utf-8")
    (root / "igops.yaml").write_text(f"api_url: sandbox:account.json\n{config}", encoding="utf-8")
    work_in(root, monkeypatch)
    loaded = load_experiences([root / "experiences"])
    assert not loaded.errors, loaded.errors

    async def create_all(client):  # type: ignore[no-untyped-def]
        for desired in loaded.experiences:
            await create_as_igops(client, desired)

    with_state_client(root, create_all)
    return root


def invoke(command: Any, *args: str) -> Result:
    """One igops command object run as the console would (without the group: see igops/cli/__init__.py)."""
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


def valid_json(text: str, schema: str) -> dict[str, Any]:
    """The document `text`, checked against the packaged schema `schema`."""
    document = json.loads(text)
    errors = [error.message for error in Draft202012Validator(load_schema(schema)).iter_errors(document)]
    assert errors == [], errors
    return dict(document)
