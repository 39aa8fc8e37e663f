"""`igops demo`: the whole loop on this repository's examples, against a fresh in-process sandbox."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from igops import engine
from igops.cli.common import CommandFailed, run_against_account, show_plan, use_color
from igops.config import CONFIG_FILE, InvalidConfig, Settings, load_project_config
from igops.engine import Project, Session
from igops.model import Plan
from igops.render import validation as validation_report
from igops.render.apply_report import render_apply_report, step_line

# Experiences that have run before exist in the account already; these are the statuses they reach.
_RAN_BEFORE = ("paused", "ended")


@click.command("demo")
def demo_command() -> None:
    """Walk through validate, plan, apply and plan again, with no account needed.

    Runs on the experience files of the current directory (the igops repository's examples
    on a fresh clone), against a fresh in-process emulator that is gone when the demo ends.

    \b
    Example:
      igops demo
    """
    try:
        config = load_project_config(Path())
    except InvalidConfig as exc:
        raise CommandFailed(str(exc)) from None
    _heading(f"1. igops validate: check the files in {config.experiences_dir}/")
    loaded = engine.validate((), Path())
    click.echo(validation_report.render_text(loaded))
    if loaded.errors or not loaded.experiences:
        raise CommandFailed(f"the demo needs valid experience files in {config.experiences_dir}/: run it "
                            f"from the igops repository, or fix the files above ({CONFIG_FILE} names them).")
    project = Project(Settings.resolve("sandbox:", environ={}, project=config), loaded.experiences)
    run_against_account(project.settings, lambda session: _walkthrough(session, project))


async def _walkthrough(session: Session, project: Project) -> None:
    history = [replace(e, status="started", winner=None) for e in project.desired if e.status in _RAN_BEFORE]
    if history:
        _heading("The account: a fresh sandbox in which "
                 + ", ".join(e.key for e in history)
                 + " ran before (they are started there, as they were before the files paused or ended them)")
        await _apply(session, await session.plan(replace(project, desired=tuple(history))), quiet=True)
    _heading("2. igops plan: what apply would change")
    plan = await session.plan(project)
    show_plan(plan)
    _heading("3. igops apply: make the account match the files")
    await _apply(session, plan, quiet=False)
    _heading("4. igops plan again: the account now matches the files")
    again = await session.plan(project)
    show_plan(again)
    if again.has_changes or again.errors:
        raise CommandFailed("the second plan is not empty: that is a bug in igops, please report it.")
    click.echo("\nNext: run `igops sandbox serve` and point IGOPS_API_URL at it, or set "
               "INTELLIGEMS_API_TOKEN and run `igops plan` against your own account.")


async def _apply(session: Session, plan: Plan, *, quiet: bool) -> None:
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))
    # A throwaway sandbox: the plan shows its rails, and the demo goes on as a reviewer with --force would.
    report = await session.apply(plan, force=True, observe=(lambda result: None) if quiet else
                                 (lambda result: click.echo(step_line(result))))
    click.echo(render_apply_report(report))
    if not report.ok:
        raise CommandFailed("the demo's apply did not complete.")


def _heading(text: str) -> None:
    click.echo("\n" + click.style(f"== {text}", bold=True), color=use_color(sys.stdout))
