"""The plan for machines: its JSON document (schemas/plan.schema.json), printed."""

from __future__ import annotations

import json

from igops.engine.plan_document import plan_document
from igops.model import Plan


def render_plan_json(plan: Plan, *, color: bool = False) -> str:
    return json.dumps(plan_document(plan), indent=2, sort_keys=True, ensure_ascii=False)
