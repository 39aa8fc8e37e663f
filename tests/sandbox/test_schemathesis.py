"""schemathesis against the emulator: it refuses what the description calls invalid, and answers
only as the description declares.

The emulator is served over HTTP on 127.0.0.1 by the server `igops sandbox serve` runs, with a
few experiences in it, which most generated experience ids name, so that requests reach past
the 404. schemathesis reads the
description's refined copies, which declare the documented error answers (openapi.yml declares
only the 200s), and runs a bounded number of examples per operation with a fixed seed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from request_schema_source import description
from support.bodies import CREATABLE
from support.emulator import TOKEN, act, create, new_sandbox, serve_over_http

from igops.sandbox import Sandbox

pytestmark = [pytest.mark.http, pytest.mark.schemathesis]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
MAX_EXAMPLES = 25  # per operation and phase: about 35 s for both descriptions on two cores
SEED = 20260813
FUNNEL = "/v25-10-beta/analytics/sitewide/conversion-funnel"


def as_the_prose_says(spec: dict[str, Any]) -> dict[str, Any]:
    """The description's one schema its prose contradicts, made what the prose says: any
    conversion-funnel entry point it does not know (of any type) means device_type."""
    if FUNNEL in spec["paths"]:
        body = spec["paths"][FUNNEL]["post"]["requestBody"]["content"]["application/json"]["schema"]
        body["properties"]["entryPoint"] = {"default": "device_type"}
    return spec


def seeded_ids() -> tuple[Sandbox, list[str]]:
    """A sandbox holding one started experience of every creatable type, and their ids."""
    sandbox = new_sandbox()
    ids = []
    for build in CREATABLE.values():
        experience = create(sandbox, build())
        act(sandbox, experience["id"], "start")
        ids.append(experience["id"])
    return sandbox, ids


def schemathesis_config(path: Path, ids: list[str]) -> Path:
    """Most generated experience ids are these (the rest stay generated: unknown or malformed)."""
    values = ", ".join(json.dumps(experience_id) for experience_id in ids)
    path.write_text(
        f"[dictionaries.experiences]\nvalues = [{values}]\n\n"
        '[parameters]\n"path.experienceId" = { dictionary = "experiences", probability = 0.8 }\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.timeout(600)
@pytest.mark.parametrize("source", ["experiences.openapi.yml", "analytics.openapi.yml"])
def test_schemathesis_finds_nothing(source: str, tmp_path: Path) -> None:
    pytest.importorskip("schemathesis")
    directory = description()
    if directory is None:
        pytest.skip("the API description is not on this machine")
    spec = as_the_prose_says(yaml.safe_load((directory / source).read_text(encoding="utf-8")))
    spec_file = tmp_path / "openapi.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    sandbox, ids = seeded_ids()
    with serve_over_http(sandbox) as url:
        assert url.startswith("http://127.0.0.1:")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(schemathesis_config(tmp_path / "schemathesis.toml", ids)),
                "run",
                str(spec_file),
                "--url",
                url,
                "--header",
                f"intelligems-access-token: {TOKEN}",
                "--checks",
                ",".join(CHECKS),
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                str(SEED),
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--max-redirects",
                "0",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=540,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-30_000:] + run.stderr[-5_000:]
