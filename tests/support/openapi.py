"""Validation of recorded traffic against the published Intelligems OpenAPI description.

The description lives outside the project (../shared/intelligems-api/openapi.yml, or the
path in IGOPS_OPENAPI_SPEC). Tests that need it skip cleanly when it is absent.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:intelligems:openapi"
API_PREFIX = "/v25-10-beta"


def spec_path() -> Path:
    configured = os.environ.get("IGOPS_OPENAPI_SPEC")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "intelligems-api" / "openapi.yml"


@functools.cache
def _load_spec() -> dict[str, Any] | None:
    path = spec_path()
    if not path.is_file():
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def spec_available() -> bool:
    return _load_spec() is not None


def require_spec() -> dict[str, Any]:
    """The parsed spec, or skip the calling test when the file is not on this machine."""
    spec = _load_spec()
    if spec is None:
        pytest.skip(f"OpenAPI description not found at {spec_path()}")
    return spec


@functools.cache
def _registry() -> Registry:
    resource = Resource.from_contents(require_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in require_spec()["paths"]:
        regex = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        patterns.append((re.compile(f"^{regex}$"), template))
    # Literal paths first, so /analytics/sitewide/snapshot never matches a {param}.
    patterns.sort(key=lambda item: item[1].count("{"))
    return patterns


def path_template(url_path: str) -> str | None:
    """The spec's path template for a concrete request path, or None if the spec has none."""
    for pattern, template in _templates():
        if pattern.match(url_path):
            return template
    return None


@functools.cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=_registry())


def response_validator(method: str, template: str, status: str = "200") -> Draft202012Validator:
    pointer = (
        f"/paths/{_escape(template)}/{method.lower()}/responses/{status}/content/application~1json/schema"
    )
    return _validator(pointer)


def request_validator(method: str, template: str) -> Draft202012Validator:
    pointer = f"/paths/{_escape(template)}/{method.lower()}/requestBody/content/application~1json/schema"
    return _validator(pointer)


def schema_errors(validator: Draft202012Validator, document: Any, limit: int = 5) -> list[str]:
    """Readable messages for the first few violations, empty when the document conforms."""
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:300]}"
        for error in errors[:limit]
    ]
