"""What `igops validate` prints: one line per problem and per policy finding, and a count; the same as
JSON, or as GitHub workflow commands (annotations) and the count."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from igops.files.loader import LoadResult
from igops.model import Risk
from igops.render.github import Annotation
from igops.render.plan_common import risk_label
from igops.render.untrusted import terminal
from igops.text import counted

TITLE = "igops validate"


@dataclass(frozen=True)
class Validation:
    """The files' problems, and what the policies that judge files alone found in the valid ones."""

    result: LoadResult
    risks: Sequence[Risk] = ()
    force: bool = False  # --force: findings of level force do not fail it

    @property
    def refused(self) -> tuple[Risk, ...]:
        """The findings that fail validate: level force, without --force."""
        return () if self.force else tuple(risk for risk in self.risks if risk.needs_force)

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.refused

    @property
    def paths(self) -> Mapping[str, str]:
        return {experience.key: str(experience.path) for experience in self.result.experiences}


def render_text(validation: Validation) -> str:
    """A line per problem and per finding (paths and messages shown as untrusted text), then the count."""
    result = validation.result
    return "\n".join(
        [
            *(terminal(str(error)) for error in result.errors),
            *(terminal(_finding_line(risk, validation.paths)) for risk in validation.risks),
            count_line(validation),
        ]
    )


def _finding_line(risk: Risk, paths: Mapping[str, str]) -> str:
    where = paths.get(risk.key, risk.key) if risk.key is not None else "policies"
    return f"{where}: {risk_label(risk)}: {risk.message}"


def count_line(validation: Validation) -> str:
    result = validation.result
    checked = counted(len(result.files), "experience file")
    if result.ok:
        line = f"{checked} checked: all valid."
    else:
        failed = counted(len({error.file for error in result.errors}), "file")
        line = f"{counted(len(result.errors), 'error')} in {failed} ({checked} checked)."
    return line + _findings_sentence(validation)


def _findings_sentence(validation: Validation) -> str:
    if not validation.risks:
        return ""
    blocking = sum(risk.needs_force for risk in validation.risks)
    warnings = len(validation.risks) - blocking
    # "(allowed by --force)" right after the findings it allows, not after the warnings that follow them.
    forced = " (allowed by --force)" if validation.force else ""
    refused = f" that apply refuses without --force{forced}"
    parts = [counted(blocking, "policy finding") + refused] if blocking else []
    parts += [counted(warnings, "policy warning")] if warnings else []
    return f" {' and '.join(parts).capitalize()}."


def file_annotations(validation: Validation) -> list[Annotation]:
    """One annotation per problem, on its file, line and column; one per finding on its file (an error for
    one validate fails on, else a warning)."""
    paths = validation.paths
    return [
        *(
            Annotation(
                "error",
                TITLE,
                f"{error.field}: {error.message}",
                str(error.file),
                error.position.line,
                error.position.column,
            )
            for error in validation.result.errors
        ),
        *(
            Annotation(
                "error" if risk in validation.refused else "warning",
                TITLE,
                f"{risk_label(risk)}: {risk.message}",
                paths.get(risk.key) if risk.key is not None else None,
                1 if risk.key in paths else None,
            )
            for risk in validation.risks
        ),
    ]


def render_json(validation: Validation) -> str:
    result = validation.result
    return json.dumps(
        {
            "valid": result.ok,
            "passes": validation.ok,
            "files": len(result.files),
            "errors": [
                {
                    "file": str(error.file),
                    "line": error.position.line,
                    "column": error.position.column,
                    "path": error.field,
                    "message": error.message,
                }
                for error in result.errors
            ],
            "findings": [
                {
                    "file": validation.paths.get(risk.key) if risk.key is not None else None,
                    "key": risk.key,
                    "rule": risk.rule,
                    "level": risk.level,
                    "needs_force": risk.needs_force,
                    "message": risk.message,
                    "figures": dict(risk.figures),
                }
                for risk in validation.risks
            ],
        },
        indent=2,
    )
