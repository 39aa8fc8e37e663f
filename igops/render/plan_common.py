"""What the text and markdown plans share: which experiences get a section, action labels, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

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
ELLIPSIS = "…"

# C0 and C1 controls: in user data they could colour a terminal, move the cursor or end a markdown line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same inside one line of a multi-line text (CSS, JS), where a tab is layout and harmless.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` with every control character spelled out as `\\xNN`."""
    return _CONTROL.sub(_spelled_out, text)


def clean_text_line(line: str) -> str:
    """A line of a multi-line text, its line break left out and its other controls but tabs spelled out."""
    return _CONTROL_IN_LINE.sub(_spelled_out, line.removesuffix("\n"))


def _spelled_out(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


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


def kept_sections(sections: list[str], room: int, note: Callable[[int], str]) -> list[str]:
    """The leading sections that fit in `room` characters (joined by blank lines), then, when some
    are left out, `note(count left out)` in their place."""
    kept: list[str] = []
    used = 0
    for index, section in enumerate(sections):
        left_out = note(len(sections) - index)
        if used + len(section) + 2 + len(left_out) + 2 > room:
            kept.append(left_out)
            break
        kept.append(section)
        used += len(section) + 2
    return kept
