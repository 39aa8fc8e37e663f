"""`igops plan`: what apply would change, for people, PR comments and machines."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    FORMAT_OPTION,
    MAX_CHARS_OPTION,
    NOW_OPTION,
    REFRESH_CACHE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    WrittenFile,
    annotate_plan,
    fail_on_plan_errors,
    load_project,
    refuse_max_chars_unless_markdown,
    run_against_account,
    show_plan,
)
from igops.engine import EngineError, write_plan


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
    help="Plan only this experience (file name without .yaml); repeatable.",
)
@click.option(
    "--resend",
    "resend",
    multiple=True,
    metavar="KEY",
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
@click.pass_context
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
    """
    refuse_max_chars_unless_markdown(output_format, max_chars)
    project = load_project(api)
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
