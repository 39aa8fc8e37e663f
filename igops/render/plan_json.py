"""The plan for machines: its JSON document (schemas/plan.schema.json), printed."""

from __future__ import annotations

from igops.documents import json_text
from igops.documents.plan import plan_document
from igops.model import Plan


def render_plan_json(plan: Plan, *, color: bool = False, width: int | None = None) -> str:
    return json_text(plan_document(plan))
