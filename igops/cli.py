"""The `igops` command line: parse options, call the layer below, render, set the exit code.

Exit codes: 0 ok, 1 error (bad input included), 2 changes or drift found.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

import click

from igops import __version__, spec
from igops.api import ApiError, IntelligemsClient
from igops.atomic import write_atomically
from igops.config import ConfigError, Settings
from igops.connect import open_client
from igops.engine import CacheError, RefreshCache, files_hash, make_plan
from igops.model import DesiredExperience
from igops.render import validation as validation_report
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.sandbox import Faults, SandboxConfig, StateFileError
from igops.sandbox.server import serve
from igops.spec import ProjectConfig

EXIT_ERROR = 1

T = TypeVar("T")

_PROBABILITY = click.FloatRange(0.0, 1.0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igops")
def cli() -> None:
    """Intelligems experiences as code: YAML in git, plan and apply like Terraform.

    \b
    Example:
      igops sandbox serve --port 8787
    """


@cli.group()
def sandbox() -> None:
    """The built-in Intelligems API emulator, for work without an account.

    \b
    Example:
      igops sandbox serve --state sandbox.json
    """


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port to listen on.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file that keeps the account between runs (default: memory only).")
@click.option("--token", default="sandbox-token", show_default=True,
              help="The access token the emulator accepts.")
@click.option("--rate-scale", default=1.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Refill rate-limit buckets this many times faster (benchmarks).")
@click.option("--no-rate-limit", is_flag=True, help="Turn the rate limits off.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 60_000),
              help="Delay every answer by this many milliseconds.")
@click.option("--fail-rate", default=0.0, show_default=True, type=_PROBABILITY,
              help="Probability of answering 500 without doing anything.")
@click.option("--throttle-rate", default=0.0, show_default=True, type=_PROBABILITY,
              help="Probability of a spurious 429.")
@click.option("--drop-rate", default=0.0, show_default=True, type=_PROBABILITY,
              help="Probability that a write is committed and its connection then dropped.")
@click.option("--seed", type=int, help="Seed of the fault sequence, for repeatable runs.")
def sandbox_serve(
    host: str, port: int, state_path: Path | None, token: str, rate_scale: float,
    no_rate_limit: bool, latency_ms: int, fail_rate: float, throttle_rate: float,
    drop_rate: float, seed: int | None,
) -> None:
    """Serve the emulator over HTTP until interrupted.

    Point igops (or curl) at it with IGOPS_API_URL=http://HOST:PORT and the token.

    \b
    Example:
      igops sandbox serve --port 8787 --state sandbox.json --fail-rate 0.1
      curl -H 'intelligems-access-token: sandbox-token' \\
           http://127.0.0.1:8787/v25-10-beta/experiences-list
    """
    if not token.strip():
        raise click.UsageError("--token must not be empty.")
    faults = Faults(latency_ms=latency_ms, fail_rate=fail_rate, throttle_rate=throttle_rate,
                    drop_rate=drop_rate, seed=seed)
    config = SandboxConfig(token=token, state_path=state_path, rate_limits=not no_rate_limit,
                           rate_scale=rate_scale, faults=faults)
    token_note = "the default token 'sandbox-token'" if token == "sandbox-token" else "the --token"
    state_note = f", state in {state_path}" if state_path else ""

    def announce() -> None:
        click.echo(f"Intelligems sandbox on http://{host}:{port}/v25-10-beta, accepting {token_note}"
                   f"{state_note}. Ctrl-C stops it.", err=True)

    try:
        serve(config, host=host, port=port, on_listening=announce)
    except StateFileError as exc:
        raise click.ClickException(
            f"{exc.path} is not a sandbox state file ({exc.reason}): move it away or choose another --state."
        ) from None
    except OSError as exc:
        raise click.ClickException(
            f"Cannot serve on {host}:{port}: {exc.strerror or exc}. Choose another --host or --port."
        ) from None


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: one line per problem and a count; json: the same for machines.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], output_format: str) -> None:
    """Check experience files: YAML, the schema and igops's rules; report every problem.

    PATHS are files or directories (searched recursively for *.yaml and *.yml). Without
    any, the experiences directory named in ./igops.yaml is checked (default: experiences).
    Each problem is printed as FILE:LINE:COLUMN: FIELD: sentence. Exits 1 if there is any.

    \b
    Example:
      igops validate
      igops validate experiences/homepage-hero-headline.yaml --format json
    """
    result = spec.validate(paths)
    render = validation_report.render_json if output_format == "json" else validation_report.render_text
    click.echo(render(result))
    ctx.exit(0 if result.ok else EXIT_ERROR)


@dataclass(frozen=True)
class Workspace:
    """What every account command starts from: settings, and the experience files, all valid."""

    project: ProjectConfig
    settings: Settings
    desired: tuple[DesiredExperience, ...]


def load_workspace(api: str | None) -> Workspace:
    """igops.yaml, the API settings and the experience files; any problem ends the command (exit 1)."""
    try:
        project = spec.load_project_config(Path())
        settings = Settings.resolve(api, configured_url=project.api_url, token_env=project.token_env)
    except spec.InvalidConfig as exc:
        raise CommandFailed("\n".join(map(str, exc.errors))) from None
    except ConfigError as exc:
        raise CommandFailed(str(exc)) from None
    loaded = spec.load_experiences([project.experiences_dir])
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
        raise CommandFailed(f"{exc.path} is not a sandbox state file ({exc.reason}): fix the "
                            "sandbox: URL or move the file away.") from None


def use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


API_OPTION = click.option(
    "--api", metavar="URL",
    help="API base URL, or sandbox:[STATE_FILE] for the built-in emulator "
         "(default: $IGOPS_API_URL, else api_url in igops.yaml).")


@cli.command("plan")
@API_OPTION
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="text for terminals, markdown for PR comments, "
              "json for machines (schemas/plan.schema.json).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan as JSON here, for `igops apply PLANFILE`.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes (0: none, 1: error).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Plan only this experience (file name without .yaml); repeatable.")
@click.option("--refresh-cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep full reads here and re-read only experiences whose lastUpdateTs moved.")
@click.pass_context
def plan_command(ctx: click.Context, api: str | None, output_format: str, out_path: Path | None,
                 detailed_exitcode: bool, targets: tuple[str, ...], cache_path: Path | None) -> None:
    """Show what apply would change in the account to make it match the files.

    Reads the account only; never writes to it.

    \b
    Example:
      igops plan
      igops plan --format markdown --out plan.json --detailed-exitcode
      igops plan --api sandbox: --target homepage-hero-headline
    """
    workspace = load_workspace(api)
    try:
        cache = RefreshCache.load(cache_path) if cache_path is not None else None
    except CacheError as exc:
        raise CommandFailed(str(exc)) from None
    plan = run_against_account(workspace.settings, lambda client: make_plan(
        client, workspace.desired, targets=targets, cache=cache, fingerprint=files_hash(workspace.desired)))
    if plan.errors:
        raise CommandFailed("\n".join(f"Error: {error.message}" for error in plan.errors))
    if output_format == "json":
        click.echo(render_plan_json(plan))
    elif output_format == "markdown":
        click.echo(render_plan_markdown(plan))
    else:
        click.echo(render_plan_text(plan, color=use_color(sys.stdout)), color=use_color(sys.stdout))
    if out_path is not None:
        try:
            write_atomically(out_path, render_plan_json(plan) + "\n")
        except OSError as exc:
            raise CommandFailed(f"Cannot write {out_path}: {exc.strerror or exc}.") from None
    ctx.exit(2 if detailed_exitcode and plan.has_changes else 0)


class CommandFailed(click.ClickException):
    """An expected failure: its message is printed as is, and the exit code is 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.message}" if "\n" not in self.message else self.message, err=True)


def main() -> None:
    """Console entry point: click's usage errors exit 1, not 2, because 2 means 'changes found'."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
