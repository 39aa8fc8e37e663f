"""What `igops policies` prints: every rule, its level and thresholds, where it is checked and where it
comes from; as text for people or JSON for machines."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from igops.engine import Policies
from igops.engine.rules import BookEntry
from igops.render.untrusted import terminal

POLICIES_FORMAT_VERSION = 1
_WIDTH = 100


def policies_document(policies: Policies) -> dict[str, Any]:
    """The rules as JSON data: each one's name, level, thresholds and what it needs."""
    return {
        "format_version": POLICIES_FORMAT_VERSION,
        "config": None if policies.source is None else str(policies.source),
        "rules": [
            {
                "name": entry.rule.name,
                "level": entry.policy.level.value,
                "options": dict(entry.policy.options),
                "description": entry.rule.description,
                "checked_by": checked_by(entry),
                "needs_account": entry.rule.needs_account,
                "uses_clock": entry.rule.uses_clock,
                "origin": entry.origin,
            }
            for entry in policies.book.entries
        ],
    }


def checked_by(entry: BookEntry) -> list[str]:
    """The commands that check the rule: plan and apply always, validate when it needs no account, a saved
    plan's apply again when it depends on the time."""
    commands = ["plan", "apply"]
    if not entry.rule.needs_account:
        commands.append("validate")
    if entry.rule.uses_clock:
        commands.append("apply PLANFILE (again, at its own time)")
    return commands


def render_policies_text(policies: Policies, *, color: bool = False, width: int | None = None) -> str:
    source = f"as {policies.source} sets them" if policies.source else "at their defaults (no igops.yaml)"
    lines = [f"Policies {source}; force: apply refuses without --force, warn: shown, off: not checked."]
    for entry in policies.book.entries:
        options = ", ".join(f"{name} {_value(value)}" for name, value in entry.policy.options.items())
        lines += ["", f"{entry.rule.name}: {entry.policy.level.value}" + (f" ({options})" if options else "")]
        lines += textwrap.wrap(entry.rule.description, _WIDTH, initial_indent="  ", subsequent_indent="  ")
        lines.append(f"  checked by {', '.join(checked_by(entry))}; {entry.origin}")
    return "\n".join(terminal(line) for line in lines)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) + "}"
    return "none" if value is None else str(value)


def render_policies_json(policies: Policies, *, color: bool = False, width: int | None = None) -> str:
    return json.dumps(policies_document(policies), indent=2, ensure_ascii=False)
