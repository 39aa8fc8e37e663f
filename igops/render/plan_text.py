"""The plan for a terminal: Terraform-like lines, coloured only when asked."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import click

from igops.documents.plan import summary_line
from igops.model import Change, ChangeKind, ExperiencePlan, Plan, PlanError, Risk
from igops.render.plan_common import (
    ACCOUNT_MATCHES,
    account_matches,
    action_label,
    idle_label,
    risk_label,
    scheduled_text,
    shown,
    unmanaged_lines,
    winner_text,
)
from igops.render.plan_origins import outside_heading, reverted
from igops.render.plan_values import ADDED, CHANGED, REMOVED, Line, detail_lines
from igops.render.results import results_lines
from igops.render.untrusted import terminal

# `style(text, fg=..., bold=...)`: click.style, or the identity when colour is off.
Style = Callable[..., str]

_SIGN_COLOURS = {ADDED: "green", REMOVED: "red", CHANGED: "yellow"}
# Wide enough for `+ create` plus a gap, so keys line up whatever the action.
_LABEL_WIDTH = 10
_VALUE_WIDTH = 60
_DETAIL = " " * 4


def render_plan_text(plan: Plan, *, color: bool = False, width: int | None = None) -> str:
    style = click.style if color else plain
    sections = [
        _outside_lines(plan, style),
        [
            line
            for experience in shown(plan)
            for line in _experience_lines(experience, plan.risks_of(experience.key), plan.now, style)
        ],
        unmanaged_lines(plan.unmanaged),
        [_error_line(error, style) for error in plan.errors],
        [_risk_line(risk, "", style) for risk in plan.risks_of(None)],
        [_closing_line(plan, style)],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _outside_lines(plan: Plan, style: Style) -> list[str]:
    """Changes made outside git, first: merging reverts them, which no file in the change says."""
    found = reverted(plan)
    heading = outside_heading(plan, len(found))
    if heading is None:
        return []
    return [
        style(f"! {terminal(heading)}", fg="red", bold=True),
        *(f"  {terminal(item.key)}: {terminal(item.sentence)}" for item in found),
    ]


def plain(text: str, **_: object) -> str:
    """The `Style` of text without colour: the text as it is."""
    return text


def _experience_lines(
    experience: ExperiencePlan, risks: tuple[Risk, ...], now: float | None, style: Style
) -> Iterator[str]:
    changes = experience.changes
    label = action_label(changes[0]) if changes else idle_label(experience)
    painted = style(label, fg=changes[0].kind.row.colour) if changes else label
    name = f"{terminal(experience.key)} ({terminal(experience.name)})"
    yield f"  {painted}{' ' * (_LABEL_WIDTH - len(label))}{name}"
    indent = "  " + _DETAIL
    if experience.override is not None:
        # A shared file: which of the files holds what the plan shows is not the key's file alone.
        yield f"{indent}# {terminal(experience.files)}"
    for index, change in enumerate(changes):
        # The first change is the headline; later ones get a line of their own, details below it.
        if index:
            yield indent + style(action_label(change), fg=change.kind.row.colour)
        yield from _change_details(experience, change, indent + _DETAIL if index else indent, style)
    for action in experience.scheduled:
        yield indent + style(f"@ {terminal(scheduled_text(action, now))}", fg="blue")
    for risk in risks:
        yield _risk_line(risk, indent, style)
    for warning in experience.warnings:
        yield indent + style(f"! {terminal(warning)}", fg="yellow")
    for note in experience.notes:
        yield f"{indent}# {terminal(note)}"


def _change_details(experience: ExperiencePlan, change: Change, indent: str, style: Style) -> Iterator[str]:
    for line in detail_lines(experience, change, width=_VALUE_WIDTH, pairs=False):
        yield detail_line(line, indent, style)
    if change.kind is ChangeKind.END:
        yield indent + winner_text(change)
        if experience.results is not None:
            yield from (indent + line for line in results_lines(experience.results, change.winner))


def detail_line(line: Line, indent: str, style: Style) -> str:
    # Terraform's layout: the sign at the line's depth, its text two columns on.
    colour = _SIGN_COLOURS.get(line.sign)
    sign = style(line.sign, fg=colour) if colour else line.sign
    head = f"{indent}{_DETAIL * line.depth}{sign}"
    # An empty line of a text is an empty line, not one of trailing spaces.
    return f"{head} {line.text}" if line.text else head.rstrip()


def _risk_line(risk: Risk, indent: str, style: Style) -> str:
    colour = "red" if risk.needs_force else "yellow"
    return indent + style(f"! {terminal(risk_label(risk))}: {terminal(risk.message)}", fg=colour)


def _error_line(error: PlanError, style: Style) -> str:
    # The message is a whole sentence that names its file already; the key is for machines.
    return f"{style('Error:', fg='red', bold=True)} {terminal(error.message)}"


def _closing_line(plan: Plan, style: Style) -> str:
    summary = style(summary_line(plan), bold=True)
    return f"{summary} {ACCOUNT_MATCHES}" if account_matches(plan) else summary
