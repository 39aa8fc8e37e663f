"""Problems as GitHub Actions workflow commands (`::error file=...,line=...,title=...::message`), which the
runner turns into annotations on the files and lines they concern.

The runner reads a command per line, ends the properties at the first `::` and splits them at `,`, so each
value is escaped as its parser unescapes it (actions/runner, ActionCommand.cs): `%`, CR and LF in the
message; those and `:` and `,` in a property. A file name can then neither end the line nor start a
property or the message of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from igops.model import Plan

Level = Literal["error", "warning"]

_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


@dataclass(frozen=True)
class Annotation:
    """One problem for the runner; `file` is as GitHub should find it (from the repository root)."""

    level: Level
    title: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


def escape_data(text: str) -> str:
    return text.translate(_DATA)


def escape_property(text: str) -> str:
    return text.translate(_PROPERTY)


def workflow_command(annotation: Annotation) -> str:
    """The annotation as one line the runner reads as a command."""
    properties = (
        ("file", annotation.file),
        ("line", annotation.line),
        ("col", annotation.column),
        ("title", annotation.title),
    )
    shown = ",".join(
        f"{name}={escape_property(str(value))}" for name, value in properties if value is not None
    )
    return f"::{annotation.level} {shown}::{escape_data(annotation.message)}"


def plan_annotations(plan: Plan, title: str, files: Mapping[str, str]) -> list[Annotation]:
    """The plan's errors and the policies' findings, each on the experience file it concerns (`files`:
    key -> path), at line 1: a plan knows files, not lines. Findings apply refuses without --force are
    errors, the others warnings."""

    def located(level: Level, message: str, key: str | None) -> Annotation:
        file = files.get(key) if key is not None else None
        return Annotation(level, title, message, file, 1 if file else None)

    return [
        *(located("error", error.message, error.key) for error in plan.errors),
        *(
            located("error" if risk.needs_force else "warning", f"{risk.rule}: {risk.sentence}", risk.key)
            for risk in plan.risks
        ),
    ]
