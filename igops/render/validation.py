"""What `igops validate` prints: one line per problem and a count, or the same as JSON."""

from __future__ import annotations

import json

from igops.engine.summary import counted
from igops.files.loader import LoadResult


def render_text(result: LoadResult) -> str:
    checked = counted(len(result.files), "experience file")
    if result.ok:
        return f"{checked} checked: all valid."
    failed = counted(len({error.file for error in result.errors}), "file")
    lines = [str(error) for error in result.errors]
    return "\n".join([*lines, f"{counted(len(result.errors), 'error')} in {failed} ({checked} checked)."])


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
