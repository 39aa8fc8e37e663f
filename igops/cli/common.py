"""What the commands share: loading the project, talking to the account, failing in one sentence."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

import click

from igops import files
from igops.api import ApiError, IntelligemsClient
from igops.config import ConfigError, Settings
from igops.connect import open_client
from igops.engine import CacheError
from igops.files import ProjectConfig
from igops.model import DesiredExperience, Plan
from igops.render import validation as validation_report
from igops.render.plan_text import render_plan_text
from igops.sandbox import StateFileError

EXIT_ERROR = 1
EXIT_CHANGES = 2

T = TypeVar("T")


class CommandFailed(click.ClickException):
    """An expected failure: its message is printed as is, and the exit code is 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        # Multi-line messages (and one-line lists of errors) carry their own "Error: " prefixes.
        bare = "\n" not in self.message and not self.message.startswith("Error: ")
        click.echo(f"Error: {self.message}" if bare else self.message, err=True)


@dataclass(frozen=True)
class Workspace:
    """What every account command starts from: settings, and the experience files, all valid."""

    project: ProjectConfig
    settings: Settings
    desired: tuple[DesiredExperience, ...]


def load_workspace(api: str | None) -> Workspace:
    """igops.yaml, the API settings and the experience files; any problem ends the command (exit 1)."""
    try:
        project = files.load_project_config(Path())
        settings = Settings.resolve(api, configured_url=project.api_url, token_env=project.token_env)
    except files.InvalidConfig as exc:
        raise CommandFailed("\n".join(map(str, exc.errors))) from None
    except ConfigError as exc:
        raise CommandFailed(str(exc)) from None
    loaded = files.load_experiences([project.experiences_dir])
    if loaded.errors:
        raise CommandFailed(validation_report.render_text(loaded))
    return Workspace(project, settings, loaded.experiences)


def run_against_account(settings: Settings, work: Callable[[IntelligemsClient], Awaitable[T]]) -> T:
    """Run `work` with a client; API, sandbox-state and cache failures become one sentence."""

    async def session() -> T:
        async with open_client(settings) as client:
            return await work(client)

    try:
        return asyncio.run(session())
    except (ApiError, CacheError) as exc:
        raise CommandFailed(str(exc)) from None
    except StateFileError as exc:
        raise CommandFailed(f"{exc.path} {exc.reason}: fix the "
                            "sandbox: URL or move the file away.") from None


def use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


API_OPTION = click.option(
    "--api", metavar="URL",
    help="API base URL, or sandbox:[STATE_FILE] for the built-in emulator "
         "(default: $IGOPS_API_URL, else api_url in igops.yaml).")


def fail_on_plan_errors(plan: Plan) -> None:
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))


def show_plan_text(plan: Plan) -> None:
    color = use_color(sys.stdout)
    click.echo(render_plan_text(plan, color=color), color=color)
