"""The plan formats: a new format is one module and one line here, and `--format` offers it
everywhere a plan is shown."""


from __future__ import annotations

from typing import Protocol

from igops.model import Plan
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text


class PlanRenderer(Protocol):
    """Every plan renderer takes the plan and whether colour is wanted (only text uses it)."""

    def __call__(self, plan: Plan, *, color: bool = False) -> str: ...

PLAN_FORMATS: dict[str, PlanRenderer] = {
    "text": render_plan_text,
    "markdown": render_plan_markdown,
    "json": render_plan_json,
}


def render_plan(plan: Plan, output_format: str, *, color: bool = False) -> str:
    return PLAN_FORMATS[output_format](plan, color=color)
