"""The JSON Schemas igops ships (copies of the repository's schemas/, kept equal by a test)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

EXPERIENCE_SCHEMA = "experience.schema.json"
CONFIG_SCHEMA = "igops-config.schema.json"
DRIFT_SCHEMA = "drift.schema.json"
REPORT_SCHEMA = "report.schema.json"
SITEWIDE_SCHEMA = "sitewide.schema.json"
MONITOR_SCHEMA = "monitor.schema.json"
CALENDAR_SCHEMA = "calendar.schema.json"
STORE_PLANS_SCHEMA = "store-plans.schema.json"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema from the package's data, where an installed igops finds it too."""
    text = resources.files("igops.schemas").joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
