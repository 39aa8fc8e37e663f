"""The plan as a GitHub pull-request comment: summary first, one collapsed section per experience, bounded."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from igops.engine.summary import counted, summary_line
from igops.model import ChangeKind, ExperiencePlan, Plan, PlanError, Risk, UnmanagedExperience
from igops.render.plan_common import (
    ACCOUNT_MATCHES,
    ELLIPSIS,
    NO_OP,
    account_matches,
    action_label,
    clean,
    risk_label,
    shown,
    unmanaged_title,
    value_pair,
    winner_text,
)

GITHUB_COMMENT_LIMIT = 65536
# Each side of a field change has a line of its own here, so it can be longer than in the terminal.
_VALUE_WIDTH = 200
_GAP = "\n\n"
# Characters that start code, emphasis, links, table cells or strikethrough, or escape the next one.
# As numeric references they read the same in an HTML block (a <summary>) and in markdown text.
_INERT = str.maketrans({char: f"&#{ord(char)};" for char in "\\`*_[]|~"})
_UNMANAGED_LIST = "unmanaged list"


@dataclass(frozen=True)
class _Block:
    """A part of the comment that is kept whole or left out whole."""

    text: str
    noun: str  # what the truncation note calls it: "error", "experience" or the unmanaged list


def render_plan_markdown(
    plan: Plan, *, color: bool = False, max_chars: int = GITHUB_COMMENT_LIMIT,
    full_plan_hint: str = "the job log",
) -> str:
    """The comment, never longer than `max_chars`; `full_plan_hint` is markdown, inserted as given."""
    blocks = [
        *(_Block(_error(error), "error") for error in plan.errors),
        *(_Block(_section(experience, plan.risks_of(experience.key)), "experience")
          for experience in shown(plan)),
        *([_Block(_unmanaged(plan.unmanaged), _UNMANAGED_LIST)] if plan.unmanaged else []),
    ]
    return _bounded(_headline(plan), blocks, max_chars, full_plan_hint)


def markdown_text(text: str) -> str:
    """User data made inert, in markdown and in HTML alike: no tags, code, emphasis, links or table cells."""
    return html.escape(clean(text), quote=False).translate(_INERT)


def _headline(plan: Plan) -> str:
    summary = f"**{summary_line(plan)}**"
    headline = f"{summary} {ACCOUNT_MATCHES}" if account_matches(plan) else summary
    # The plan's own risks are part of the headline: they are never cut with the sections.
    return _GAP.join([headline, *(_risk(risk) for risk in plan.risks_of(None))])


def _risk(risk: Risk) -> str:
    return f"> **{risk_label(risk).capitalize()}:** {markdown_text(risk.message)}"


def _error(error: PlanError) -> str:
    # The message is a whole sentence that names its file already; the key is for machines.
    return f"> **Error:** {markdown_text(error.message)}"


def _section(experience: ExperiencePlan, risks: tuple[Risk, ...]) -> str:
    labels = [action_label(change) for change in experience.changes] or [NO_OP]
    actions = " ".join(f"<code>{html.escape(label)}</code>" for label in labels)
    blocking = sum(risk.needs_force for risk in risks)
    cautions = len(experience.warnings) + len(risks) - blocking
    flag = (f" ⛔ {blocking} needing --force" if blocking else "") + (
        f" ⚠️ {counted(cautions, 'warning')}" if cautions else "")
    title = f"{actions} <b>{markdown_text(experience.key)}</b> ({markdown_text(experience.name)}){flag}"
    # Every line inside the fence starts with a symbol or a space, so no user value can close it.
    diff = "\n".join(["```diff", f"@@ {clean(experience.path)} @@", *_diff_lines(experience), "```"])
    remarks = [
        *(_risk(risk) for risk in risks),
        *(f"> **Warning:** {markdown_text(warning)}" for warning in experience.warnings),
        *(f"**Note:** {markdown_text(note)}" for note in experience.notes),
    ]
    # The blank lines matter: GitHub renders markdown inside <details> only between blank lines.
    return _GAP.join([f"<details><summary>{title}</summary>", diff, *remarks, "</details>"])


def _diff_lines(experience: ExperiencePlan) -> Iterator[str]:
    for change in experience.changes:
        yield action_label(change)
        for field in change.fields:
            before, after = value_pair(field.before, field.after, _VALUE_WIDTH)
            yield f"  {clean(field.path)}"
            # A side that is not set has no line, as in any diff of an added or removed line.
            if field.before is not None:
                yield f"-   {before}"
            if field.after is not None:
                yield f"+   {after}"
        if change.kind is ChangeKind.END:
            yield f"  {winner_text(change)}"


def _unmanaged(unmanaged: tuple[UnmanagedExperience, ...]) -> str:
    rows = [
        f"| {' | '.join(markdown_text(value) for value in (e.name, e.type, e.status, e.id))} |"
        for e in unmanaged
    ]
    table = "\n".join(["| Name | Type | Status | Id |", "| --- | --- | --- | --- |", *rows])
    title = html.escape(unmanaged_title(len(unmanaged)))
    return _GAP.join([f"<details><summary>{title}</summary>", table, "</details>"])


def _bounded(headline: str, blocks: Sequence[_Block], max_chars: int, hint: str) -> str:
    """Headline and blocks, or as many leading blocks as fit with a note on what was left out."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}.")
    text = _GAP.join([headline, *(block.text for block in blocks)])
    if len(text) > max_chars and blocks:
        # The note about every block is the longest the note can get, so reserving it is always enough.
        room = max_chars - len(_truncation_note(blocks, hint)) - len(_GAP)
        kept, used = [headline], len(headline)
        for block in blocks:
            if used + len(_GAP) + len(block.text) > room:
                break
            kept.append(block.text)
            used += len(_GAP) + len(block.text)
        text = _GAP.join([*kept, _truncation_note(blocks[len(kept) - 1 :], hint)])
    # Only a limit too small for the headline and the note is still exceeded here; it holds all the same.
    return text if len(text) <= max_chars else text[: max_chars - len(ELLIPSIS)] + ELLIPSIS


def _truncation_note(left_out: Sequence[_Block], hint: str) -> str:
    counts = Counter(block.noun for block in left_out)
    parts = [counted(counts[noun], f"more {noun}") for noun in ("experience", "error") if counts[noun]]
    if counts[_UNMANAGED_LIST]:
        parts.append(f"the {_UNMANAGED_LIST}")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"_Plan truncated: {listed} not shown. The full plan is in {hint}._"
