"""The engine: reads the live account, decides the plan, enforces its rails and carries it out.

`igops.engine.operations` is its entry point; the other modules are its steps.
"""

from __future__ import annotations

from igops.engine.errors import EngineError
from igops.engine.operations import (
    InvalidFiles,
    Project,
    Session,
    open_project,
    open_settings,
    read_plan_file,
    run,
    validate,
    write_plan,
)
from igops.engine.rules import UnsafePlan, raise_if_unsafe

__all__ = [
    "EngineError",
    "InvalidFiles",
    "Project",
    "Session",
    "UnsafePlan",
    "open_project",
    "open_settings",
    "raise_if_unsafe",
    "read_plan_file",
    "run",
    "validate",
    "write_plan",
]
