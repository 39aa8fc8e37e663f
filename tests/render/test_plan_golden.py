"""Golden files for the three plan renderers; see tests/support/plans.py for how to regenerate them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.plans import (
    added_variation_plan,
    assert_golden,
    created_plan,
    css_change_plan,
    failing_plan,
    review_plan,
    scheduled_plan,
    unchanged_plan,
)

from igops.model import Plan
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text

PLANS: dict[str, Callable[[], Plan]] = {
    "review": review_plan,
    "unchanged": unchanged_plan,
    "failing": failing_plan,
    "created": created_plan,
    "added-variation": added_variation_plan,
    "css-change": css_change_plan,
    "scheduled": scheduled_plan,
}
RENDERERS: dict[str, Callable[[Plan], str]] = {
    "txt": lambda plan: render_plan_text(plan, color=False),
    "color.txt": lambda plan: render_plan_text(plan, color=True),
    "md": render_plan_markdown,
    "json": render_plan_json,
}


@pytest.mark.parametrize("suffix", RENDERERS)
@pytest.mark.parametrize("plan_name", PLANS)
def test_rendered_plan_matches_its_golden_file(plan_name: str, suffix: str) -> None:
    assert_golden(f"{plan_name}.{suffix}", RENDERERS[suffix](PLANS[plan_name]()))
