"""`igops demo`: the whole loop on this repository's examples, against a fresh in-process sandbox."""

from __future__ import annotations

import shlex
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from igops import engine
from igops.cli.common import NO_COLOR_OPTION, CommandFailed, run_against_account, show_plan, use_color
from igops.cli.report_command import terminal_width
from igops.config import CONFIG_FILE, SANDBOX_DEFAULT_TOKEN, InvalidConfig, Settings, load_project_config
from igops.engine import Project, Session
from igops.model import Plan
from igops.render import validation as validation_report
from igops.render.apply_report import render_apply_report, step_line
from igops.render.report import render_report_text
from igops.statuses import Status

# The emulator's story for the examples, beside igops.yaml in this repository.
SCENARIO_FILE = "sandbox-scenario.yaml"

# Experiences that have run before exist in the account already; these are the statuses they reach.
_RAN_BEFORE = (Status.PAUSED, Status.ENDED)
# Where the closing hint serves the demo's account (`igops sandbox serve`'s default port).
_HINT_PORT = 8787


@click.command("demo")
@NO_COLOR_OPTION
def demo_command() -> None:
    """Walk through validate, plan, apply and plan again, then report the results so far, with no
    account needed.

    Runs on the experience files of the current project (the igops repository's examples
    on a fresh clone), against a fresh in-process emulator whose account is kept in a
    temporary file, so that the closing hint can serve it over HTTP. The examples' descriptions
    carry sandbox markers (`[sandbox started 14.5 days ago, ...]`) that give them days of
    traffic in the emulator; the real API reads them as words.

    \b
    Example:
      igops demo
    """
    try:
        config = load_project_config(Path())
    except InvalidConfig as exc:
        raise CommandFailed(str(exc)) from None
    experiences_dir = config.account.experiences_dir
    _heading(f"1. igops validate: check the files in {experiences_dir}/")
    try:
        loaded = engine.validate((), Path())
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
    click.echo(validation_report.render_text(validation_report.Validation(loaded)))
    if loaded.errors or not loaded.experiences:
        raise CommandFailed(
            f"the demo needs valid experience files in {experiences_dir}/: run it "
            f"from the igops repository, or fix the files above ({CONFIG_FILE} names them)."
        )
    # Outside the project: the demo never leaves files in it.
    state = Path(tempfile.mkdtemp(prefix="igops-demo-")) / "account.db"
    # The emulator's story for the examples (how long each ran, what its results show) is its own file.
    scenario = config.root / SCENARIO_FILE
    settings = replace(
        Settings.resolve(f"sandbox:{state}", environ={}, project=config),
        sandbox_scenario=scenario if scenario.is_file() else None,
    )
    project = Project(settings, loaded.experiences)
    run_against_account(project.settings, lambda session: _walkthrough(session, project))
    click.echo(_next_steps(state, settings.sandbox_scenario))


def _next_steps(state: Path, scenario: Path | None) -> str:
    """Commands a newcomer can paste as they are: the demo's account over HTTP, then a plan against it."""
    told = f" --scenario {shlex.quote(str(scenario))}" if scenario is not None else ""
    return "\n".join(
        (
            f"\nNext, the same over HTTP against the account the demo left in {state}. In a second terminal:",
            f"  igops sandbox serve --port {_HINT_PORT} --state {shlex.quote(str(state))}{told}",
            "and here (it finds nothing to change until you edit a file):",
            f"  IGOPS_API_URL=http://127.0.0.1:{_HINT_PORT} INTELLIGEMS_API_TOKEN={SANDBOX_DEFAULT_TOKEN} "
            "igops plan",
            "Against your own account: export INTELLIGEMS_API_TOKEN=<your API key>, then run igops plan.",
        )
    )


def history(project: Project) -> Project:
    """The experiences the files pause or end, as they ran before: started, with no winner. A file cannot
    create a paused or ended experience (the API starts before it pauses or ends), so an emulator's
    account that is to look like a store's gets these first."""
    ran = tuple(
        replace(experience, status=Status.STARTED.value, winner=None)
        for experience in project.desired
        if experience.status in _RAN_BEFORE
    )
    return replace(project, desired=ran)


async def _walkthrough(session: Session, project: Project) -> None:
    before = history(project)
    if before.desired:
        _heading(
            "The account: a fresh sandbox in which "
            + ", ".join(e.key for e in before.desired)
            + " ran before (they are started there, as they were before the files paused or ended them)"
        )
        await apply_all(session, await session.plan(before), quiet=True)
    _heading("2. igops plan: what apply would change")
    plan = await session.plan(project)
    show_plan(plan)
    _heading("3. igops apply: make the account match the files")
    await apply_all(session, plan, quiet=False)
    _heading("4. igops plan again: the account now matches the files")
    again = await session.plan(project)
    show_plan(again)
    if again.has_changes or again.errors:
        raise CommandFailed("the second plan is not empty: that is a bug in igops, please report it.")
    _heading("5. igops report: the results so far (the emulator's numbers)")
    color = use_color(sys.stdout)
    click.echo(
        render_report_text(await session.report(project), color=color, width=terminal_width()), color=color
    )


async def apply_all(session: Session, plan: Plan, *, quiet: bool) -> None:
    """Apply the whole plan to an emulator's account, or fail in one sentence."""
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))
    # A throwaway account: the plan shows its rails, and this goes on as a reviewer with --force would.
    report = await session.apply(
        plan,
        force=True,
        observe=(lambda result: None) if quiet else (lambda result: click.echo(step_line(result))),
    )
    click.echo(render_apply_report(report))
    if not report.ok:
        raise CommandFailed("the apply to the emulator did not complete.")


def _heading(text: str) -> None:
    click.echo("\n" + click.style(f"== {text}", bold=True), color=use_color(sys.stdout))
