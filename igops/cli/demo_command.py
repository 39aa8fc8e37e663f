"""`igops demo`: the whole loop on this repository's examples, against a fresh in-process sandbox."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from igops import files
from igops.api import IntelligemsClient
from igops.cli.common import CommandFailed, run_against_account, show_plan_text, use_color
from igops.config import Settings
from igops.engine import files_hash, make_plan
from igops.engine.apply import apply_plan
from igops.model import DesiredExperience, Plan
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
        project = files.load_project_config(Path())
    except files.InvalidConfig as exc:
        raise CommandFailed("\n".join(map(str, exc.errors))) from None
    _heading(f"1. igops validate: check the files in {project.experiences_dir}/")
    loaded = files.load_experiences([project.experiences_dir])
    click.echo(validation_report.render_text(loaded))
    if loaded.errors or not loaded.experiences:
        raise CommandFailed(f"the demo needs valid experience files in {project.experiences_dir}/: run it "
                            "from the igops repository, or fix the files above.")
    settings = Settings.resolve("sandbox:", environ={})
    run_against_account(settings, lambda client: _walkthrough(client, loaded.experiences))


async def _walkthrough(client: IntelligemsClient, experiences: tuple[DesiredExperience, ...]) -> None:
    history = [replace(e, status="started", winner=None) for e in experiences if e.status in _RAN_BEFORE]
    if history:
        _heading("The account: a fresh sandbox in which "
                 + ", ".join(e.key for e in history)
                 + " ran before (they are started there, as they were before the files paused or ended them)")
        await _apply(client, await make_plan(client, history), quiet=True)
    fingerprint = files_hash(experiences)
    _heading("2. igops plan: what apply would change")
    plan = await make_plan(client, experiences, fingerprint=fingerprint)
    show_plan_text(plan)
    _heading("3. igops apply: make the account match the files")
    await _apply(client, plan, quiet=False)
    _heading("4. igops plan again: the account now matches the files")
    again = await make_plan(client, experiences, fingerprint=fingerprint)
    show_plan_text(again)
    if again.has_changes or again.errors:
        raise CommandFailed("the second plan is not empty: that is a bug in igops, please report it.")
    click.echo("\nNext: run `igops sandbox serve` and point IGOPS_API_URL at it, or set "
               "INTELLIGEMS_API_TOKEN and run `igops plan` against your own account.")


async def _apply(client: IntelligemsClient, plan: Plan, *, quiet: bool) -> None:
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))
    report = await apply_plan(client, plan, observe=(lambda result: None) if quiet else
                              (lambda result: click.echo(step_line(result))))
    click.echo(render_apply_report(report))
    if not report.ok:
        raise CommandFailed("the demo's apply did not complete.")


def _heading(text: str) -> None:
    click.echo("\n" + click.style(f"== {text}", bold=True), color=use_color(sys.stdout))
