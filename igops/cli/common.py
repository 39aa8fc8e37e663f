"""What the commands share: loading the project, running the engine, failing in one sentence."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

import click

from igops import engine
from igops.config import Settings
from igops.engine import EngineError, InvalidFiles, Project, Session
from igops.model import Plan
from igops.render import validation as validation_report
from igops.render.formats import PLAN_FORMATS, render_plan

EXIT_ERROR = 1
EXIT_CHANGES = 2

T = TypeVar("T")


class CommandFailed(click.ClickException):
    """An expected failure: its message is printed as is, and the exit code is 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        # Multi-line messages (and one-line lists of errors) carry their own "Error: " prefixes.
        bare = "\n" not in self.message and not self.message.startswith("Error: ")
        click.echo(f"Error: {self.message}" if bare else self.message, err=True)


def load_project(api: str | None) -> Project:
    """igops.yaml, the API settings and the experience files; any problem ends the command (exit 1)."""
    try:
        return engine.open_project(api, Path())
    except InvalidFiles as exc:
        raise CommandFailed(validation_report.render_text(exc.result)) from None
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None


def run_against_account(settings: Settings, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in an engine session; its failures become one sentence and exit 1."""
    try:
        return engine.run(settings, work)
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None


def use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


API_OPTION = click.option(
    "--api", metavar="URL",
    help="API base URL, or sandbox:[STATE_FILE] for the built-in emulator "
         "(default: $IGOPS_API_URL, else api_url in igops.yaml).")

FORMAT_OPTION = click.option(
    "--format", "output_format", type=click.Choice(list(PLAN_FORMATS)), default="text", show_default=True,
    help="text for terminals, markdown for PR comments, json for machines (schemas/plan.schema.json).")


def fail_on_plan_errors(plan: Plan) -> None:
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))


def show_plan(plan: Plan, output_format: str = "text") -> None:
    color = output_format == "text" and use_color(sys.stdout)
    click.echo(render_plan(plan, output_format, color=color), color=color)
