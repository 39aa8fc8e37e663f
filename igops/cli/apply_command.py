"""`igops apply`: make the account match the files, from a fresh plan or a saved one."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

from igops import engine
from igops.cli.common import (
    API_OPTION,
    NO_COLOR_OPTION,
    NOW_OPTION,
    REFRESH_CACHE_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    annotate_plan,
    fail_on_plan_errors,
    load_stores,
    run_against_account,
    run_against_stores,
    show_plan,
    show_store_plans,
    targeted,
    terminal_console,
)
from igops.cli.completion_command import complete_keys
from igops.engine import EngineError, Project, Session, Stores, UnsafePlan, holding_stores, raise_if_unsafe
from igops.engine.apply import StepObserver
from igops.model import ApplyReport, ChangeKind, Plan, StepResult, StorePlans
from igops.render.apply_report import render_apply_report, step_line
from igops.text import counted


@dataclass(frozen=True)
class ApplyOptions:
    auto_approve: bool
    force: bool
    max_changes: int | None  # None: max_changes in igops.yaml
    targets: tuple[str, ...]
    resend: tuple[str, ...]
    keep_going: bool
    cache_path: Path | None
    reviewed: Path | None  # apply only when the fresh plan does what this saved plan does
    now: float | None  # the clock schedules are told by (None: the current time)
    due_only: bool  # only the lifecycle actions whose schedule boundary has come


@click.command("apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@API_OPTION
@TIMEOUT_OPTION
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI). Saved plans never ask.")
@click.option("--force", is_flag=True, help="Apply even when a safety rail refuses the plan.")
@click.option(
    "--max-changes",
    type=click.IntRange(min=0),
    metavar="N",
    help="Refuse plans with more changes than N without --force (default: max_changes in igops.yaml, 25).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KEY",
    shell_complete=complete_keys,
    help="Apply only this experience (file name without .yaml); repeatable.",
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
@click.option("--keep-going", is_flag=True, help="After a failure, carry on with the other experiences.")
@REFRESH_CACHE_OPTION
@click.option(
    "--reviewed",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLANFILE",
    help="Plan afresh, and apply only when that plan does exactly what this saved plan (the one "
    "reviewers saw, from igops plan --out) does; else apply nothing and say what differs.",
)
@NOW_OPTION
@STORE_OPTION
@click.option(
    "--due-only",
    is_flag=True,
    help="Apply only the starts and ends whose schedule boundary has come, never a create or an "
    "update (the hourly scheduled job): safe to repeat, and it never reverts a dashboard edit.",
)
@NO_COLOR_OPTION
def apply_command(
    planfile: Path | None,
    api: str | None,
    auto_approve: bool,
    force: bool,
    max_changes: int | None,
    targets: tuple[str, ...],
    resend: tuple[str, ...],
    keep_going: bool,
    cache_path: Path | None,
    reviewed: Path | None,
    now: float | None,
    store_names: tuple[str, ...],
    due_only: bool,
) -> None:
    """Change the account to match the files.

    Without PLANFILE it plans, shows the plan and asks for `yes`. With PLANFILE (from
    `igops plan --out`) it runs exactly that plan, and refuses it when the files or the
    experiences it changes moved since. Ctrl-C stops starting changes, lets the ones in
    flight finish and prints what was done; running apply again finishes the rest.

    A file's schedule is told by --now (default: the current time). With --due-only it applies
    only the starts and ends whose schedule boundary has come, which a reviewed change already
    asked for: what the hourly job runs.

    \b
    Example:
      igops apply
      igops plan --out plan.json && igops apply plan.json
      igops apply --auto-approve --target homepage-hero-headline
      igops apply --auto-approve --reviewed reviewed/plan.json
      igops apply --auto-approve --due-only
      igops apply --auto-approve --store us
    """
    if planfile is not None and reviewed is not None:
        raise CommandFailed(
            "--reviewed compares a fresh plan with a saved one; PLANFILE applies a saved "
            "plan as it is: give one of them."
        )
    if due_only and (planfile is not None or reviewed is not None):
        raise CommandFailed(
            "--due-only plans afresh the actions a schedule has made due, which need no reviewed plan: "
            f"leave out {'PLANFILE' if planfile is not None else '--reviewed'}."
        )
    if planfile is not None:
        if cache_path is not None:
            raise CommandFailed(
                "--refresh-cache speeds up the plan apply makes; a saved plan reads only the "
                "experience list: give it to igops plan --out instead."
            )
        shaping = [
            name
            for name, given in (
                ("--target", targets),
                ("--resend", resend),
                ("--max-changes", max_changes is not None),
            )
            if given
        ]
        if shaping:
            raise CommandFailed(
                f"{shaping[0]} shapes a fresh plan; a saved plan runs as it was made: make "
                f"it with igops plan {shaping[0]} ... --out PLANFILE."
            )
    if planfile is not None and not store_names:
        # A saved plan of some stores applies to those (a pull request's job plans one store).
        try:
            store_names = engine.stores_in_plan_file(planfile)
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
    stores = load_stores(api, store_names)
    if planfile is None and not auto_approve and not sys.stdin.isatty():
        raise CommandFailed(
            "apply asks for confirmation and there is no terminal to ask on: review "
            "the plan, then run igops apply --auto-approve (or apply a saved plan)."
        )
    options = ApplyOptions(
        auto_approve or planfile is not None,
        force,
        max_changes,
        targets,
        resend,
        keep_going,
        cache_path,
        reviewed,
        now,
        due_only,
    )
    if stores.config.has_stores:
        _apply_stores(stores, options, planfile)
        return
    project = stores.projects[0]
    report = run_against_account(
        project.settings, lambda session: _apply(session, project, options, planfile)
    )
    if report is None:
        return
    click.echo(render_apply_report(report))
    if not report.ok:
        raise click.exceptions.Exit(1)


def _apply_stores(stores: Stores, options: ApplyOptions, planfile: Path | None) -> None:
    """Every chosen store planned (or its section of PLANFILE read) side by side, the plans shown as one,
    one confirmation, then every store applied side by side, each within its own rate limits. Each store is
    held from before its plan to its last change. A store that fails does not stop the others; the
    command fails once all are done."""
    stores, targets = targeted(stores, options.targets)
    with _held(stores):
        plans = run_against_stores(
            stores, lambda session, project: _store_plan(session, project, options, planfile, targets)
        )
        show_store_plans(plans)
        failed = [outcome.store for outcome in plans.failures]
        unsafe = _unsafe_stores(plans, options.force)
        ready = [(store, plan) for store, plan in plans.values if plan.has_changes and store not in unsafe]
        if ready and not options.auto_approve:
            answer = click.prompt(
                f"Apply these changes to {counted(len(ready), 'store')} ({', '.join(dict(ready))})? Only "
                "'yes' will be accepted",
                default="",
                show_default=False,
            )
            if answer != "yes":
                raise CommandFailed("Apply cancelled: nothing was changed.")
        to_apply = dict(ready)
        stop = _SharedStop()
        reports = run_against_stores(
            stores.only(to_apply),
            lambda session, project: session.apply(
                to_apply[project.settings.account.name],
                force=options.force,
                keep_going=options.keep_going,
                stop=stop.event(),
                observe=_store_steps(project.settings.account.name),
            ),
        )
    for store, report in reports.values:
        click.echo(f"{store}: {render_apply_report(report)}")
    failed += [outcome.store for outcome in reports.failures]
    failed += [store for store, report in reports.values if not report.ok]
    for outcome in reports.failures:
        click.echo(f"Error: {outcome.failure}", err=True)
    if not ready and not failed and not unsafe:
        click.echo("No changes. The accounts of every store match the files.")
    if failed or unsafe:
        names = sorted({*failed, *unsafe})
        others = len(names) < len(plans.outcomes)
        raise CommandFailed(
            f"{counted(len(names), 'store')} not applied in full ({', '.join(names)}): see above"
            + ("; the other stores were applied." if others else ".")
        )


@contextlib.contextmanager
def _held(stores: Stores) -> Iterator[None]:
    """The stores held (holding_stores); one held by another apply ends the command in its sentence."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(holding_stores(stores))
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
        yield


async def _store_plan(
    session: Session,
    project: Project,
    options: ApplyOptions,
    planfile: Path | None,
    targets: Mapping[str, tuple[str, ...]],
) -> Plan:
    """One store's plan as apply takes it: its section of PLANFILE (not stale), or a fresh plan (the one its
    reviewed plan's section does, with --reviewed). EngineError, naming why, when it cannot be applied."""
    plan = await _plan_to_apply(session, project, options, planfile, targets[project.settings.account.name])
    if plan.errors:
        raise EngineError("; ".join(error.message for error in plan.errors))
    if options.reviewed is not None:
        differences = session.differences_from_review(plan, options.reviewed)
        if differences:
            raise EngineError(_unreviewed(options.reviewed, differences))
    return plan


def _unsafe_stores(plans: StorePlans, force: bool) -> list[str]:
    """The stores whose plan a policy at level force refuses (without --force), each refusal shown."""
    unsafe = []
    for store, plan in plans.values:
        try:
            raise_if_unsafe(plan, force=force)
        except UnsafePlan as exc:
            click.echo(f"Error: store {store}: {exc}", err=True)
            unsafe.append(store)
    return unsafe


def _store_steps(store: str) -> StepObserver:
    """A plain line per finished change, naming its store: stores apply side by side."""
    return lambda result: click.echo(f"{store}: {step_line(result)}")


class _SharedStop:
    """Ctrl-C (or SIGTERM) stops every store applying in the same event loop from starting changes; the
    ones in flight finish. Each store has an event of its own, which only the signals set for all: a
    store's failure stops that store alone (and its report says so, not that it was interrupted)."""

    def __init__(self) -> None:
        self._events: list[asyncio.Event] = []

    def event(self) -> asyncio.Event:
        if not self._events:
            loop = asyncio.get_running_loop()
            # The loop removes its handlers when it closes, at the end of the stores' run.
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self._stop_all)
        self._events.append(asyncio.Event())
        return self._events[-1]

    def _stop_all(self) -> None:
        for event in self._events:
            event.set()


async def _apply(
    session: Session, project: Project, options: ApplyOptions, planfile: Path | None
) -> ApplyReport | None:
    # From before the plan: two applies planning the same new file would both create it.
    with session.holding_account():
        return await _apply_held(session, project, options, planfile)


async def _apply_held(
    session: Session, project: Project, options: ApplyOptions, planfile: Path | None
) -> ApplyReport | None:
    plan = await _plan_to_apply(session, project, options, planfile, options.targets)
    if planfile is None:
        fail_on_plan_errors(plan)
        show_plan(plan)
    if options.reviewed is not None:
        _refuse_unreviewed(session, plan, options.reviewed)
    if not plan.has_changes:
        if planfile is not None:
            click.echo("No changes. The account matches the files.")
        return None
    try:
        raise_if_unsafe(plan, force=options.force)
    except UnsafePlan as exc:
        raise CommandFailed(str(exc)) from None
    if not options.auto_approve:
        answer = click.prompt(
            "Apply these changes? Only 'yes' will be accepted", default="", show_default=False
        )
        if answer != "yes":
            raise CommandFailed("Apply cancelled: nothing was changed.")
    stop = asyncio.Event()
    with _interruptible(stop), _progress(plan, session) as observe:
        return await session.apply(
            plan, force=options.force, keep_going=options.keep_going, stop=stop, observe=observe
        )


async def _plan_to_apply(
    session: Session, project: Project, options: ApplyOptions, planfile: Path | None, targets: Sequence[str]
) -> Plan:
    """PLANFILE's plan (not stale), or a fresh one of `targets`, annotated on the files in GitHub Actions."""
    if planfile is not None:
        plan = await session.saved_plan(project, planfile, now=options.now)
    else:
        plan = await session.plan(
            project,
            targets=targets,
            resend=options.resend,
            max_changes=options.max_changes,
            cache_path=options.cache_path,
            now=options.now,
            due_only=options.due_only,
        )
    annotate_plan(plan, project, "apply")
    return plan


def _refuse_unreviewed(session: Session, plan: Plan, reviewed: Path) -> None:
    differences = session.differences_from_review(plan, reviewed)
    if differences:
        raise CommandFailed(_unreviewed(reviewed, differences))


def _unreviewed(reviewed: Path, differences: Sequence[str]) -> str:
    return (
        f"This plan is not the one reviewed in {reviewed}, so nothing was applied: "
        + "; ".join(differences)
        + ". Plan the change again on its pull request, or apply by hand "
        "(the apply workflow's Run workflow) once someone has looked at this plan."
    )


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
def _progress(plan: Plan, session: Session) -> Iterator[StepObserver]:
    """A live bar on a terminal; in CI one plain line per finished change."""
    if not sys.stdout.isatty():
        yield lambda result: click.echo(step_line(result))
        return
    total = sum(len(experience.changes) for experience in plan.changed)
    updates_left = [plan.count(ChangeKind.UPDATE)]

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _PacedEstimate(lambda: session.paced_floor_seconds(updates_left[0])),
    )
    with Progress(*columns, console=terminal_console(), transient=True) as progress:
        task = progress.add_task("Applying", total=total)

        def observe(result: StepResult) -> None:
            if result.kind is ChangeKind.UPDATE:
                updates_left[0] -= 1
            progress.console.print(step_line(result), highlight=False, markup=False)
            progress.advance(task)

        yield observe
