"""The plans of several stores as one document: a line per store first, then each store's plan.

The markdown form is the one pull request comment of a repository with several stores: the table of the
stores' summary lines is never cut, and the stores' sections (each store's head, each experience) are
kept or left out whole to stay within the bound, with a note naming the stores and experiences left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from igops.documents import json_text
from igops.documents.plan import store_lines, store_plans_document, stores_summary_line
from igops.model import StorePlans
from igops.render.markdown import DOCUMENT_LIMIT, GAP, Section, bounded, markdown_table, named
from igops.render.plan_markdown import plan_head, plan_sections
from igops.render.plan_text import render_plan_text
from igops.render.untrusted import fenced, markdown_inline, terminal


def render_store_plans_text(plans: StorePlans, *, color: bool = False, width: int | None = None) -> str:
    """Each store under its name, a failed store's reason in place of its plan, then the stores' line."""
    parts = []
    for outcome in plans.outcomes:
        heading = f"Store {terminal(outcome.store)}"
        body = (
            render_plan_text(outcome.value, color=color, width=width)
            if outcome.value is not None
            else "\n".join(f"Error: {terminal(line)}" for line in (outcome.failure or "").split("\n"))
        )
        parts.append(f"{heading}\n{'=' * len(heading)}\n{body}")
    return "\n\n".join([*parts, stores_summary_line(plans)])


def render_store_plans_markdown(
    plans: StorePlans, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """The one comment for every store, never longer than `max_chars`."""
    table = markdown_table(
        [("Store", "Plan"), *((store, markdown_inline(line)) for store, line in store_lines(plans))],
        markdown_inline,
        (False, False),
    )
    head = [f"**{stores_summary_line(plans)}**", "\n".join(table)]
    sections: list[Section] = []
    for outcome in plans.outcomes:
        title = f"## Store {markdown_inline(outcome.store)}"
        if outcome.value is None:
            reason = fenced((outcome.failure or "").split("\n"))
            sections.append(Section(GAP.join([title, reason]), outcome.store))
            continue
        sections.append(Section(GAP.join([title, *plan_head(outcome.value)]), outcome.store))
        sections += [
            Section(section.text, f"{outcome.store}/{section.name or 'unmanaged'}")
            for section in plan_sections(outcome.value)
        ]
    return bounded(head, sections, _truncation_note, max_chars)


def _truncation_note(left_out: Sequence[Section]) -> str:
    names = [section.name for section in left_out if section.name is not None]
    stores = [name for name in names if "/" not in name]
    experiences = [name for name in names if "/" in name]
    parts = [f"the store section of {named(stores)}"] if stores else []
    parts += [f"{named(experiences)}"] if experiences else []
    return (
        f"_Plan truncated to fit one comment: {' and '.join(parts)} not shown here. Each store's whole plan "
        "is in its job summary and saved plan, and <code>igops plan --format json</code> prints them all._"
    )


def render_store_plans_json(plans: StorePlans, *, color: bool = False, width: int | None = None) -> str:
    return json_text(store_plans_document(plans))
