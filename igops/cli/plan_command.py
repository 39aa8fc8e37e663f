"""`igops plan`: what apply would change, for people, PR comments and machines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    FORMAT_OPTION,
    MAX_CHARS_OPTION,
    NO_COLOR_OPTION,
    NOW_OPTION,
    REFRESH_CACHE_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    WrittenFile,
    annotate_plan,
    fail_on_plan_errors,
    load_stores,
    refuse_max_chars_unless_markdown,
    run_against_account,
    run_against_stores,
    show_plan,
    show_store_plans,
    targeted,
)
from igops.cli.completion_command import complete_keys
from igops.engine import EngineError, Stores, write_plan, write_store_plans
from igops.text import counted


@click.command("plan")
@API_OPTION
@TIMEOUT_OPTION
@FORMAT_OPTION
@MAX_CHARS_OPTION
@click.option(
    "--out",
    "out_path",
    type=WrittenFile(),
    help="Also save the plan here (JSON, signed with the API token) for `igops apply PLANFILE`.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0: none, 1: error).")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KEY",
    shell_complete=complete_keys,
    help="Plan only this experience (file name without .yaml); repeatable.",
)
@click.option(
    "--resend",
    "resend",
    multiple=True,
    metavar="KEY",
    shell_complete=complete_keys,
    help="Update this experience even if nothing differs, sending write-only fields "
    "(productVariantAction) again; repeatable.",
)
@REFRESH_CACHE_OPTION
@click.option(
    "--base",
    "base",
    metavar="REF",
    help="Say whose change each line is: the files' (changed since this git commit) or the "
    "account's (changed outside git since it; applying reverts it). In a pull request: its "
    "base commit.",
)
@NOW_OPTION
@STORE_OPTION
@click.pass_context
@NO_COLOR_OPTION
def plan_command(
    ctx: click.Context,
    api: str | None,
    output_format: str,
    max_chars: int | None,
    out_path: Path | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    resend: tuple[str, ...],
    cache_path: Path | None,
    base: str | None,
    now: float | None,
    store_names: tuple[str, ...],
) -> None:
    """Show what apply would change in the account to make it match the files.

    Reads the account only; never writes to it. Safety rails the plan crosses are shown
    with it (apply refuses them without --force). A file's schedule is told by --now (default:
    the current time): an action not yet due is listed as scheduled, never as a change.

    \b
    Example:
      igops plan
      igops plan --format markdown --out plan.json --detailed-exitcode
      igops plan --api sandbox: --target homepage-hero-headline
      igops plan --base origin/main --format markdown
      igops plan --now 2026-12-07T09:00:00+01:00
      igops plan --store us --store eu --format markdown
    """
    refuse_max_chars_unless_markdown(output_format, max_chars)
    stores = load_stores(api, store_names)
    if stores.config.has_stores:
        code = _plan_stores(
            stores,
            PlanOptions(targets, resend, cache_path, base, now),
            output_format,
            max_chars,
            out_path,
        )
        ctx.exit(EXIT_CHANGES if detailed_exitcode and code == EXIT_CHANGES else 0)
    project = stores.projects[0]
    plan = run_against_account(
        project.settings,
        lambda session: session.plan(
            project, targets=targets, resend=resend, cache_path=cache_path, base=base, now=now
        ),
    )
    annotate_plan(plan, project, "plan")
    # The markdown and JSON plans are documents a bot posts or a script reads, so they carry the
    # errors and are printed all the same; on a terminal the errors alone say what to fix. Either
    # way the command fails, and a plan with errors is never saved.
    if output_format != "text" or not plan.errors:
        show_plan(plan, output_format, max_chars=max_chars)
    fail_on_plan_errors(plan)
    if out_path is not None:
        try:
            write_plan(plan, project.settings, out_path)
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
    ctx.exit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0)


@dataclass(frozen=True)
class PlanOptions:
    """What shapes each store's plan."""

    targets: tuple[str, ...]
    resend: tuple[str, ...]
    cache_path: Path | None
    base: str | None
    now: float | None


def _plan_stores(
    stores: Stores, options: PlanOptions, output_format: str, max_chars: int | None, out_path: Path | None
) -> int:
    """Every chosen store planned side by side and shown as one document; EXIT_CHANGES when any store's plan
    has changes, 0 when none has. A store that failed, or whose plan has errors, fails the command once all
    are shown, and nothing is saved."""
    stores, targets = targeted(stores, options.targets)
    plans = run_against_stores(
        stores,
        lambda session, project: session.plan(
            project,
            targets=targets[project.settings.account.name],
            resend=options.resend,
            cache_path=options.cache_path,
            base=options.base,
            now=options.now,
        ),
    )
    by_name = {project.settings.account.name: project for project in stores.projects}
    for store, plan in plans.values:
        annotate_plan(plan, by_name[store], "plan")
    show_store_plans(plans, output_format, max_chars=max_chars)
    failed = [outcome.store for outcome in plans.failures] + [
        store for store, plan in plans.values if plan.errors
    ]
    if failed:
        raise CommandFailed(
            f"{counted(len(failed), 'store')} could not be planned in full ({', '.join(failed)}); "
            "what each could not do is shown with its plan above, and no plan was saved."
        )
    if out_path is not None:
        try:
            write_store_plans([(plan, by_name[store].settings) for store, plan in plans.values], out_path)
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
    return EXIT_CHANGES if any(plan.has_changes for _, plan in plans.values) else 0
