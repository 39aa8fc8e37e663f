"""What the commands share: loading the project, running the engine, failing in one sentence."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

import click
from rich.console import Console
from rich.text import Text

from igops import engine
from igops.config import MIN_TIMEOUT, Settings
from igops.engine import EngineError, Files, InvalidFiles, Project, Session, Stores
from igops.engine.operations import check_writable
from igops.model import Plan, StoreOutcomes, StorePlans
from igops.moments import offset_time
from igops.render import validation as validation_report
from igops.render.formats import PLAN_FORMATS, STORE_PLAN_FORMATS, Formats
from igops.render.github import Annotation, plan_annotations, workflow_command
from igops.render.markdown import DOCUMENT_LIMIT
from igops.render.per_store import render_per_store
from igops.render.plan_markdown import render_plan_markdown
from igops.render.store_plans import render_store_plans_markdown
from igops.render.untrusted import terminal
from igops.text import counted

EXIT_ERROR = 1
EXIT_CHANGES = 2

T = TypeVar("T")
# What click's option decorators take and give back: a command's function, or the command.
Decorated = TypeVar("Decorated", bound=Callable[..., Any] | click.Command)


class CommandFailed(click.ClickException):
    """An expected failure: its message is printed as is, and the exit code is 1.

    Messages carry paths, names and the API's words: each of their lines is shown as untrusted text, so
    none can colour the terminal or reorder what follows it."""

    def __init__(self, message: str) -> None:
        super().__init__("\n".join(map(terminal, message.split("\n"))))

    def show(self, file: IO[Any] | None = None) -> None:
        # Multi-line messages (and one-line lists of errors) carry their own "Error: " prefixes.
        bare = "\n" not in self.message and not self.message.startswith("Error: ")
        click.echo(f"Error: {self.message}" if bare else self.message, err=True)


def load_project(api: str | None) -> Project:
    """igops.yaml, the API settings (with --timeout, when the command has TIMEOUT_OPTION) and the
    experience files; any problem ends the command (exit 1)."""
    project = _opened(lambda: engine.open_project(api, Path(), timeout=_timeout_given()))
    echo_notes(project.settings.project.notes)
    return project


def load_stores(api: str | None, names: Sequence[str]) -> Stores:
    """igops.yaml, and each chosen store's API settings and files (`names`: every store when empty). Without
    stores in igops.yaml (and no --store) it opens the one store as load_project does, any problem ending
    the command; with stores, a store that cannot be opened is a failure of its own in the result."""
    stores = _opened(lambda: engine.open_stores(api, Path(), names=names, timeout=_timeout_given()))
    echo_notes(stores.config.notes)
    return stores


def load_files(store_names: Sequence[str] = ()) -> Files:
    """igops.yaml and the experience files (of the chosen stores, with stores), for commands that read no
    account (no token needed); any problem ends the command (exit 1)."""
    files = _opened(lambda: engine.open_files(Path(), store_names))
    echo_notes(files.config.notes)
    return files


def _opened(open_: Callable[[], T]) -> T:
    """What `open_` opens; invalid files end the command as `igops validate` reports them (one located line
    per problem and a count), any other problem in its sentence."""
    try:
        return open_()
    except InvalidFiles as exc:
        raise CommandFailed(validation_report.render_text(validation_report.Validation(exc.result))) from None
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None


def open_settings(api: str | None, store_names: Sequence[str] = ()) -> Settings:
    """igops.yaml and the API settings (with --timeout), for commands that need no experience files and
    work on one account (with stores, the one --store names)."""
    try:
        settings = engine.open_settings(api, Path(), timeout=_timeout_given(), store_names=store_names)
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None
    echo_notes(settings.project.notes)
    return settings


def echo_notes(notes: Iterable[str]) -> None:
    """igops.yaml's notes (a setting still read but now written another way), on stderr: stdout may be a
    document."""
    for note in notes:
        click.echo(f"Note: {terminal(note)}", err=True)


def _timeout_given() -> float | None:
    context = click.get_current_context(silent=True)
    return context.meta.get(_TIMEOUT_KEY) if context is not None else None


def run_against_account(settings: Settings, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in an engine session; its failures become one sentence and exit 1."""

    async def watched(session: Session) -> T:
        async with _waiting_line(session):
            return await work(session)

    try:
        return engine.run(settings, watched)
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None


def run_against_stores(stores: Stores, work: Callable[[Session, Project], Awaitable[T]]) -> StoreOutcomes[T]:
    """Run `work` for every store at once, each in its own session; a store's failure is its outcome."""
    return engine.run_stores(stores, work)


def targeted(stores: Stores, targets: Sequence[str]) -> tuple[Stores, dict[str, tuple[str, ...]]]:
    """The stores that have a file --target names, and each one's targets; a target none has ends the
    command."""
    try:
        return engine.with_targets(stores, targets)
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None


# A request unanswered this long is named on the terminal, so that a slow API never looks like a hang;
# answers that come sooner never make the line flicker.
_STALL_SECONDS = 1.0
_POLL_SECONDS = 0.2


@contextlib.asynccontextmanager
async def _waiting_line(session: Session) -> AsyncIterator[None]:
    """While the session runs, a status line on a terminal's stderr naming what igops waits for; nothing
    elsewhere (CI logs stay clean)."""
    console = status_console()
    if console is None:
        yield
        return
    shown = asyncio.create_task(_show_waiting(session, console))
    try:
        yield
    finally:
        shown.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await shown


def status_console() -> Console | None:
    """Where status lines go: a terminal's stderr, or nowhere."""
    return terminal_console(stderr=True) if sys.stderr.isatty() else None


def terminal_console(*, stderr: bool = False) -> Console:
    """A rich console for a terminal's live lines (status, progress), in rich's no-colour mode when colour
    is refused: its bars then still show how far they are, in plain characters."""
    return Console(stderr=stderr, no_color=color_refused())


async def _show_waiting(session: Session, console: Console) -> None:
    status = console.status("")
    try:
        while True:
            text = _waiting_text(session, time.monotonic())
            if text is None:
                status.stop()
            else:
                # The request's path holds ids from the API: text, never rich markup.
                status.update(Text(terminal(text)))
                status.start()
            await asyncio.sleep(_POLL_SECONDS)
    finally:
        status.stop()


def _waiting_text(session: Session, now: float) -> str | None:
    """`waiting for GET /experiences-list (attempt 2 of 5, giving up in 1m40s)` once a request has gone
    unanswered for _STALL_SECONDS; None before, and while apply shows its own progress."""
    waiting = None if session.applying else session.waiting()
    if waiting is None or now - waiting.since < _STALL_SECONDS:
        return None
    return f"waiting for {waiting.describe(now)}"


def use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when it is refused (color_refused)."""
    return stream.isatty() and not color_refused()


_NO_COLOR_KEY = "igops.no_color"


def color_refused() -> bool:
    """--no-color given, before the command's name or after it, or NO_COLOR set (https://no-color.org)."""
    context = click.get_current_context(silent=True)
    given = context is not None and bool(context.meta.get(_NO_COLOR_KEY))
    return given or bool(os.environ.get("NO_COLOR"))


def _remember_no_color(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    # Only ever on: the command's own flag left out must not undo `igops --no-color plan` (meta is shared).
    if value:
        context.meta[_NO_COLOR_KEY] = True


# On the group and on every command whose output, status line or progress bar may be coloured.
NO_COLOR_OPTION = click.option(
    "--no-color",
    is_flag=True,
    expose_value=False,
    callback=_remember_no_color,
    help="No colour, even on a terminal (as NO_COLOR=1 does).",
)


def in_github_actions() -> bool:
    """The runner sets GITHUB_ACTIONS=true in every step it runs."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def echo_annotations(annotations: Iterable[Annotation], *, err: bool = False) -> None:
    """Each annotation as a workflow command, its file named from the repository root."""
    for annotation in annotations:
        file = _from_workspace(annotation.file) if annotation.file is not None else None
        click.echo(workflow_command(dataclasses.replace(annotation, file=file)), err=err)


def _from_workspace(path: str) -> str:
    """GitHub looks for annotated files from the repository root (GITHUB_WORKSPACE), while igops names them
    from where it runs: a subdirectory when the action's working-directory is one."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    relative = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(workspace)))
    return path if relative.parts[:1] == ("..",) else relative.as_posix()


class FiniteFloat(click.FloatRange):
    """The type of every number option: a float within click's range, never NaN or an infinity. NaN passes
    every range check (it compares false with everything), and an infinite timeout or rate is no setting."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


API_OPTION = click.option(
    "--api",
    metavar="URL",
    help="API base URL, or sandbox:[STATE_FILE] for the built-in emulator "
    "(default: $IGOPS_API_URL, else api_url in igops.yaml).",
)

_TIMEOUT_KEY = "igops.timeout"


def _remember_timeout(context: click.Context, parameter: click.Parameter, value: float | None) -> None:
    context.meta[_TIMEOUT_KEY] = value


# Not passed to the command: load_project reads it, so a command only needs the decorator.
TIMEOUT_OPTION = click.option(
    "--timeout",
    type=FiniteFloat(min=MIN_TIMEOUT),
    metavar="SECONDS",
    expose_value=False,
    callback=_remember_timeout,
    help="The most any single request to the API may take before it counts as failed and is retried "
    "(default: timeout in igops.yaml, 30).",
)


def format_option(formats: Formats[Any]) -> Callable[[Decorated], Decorated]:
    """`--format` (the command's `output_format`) as a registry declares it: its names, default and help."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(formats.names),
        default=formats.default,
        show_default=True,
        help=formats.help,
    )


def echo_formatted(
    formats: Formats[T], subject: T, output_format: str, *, width: int | None = None, nl: bool = True
) -> None:
    """`subject` in `output_format` on stdout: coloured only as text, and only on a terminal. `nl=False` for
    a document that ends its own lines (iCalendar's CRLF)."""
    color = output_format == "text" and use_color(sys.stdout)
    click.echo(formats.render(subject, output_format, color=color, width=width), color=color, nl=nl)


def echo_per_store(
    formats: Formats[T], outcomes: StoreOutcomes[T], output_format: str, *, width: int | None = None
) -> None:
    """Each store's report in `output_format` on stdout, under its name (render/per_store.py)."""
    color = output_format == "text" and use_color(sys.stdout)
    click.echo(render_per_store(formats, outcomes, output_format, color=color, width=width), color=color)


def fail_on_store_failures(outcomes: StoreOutcomes[Any], what: str) -> None:
    """A store that failed ends the command once every store is shown: one sentence naming them."""
    failed = [outcome.store for outcome in outcomes.failures]
    if failed:
        raise CommandFailed(
            f"{counted(len(failed), 'store')} could not be {what} ({', '.join(failed)}): see above"
            + ("; the other stores were." if len(failed) < len(outcomes.outcomes) else ".")
        )


FORMAT_OPTION = format_option(PLAN_FORMATS)

MAX_CHARS_OPTION = click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --format markdown: the most characters the document may have; whole sections are left out, "
    f"and named, to keep within it (default: {DOCUMENT_LIMIT}, room left for GitHub's comment limit).",
)


class WrittenFile(click.Path):
    """The type of every option that names a file igops writes: refused before the command does anything,
    in one sentence naming the option, unless it is a regular file or a new path in a directory igops may
    write in (engine.operations.check_writable). `makes_directories`: the writer creates the directories
    above it."""

    def __init__(self, *, makes_directories: bool = False) -> None:
        super().__init__(dir_okay=False, path_type=Path)
        self.makes_directories = makes_directories

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            check_writable(Path(value), makes_directories=self.makes_directories)
        except EngineError as exc:
            option = param.opts[0] if param is not None and param.opts else "the file"
            raise CommandFailed(f"{option} {exc}") from None
        return super().convert(value, param, ctx)


def _clock(context: click.Context, parameter: click.Parameter, value: str | None) -> float | None:
    """--now as Unix seconds; a time without an offset would be another moment on each runner."""
    if value is None:
        return None
    moment, problem = offset_time(value)
    if moment is None:
        raise CommandFailed(f"--now {problem}")
    return moment.timestamp()


NOW_OPTION = click.option(
    "--now",
    callback=_clock,
    metavar="TIME",
    help="The clock schedules and the clock's policies are told by: ISO 8601 with a UTC offset, such as "
    "2026-12-07T09:00:00+01:00 (default: the current time).",
)

STORE_OPTION = click.option(
    "--store",
    "store_names",
    multiple=True,
    metavar="NAME",
    help="With stores in igops.yaml: work on this store only; repeatable (default: every store).",
)

REFRESH_CACHE_OPTION = click.option(
    "--refresh-cache",
    "cache_path",
    type=WrittenFile(makes_directories=True),
    help="Keep full reads here and re-read only experiences whose lastUpdateTs moved.",
)


def refuse_max_chars_unless_markdown(output_format: str, max_chars: int | None) -> None:
    if max_chars is not None and output_format != "markdown":
        raise CommandFailed(
            f"--max-chars bounds the markdown document and --format {output_format} has no "
            "bound: add --format markdown or leave --max-chars out."
        )


def fail_on_plan_errors(plan: Plan) -> None:
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))


def annotate_plan(plan: Plan, project: Project, command: str) -> None:
    """In GitHub Actions, the plan's errors and safety rails as annotations on the files, on stderr: stdout
    holds the document the workflow posts."""
    if in_github_actions():
        # The project's files, not the plan's experiences: those leave out a file the plan cannot carry out.
        files = {experience.key: str(experience.path) for experience in project.desired}
        echo_annotations(plan_annotations(plan, f"igops {command}", files), err=True)


def show_store_plans(plans: StorePlans, output_format: str = "text", *, max_chars: int | None = None) -> None:
    """The plans of several stores as one document; `max_chars` as show_plan takes it."""
    if max_chars is None:
        echo_formatted(STORE_PLAN_FORMATS, plans, output_format)
    else:
        click.echo(render_store_plans_markdown(plans, max_chars=max_chars))


def show_plan(plan: Plan, output_format: str = "text", *, max_chars: int | None = None) -> None:
    """`max_chars` (markdown only: see refuse_max_chars_unless_markdown) replaces the renderer's own bound."""
    if max_chars is None:
        echo_formatted(PLAN_FORMATS, plan, output_format)
    else:
        click.echo(render_plan_markdown(plan, max_chars=max_chars))
