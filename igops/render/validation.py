"""What `igops validate` prints: one line per problem and a count, the same as JSON, or as GitHub workflow
commands (annotations) and the count."""

from __future__ import annotations

import json

from igops.files.loader import LoadResult
from igops.render.github import Annotation
from igops.render.untrusted import terminal
from igops.text import counted

TITLE = "igops validate"


def render_text(result: LoadResult) -> str:
    """A line per problem (its path and message shown as untrusted text), then the count."""
    return "\n".join([*(terminal(str(error)) for error in result.errors), count_line(result)])


def count_line(result: LoadResult) -> str:
    checked = counted(len(result.files), "experience file")
    if result.ok:
        return f"{checked} checked: all valid."
    failed = counted(len({error.file for error in result.errors}), "file")
    return f"{counted(len(result.errors), 'error')} in {failed} ({checked} checked)."


def file_annotations(result: LoadResult) -> list[Annotation]:
    """One error annotation per problem, on its file, line and column."""
    return [
        Annotation(
            "error",
            TITLE,
            f"{error.field}: {error.message}",
            str(error.file),
            error.position.line,
            error.position.column,
        )
        for error in result.errors
    ]


def render_json(result: LoadResult) -> str:
    return json.dumps(
        {
            "valid": result.ok,
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
        },
        indent=2,
    )
