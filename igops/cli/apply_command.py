"""`igops apply`: make the account match the files, from a fresh plan or a saved one."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

from igops.api import IntelligemsClient
from igops.cli.common import (
    API_OPTION,
    CommandFailed,
    Workspace,
    fail_on_plan_errors,
    load_workspace,
    run_against_account,
    show_plan_text,
)
from igops.engine import files_hash, make_plan
from igops.engine.apply import StepObserver, apply_plan, paced_floor_seconds
from igops.engine.safety import rail_refusals
from igops.engine.saved_plan import SavedPlanError, stale_reasons, unseal
from igops.model import ApplyReport, ChangeKind, Plan, StepResult
from igops.render.apply_report import render_apply_report, step_line
from igops.render.plan_json import plan_from_document


@dataclass(frozen=True)
class ApplyOptions:
    auto_approve: bool
    force: bool
    max_changes: int
    targets: tuple[str, ...]
    resend: tuple[str, ...]
    keep_going: bool


@click.command("apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@API_OPTION
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI). Saved plans never ask.")
@click.option("--force", is_flag=True, help="Apply even when a safety rail refuses the plan.")
@click.option("--max-changes", type=click.IntRange(min=0), metavar="N",
              help="Refuse plans with more changes than N without --force (default: max_changes in "
                   "igops.yaml, 25).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Apply only this experience (file name without .yaml); repeatable.")
@click.option("--resend", "resend", multiple=True, metavar="KEY",
              help="Update this experience even if nothing differs, sending write-only fields "
                   "(productVariantAction) again; repeatable.")
@click.option("--keep-going", is_flag=True, help="After a failure, carry on with the other experiences.")
def apply_command(planfile: Path | None, api: str | None, auto_approve: bool, force: bool,
                  max_changes: int | None, targets: tuple[str, ...], resend: tuple[str, ...],
                  keep_going: bool) -> None:
    """Change the account to match the files.

    Without PLANFILE it plans, shows the plan and asks for `yes`. With PLANFILE (from
    `igops plan --out`) it runs exactly that plan, and refuses it when the files or the
    experiences it changes moved since. Ctrl-C stops starting changes, lets the ones in
    flight finish and prints what was done; running apply again finishes the rest.

    \b
    Example:
      igops apply
      igops plan --out plan.json && igops apply plan.json
      igops apply --auto-approve --target homepage-hero-headline
    """
    if planfile is not None and resend:
        raise CommandFailed("--resend shapes a fresh plan; a saved plan runs as it was made: make it with "
                            "igops plan --resend KEY --out PLANFILE.")
    workspace = load_workspace(api)
    saved = _read_saved_plan(planfile, workspace) if planfile is not None else None
    if saved is None and not auto_approve and not sys.stdin.isatty():
        raise CommandFailed("apply asks for confirmation and there is no terminal to ask on: review "
                            "the plan, then run igops apply --auto-approve (or apply a saved plan).")
    options = ApplyOptions(auto_approve or saved is not None, force,
                           workspace.project.max_changes if max_changes is None else max_changes,
                           targets, resend, keep_going)
    report = run_against_account(
        workspace.settings, lambda client: _apply(client, workspace, saved, options, planfile))
    if report is None:
        return
    click.echo(render_apply_report(report))
    if not report.ok:
        raise click.exceptions.Exit(1)


def _read_saved_plan(planfile: Path, workspace: Workspace) -> Plan:
    try:
        text = planfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandFailed(f"Cannot read the plan {planfile}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{planfile} is not a saved igops plan (not text).") from None
    try:
        document = unseal(text, workspace.settings.api_url, workspace.settings.token, str(planfile))
        return plan_from_document(document)
    except (SavedPlanError, ValueError) as exc:
        raise CommandFailed(str(exc)) from None


async def _apply(client: IntelligemsClient, workspace: Workspace, saved: Plan | None,
                 options: ApplyOptions, planfile: Path | None) -> ApplyReport | None:
    fingerprint = files_hash(workspace.desired)
    if saved is not None:
        reasons = stale_reasons(saved, fingerprint, await client.list_experiences())
        if reasons:
            raise CommandFailed(f"The plan {planfile} is stale: " + "; ".join(reasons)
                                + ". Make a new one with igops plan --out.")
        plan = _only(saved, options.targets)
    else:
        plan = await make_plan(client, workspace.desired, targets=options.targets, fingerprint=fingerprint,
                               resend=options.resend)
        fail_on_plan_errors(plan)
        show_plan_text(plan)
    if not plan.has_changes:
        if saved is not None:
            click.echo("No changes. The account matches the files.")
        return None
    refusals = rail_refusals(plan, max_changes=options.max_changes,
                             protect_running_splits=workspace.project.protect_running_splits)
    if refusals and not options.force:
        raise CommandFailed("\n".join(f"Error: safety rail: {refusal}" for refusal in refusals))
    if not options.auto_approve:
        answer = click.prompt("Apply these changes? Only 'yes' will be accepted", default="",
                              show_default=False)
        if answer != "yes":
            raise CommandFailed("Apply cancelled: nothing was changed.")
    stop = asyncio.Event()
    with _interruptible(stop), _progress(plan, client) as observe:
        return await apply_plan(client, plan, keep_going=options.keep_going, stop=stop, observe=observe)


def _only(plan: Plan, targets: tuple[str, ...]) -> Plan:
    if not targets:
        return plan
    unknown = sorted(set(targets) - {experience.key for experience in plan.experiences})
    if unknown:
        raise CommandFailed(f"--target {unknown[0]}: the saved plan has no experience with that key.")
    return replace(plan, experiences=tuple(e for e in plan.experiences if e.key in targets))


@contextlib.contextmanager
def _interruptible(stop: asyncio.Event) -> Iterator[None]:
    """Ctrl-C (and SIGTERM) set `stop`: no new changes start, the ones in flight finish."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


class _PacedEstimate(ProgressColumn):
    """Time left: the pace observed so far, but never less than the update bucket allows."""

    def __init__(self, floor: Callable[[], float]) -> None:
        super().__init__()
        self._floor = floor

    def render(self, task: Task) -> Text:
        seconds = int(max(task.time_remaining or 0.0, self._floor()))
        return Text(f"about {seconds // 60}:{seconds % 60:02d} left", style="progress.remaining")


@contextlib.contextmanager
def _progress(plan: Plan, client: IntelligemsClient) -> Iterator[StepObserver]:
    """A live bar on a terminal; in CI one plain line per finished change."""
    if not sys.stdout.isatty():
        yield lambda result: click.echo(step_line(result))
        return
    total = sum(len(experience.changes) for experience in plan.changed)
    updates_left = [plan.count(ChangeKind.UPDATE)]

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               _PacedEstimate(lambda: paced_floor_seconds(client, updates_left[0])))
    with Progress(*columns, console=Console(), transient=True) as progress:
        task = progress.add_task("Applying", total=total)

        def observe(result: StepResult) -> None:
            if result.kind is ChangeKind.UPDATE:
                updates_left[0] -= 1
            progress.console.print(step_line(result), highlight=False)
            progress.advance(task)

        yield observe
