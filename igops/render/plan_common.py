"""What the text and markdown plans share: which experiences get a section, action labels, value display."""

from __future__ import annotations

import json
import re
from typing import Any

from igops.engine.summary import counted
from igops.model import Change, ChangeKind, ExperiencePlan, Plan, Risk

_SYMBOLS = {
    ChangeKind.CREATE: "+",
    ChangeKind.UPDATE: "~",
    ChangeKind.START: ">",
    ChangeKind.PAUSE: ">",
    ChangeKind.END: ">",
}
# An experience shown only for its warnings or notes: nothing will be done to it.
NO_OP = "# no-op"
ACCOUNT_MATCHES = "The account matches the files."
NOT_SET = "(not set)"
ELLIPSIS = "…"

# C0 and C1 controls: in user data they could colour a terminal, move the cursor or end a markdown line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# How much of a long value to keep before the point where before and after start to differ.
_LEAD = 20


def clean(text: str) -> str:
    """`text` with every control character spelled out as `\\xNN`."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def shown(plan: Plan) -> tuple[ExperiencePlan, ...]:
    """Experiences worth a section: the changed ones, and unchanged ones with a warning or a note."""
    return tuple(e for e in plan.experiences if e.changes or e.warnings or e.notes or plan.risks_of(e.key))


def risk_label(risk: Risk) -> str:
    """How a risk is flagged: apply refuses it without --force, or it is a warning to weigh."""
    return "needs --force" if risk.needs_force else "warning"


def account_matches(plan: Plan) -> bool:
    """Whether `No changes.` may add that the account matches: not when something was ignored or failed."""
    return not (plan.has_changes or plan.errors or shown(plan))


def action_label(change: Change) -> str:
    """`+ create`, `~ update`, `> start`..."""
    return f"{_SYMBOLS[change.kind]} {change.kind}"


def winner_text(change: Change) -> str:
    return f"winner: {clean(change.winner)}" if change.winner is not None else "(no winner)"


def unmanaged_title(count: int) -> str:
    return f"Unmanaged (never touched by igops): {counted(count, 'experience')}"


def value_pair(before: Any, after: Any, width: int) -> tuple[str, str]:
    """Both sides of a field change, each cut to about `width` characters around where they differ.

    Cutting both at the same place keeps the difference visible: two long texts that differ only at
    the end would otherwise both show as the same beginning.
    """
    before_text, after_text = _value_text(before), _value_text(after)
    focus = max(0, _common_prefix_length(before_text, after_text) - _LEAD)
    return _window(before_text, focus, width), _window(after_text, focus, width)


def _value_text(value: Any) -> str:
    if value is None:
        return NOT_SET
    return clean(json.dumps(value, ensure_ascii=False))


def _common_prefix_length(first: str, second: str) -> int:
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            return index
    return min(len(first), len(second))


def _window(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return text
    start = min(start, len(text) - width)
    end = start + width
    return (ELLIPSIS if start else "") + text[start:end] + (ELLIPSIS if end < len(text) else "")
