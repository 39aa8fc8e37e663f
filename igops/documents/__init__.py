"""The JSON documents igops prints and saves, each beside its schema (schemas/*.schema.json): the plan
(`plan`, which a saved plan carries too), drift (`drift`), results and the report (`results`), sitewide
figures (`sitewide`) and the monitor's alerts (`monitor`), with the summary line each one states.

A layer of its own below the engine and the renderers, above the model, analytics and the shared wording: the
engine saves plans with these documents and the renderers print them, so that what `--format json` shows and
what apply reads are built in one place. A new field is a change here and in its schema, nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def json_text(document: Mapping[str, Any]) -> str:
    """A document as `--format json` prints it: indented, keys sorted, text as itself (not \\u escapes)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
