"""The engine: reads the live account, decides the plan, enforces its rails and carries it out.

`igops.engine.operations` is its entry point; the other modules are its steps.
"""

from __future__ import annotations

from igops.analytics import SITEWIDE_DEFAULT_DAYS
from igops.engine.adding_stores import AddedStores, add_stores
from igops.engine.errors import EngineError
from igops.engine.operations import (
    Files,
    InvalidFiles,
    Policies,
    Project,
    Session,
    account_files,
    calendar_of,
    check_files,
    experience_keys,
    offline_findings,
    open_files,
    open_policies,
    open_project,
    open_settings,
    policies_by_store,
    read_plan_file,
    read_store_plans,
    run,
    stores_in_plan_file,
    validate,
    write_plan,
    write_store_plans,
)
from igops.engine.rules import RuleBook, UnsafePlan, raise_if_unsafe
from igops.engine.store_changes import StoreEntry, StoreListing, list_stores
from igops.engine.stores import Stores, holding_stores, open_stores, run_stores, with_targets

__all__ = [
    "SITEWIDE_DEFAULT_DAYS",
    "AddedStores",
    "EngineError",
    "Files",
    "InvalidFiles",
    "Policies",
    "Project",
    "RuleBook",
    "Session",
    "StoreEntry",
    "StoreListing",
    "Stores",
    "UnsafePlan",
    "account_files",
    "add_stores",
    "calendar_of",
    "check_files",
    "experience_keys",
    "holding_stores",
    "list_stores",
    "offline_findings",
    "open_files",
    "open_policies",
    "open_project",
    "open_settings",
    "open_stores",
    "policies_by_store",
    "raise_if_unsafe",
    "read_plan_file",
    "read_store_plans",
    "run",
    "run_stores",
    "stores_in_plan_file",
    "validate",
    "with_targets",
    "write_plan",
    "write_store_plans",
]
