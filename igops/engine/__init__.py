"""The engine: reads the live account, decides the plan, enforces its rails and carries it out.

`igops.engine.operations` is its entry point; the other modules are its steps.
"""

from __future__ import annotations

from igops.engine.errors import EngineError
from igops.engine.operations import (
    Files,
    InvalidFiles,
    Policies,
    Project,
    Session,
    calendar_of,
    check_files,
    offline_findings,
    open_files,
    open_policies,
    open_project,
    open_settings,
    read_plan_file,
    run,
    validate,
    write_plan,
    write_store_plans,
)
from igops.engine.rules import RuleBook, UnsafePlan, raise_if_unsafe
from igops.engine.stores import Stores, holding_stores, open_stores, run_stores, with_targets

__all__ = [
    "EngineError",
    "Files",
    "InvalidFiles",
    "Policies",
    "Project",
    "RuleBook",
    "Session",
    "Stores",
    "UnsafePlan",
    "calendar_of",
    "check_files",
    "holding_stores",
    "offline_findings",
    "open_files",
    "open_policies",
    "open_project",
    "open_settings",
    "open_stores",
    "raise_if_unsafe",
    "read_plan_file",
    "run",
    "run_stores",
    "validate",
    "with_targets",
    "write_plan",
    "write_store_plans",
]
