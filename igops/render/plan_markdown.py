"""The plan as a GitHub pull-request comment: summary first, one collapsed section per experience, bounded."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence

from igops.documents.plan import plan_digest, summary_line
from igops.model import ChangeKind, ExperiencePlan, Plan, PlanError, Risk, UnmanagedExperience
from igops.render.markdown import DOCUMENT_LIMIT, GAP, Section, bounded, diff_block, diff_line, named
from igops.render.plan_common import (
    ACCOUNT_MATCHES,
    account_matches,
    action_label,
    idle_label,
    risk_label,
    scheduled_text,
    shown,
    unmanaged_table,
    unmanaged_title,
    winner_text,
)
from igops.render.plan_origins import outside_heading, reverted
from igops.render.plan_values import detail_lines
from igops.render.results import results_markdown
from igops.render.untrusted import markdown_inline, terminal
from igops.text import counted

# Each side of a field change has a line of its own here, so it can be longer than in the terminal.
_VALUE_WIDTH = 200
# How many changes made outside git the comment lists by name (they come first and are never cut).
_OUTSIDE_SHOWN = 20


def render_plan_markdown(
    plan: Plan, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """The comment, never longer than `max_chars`."""
    return bounded(plan_head(plan), plan_sections(plan), _truncation_note, max_chars)


def plan_sections(plan: Plan) -> list[Section]:
    """The parts of the comment that are kept or left out whole: one per experience, then the unmanaged
    list."""
    return [
        *(
            Section(_section(experience, plan.risks_of(experience.key), plan.now), experience.key)
            for experience in shown(plan)
        ),
        *([Section(_unmanaged(plan.unmanaged))] if plan.unmanaged else []),
    ]


def plan_head(plan: Plan) -> list[str]:
    """What the comment says first and never cuts: the summary, errors, changes made outside git, risks."""
    summary = f"**{summary_line(plan)}**"
    headline = f"{summary} {ACCOUNT_MATCHES}" if account_matches(plan) else summary
    # Errors, changes made outside git and the plan's own risks decide whether it should be applied at
    # all: they come first and are never cut with the sections.
    return [
        headline,
        *_reviewed(plan),
        *_errors(plan.errors),
        *_outside(plan),
        *(_risk(risk) for risk in plan.risks_of(None)),
    ]


def _reviewed(plan: Plan) -> list[str]:
    """A pull request's plan (made with --base) names its digest: the apply on merge runs only a plan that
    does the same."""
    if plan.git_base is None or not (plan.has_changes or any(e.scheduled for e in plan.experiences)):
        return []
    return [
        f"<sub>Plan digest <code>{plan_digest(plan)}</code>: on merge, igops apply --reviewed applies "
        "only a plan with this digest.</sub>"
    ]


def _outside(plan: Plan) -> list[str]:
    found = reverted(plan)
    heading = outside_heading(plan, len(found))
    if heading is None:
        return []
    items = [
        f"> - <code>{markdown_inline(item.key)}</code>: {markdown_inline(item.sentence)}"
        for item in found[:_OUTSIDE_SHOWN]
    ]
    if len(found) > _OUTSIDE_SHOWN:
        items.append(
            f"> - and {len(found) - _OUTSIDE_SHOWN} more (the JSON plan marks each with <code>origin</code>)."
        )
    return [f"> **⚠️ {markdown_inline(heading)}**\n>\n" + "\n".join(items)]


def _errors(errors: tuple[PlanError, ...]) -> list[str]:
    if not errors:
        return []
    fixed = "it is" if len(errors) == 1 else "they are"
    title = f"**⛔ {counted(len(errors), 'error')}: igops apply refuses this plan until {fixed} fixed.**"
    # The message is a whole sentence that names its file already; the key is for machines.
    return [title, *(f"> **Error:** {markdown_inline(error.message)}" for error in errors)]


def _risk(risk: Risk) -> str:
    flag = "⛔" if risk.needs_force else "⚠️"
    return f"> **{flag} {markdown_inline(risk_label(risk))}:** {markdown_inline(risk.message)}"


def _section(experience: ExperiencePlan, risks: tuple[Risk, ...], now: float | None) -> str:
    labels = [action_label(change) for change in experience.changes] or [idle_label(experience)]
    actions = " ".join(f"<code>{html.escape(label)}</code>" for label in labels)
    blocking = sum(risk.needs_force for risk in risks)
    cautions = len(experience.warnings) + len(risks) - blocking
    flag = (f" ⛔ {blocking} needing --force" if blocking else "") + (
        f" ⚠️ {counted(cautions, 'warning')}" if cautions else ""
    )
    title = f"{actions} <b>{markdown_inline(experience.key)}</b> ({markdown_inline(experience.name)}){flag}"
    diff = diff_block([f"@@ {terminal(experience.files)} @@", *_diff_lines(experience)])
    ending = [change for change in experience.changes if change.kind is ChangeKind.END]
    evidence = (
        [results_markdown(experience.results, markdown_inline, ending[0].winner)]
        if experience.results is not None and ending
        else []
    )
    remarks = [
        *evidence,
        *(
            f"**Scheduled:** {markdown_inline(scheduled_text(action, now))}"
            for action in experience.scheduled
        ),
        *(_risk(risk) for risk in risks),
        *(f"> **Warning:** {markdown_inline(warning)}" for warning in experience.warnings),
        *(f"**Note:** {markdown_inline(note)}" for note in experience.notes),
    ]
    # The blank lines matter: GitHub renders markdown inside <details> only between blank lines.
    return GAP.join([f"<details><summary>{title}</summary>", diff, *remarks, "</details>"])


def _diff_lines(experience: ExperiencePlan) -> Iterator[str]:
    for change in experience.changes:
        yield action_label(change)
        yield from map(diff_line, detail_lines(experience, change, width=_VALUE_WIDTH, pairs=True))
        if change.kind is ChangeKind.END:
            yield f"  {winner_text(change)}"


def _unmanaged(unmanaged: tuple[UnmanagedExperience, ...]) -> str:
    table = "\n".join(unmanaged_table(unmanaged))
    title = html.escape(unmanaged_title(len(unmanaged)))
    return GAP.join([f"<details><summary>{title}</summary>", table, "</details>"])


def _truncation_note(left_out: Sequence[Section]) -> str:
    keys = [section.name for section in left_out if section.name is not None]
    parts = [f"{counted(len(keys), 'experience')} ({named(keys)})"] if keys else []
    if len(keys) < len(left_out):
        parts.append("the unmanaged list")
    return (
        f"_Plan truncated to fit one comment: {' and '.join(parts)} not shown here. The whole plan is "
        "in the job summary and in the saved plan (the <code>igops-plan</code> artifact; "
        "<code>igops show plan.json</code>), and <code>igops plan --format json</code> prints it._"
    )
