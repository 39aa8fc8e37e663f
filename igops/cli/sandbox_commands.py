"""`igops sandbox serve`: the emulator over HTTP."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import click

from igops.cli.common import (
    API_OPTION,
    NO_COLOR_OPTION,
    CommandFailed,
    FiniteFloat,
    WrittenFile,
    load_project,
    run_against_account,
)
from igops.cli.demo_command import apply_all, history
from igops.config import SANDBOX_DEFAULT_TOKEN, SCENARIO_ENV, Settings
from igops.engine import Project, Session
from igops.sandbox import Faults, SandboxConfig, ScenarioError, StateFileError, load_scenario
from igops.sandbox.app import PREFIX
from igops.sandbox.server import serve
from igops.text import ended

_PROBABILITY = FiniteFloat(0.0, 1.0)


@click.group()
def sandbox() -> None:
    """The built-in Intelligems API emulator, for work without an account.

    \b
    Example:
      igops sandbox serve --state sandbox.db
    """


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=8787, show_default=True, type=click.IntRange(0, 65535), help="TCP port to listen on."
)
@click.option(
    "--state",
    "state_path",
    type=WrittenFile(),
    help="SQLite file that keeps the account between runs (default: memory only).",
)
@click.option(
    "--token", default=SANDBOX_DEFAULT_TOKEN, show_default=True, help="The access token the emulator accepts."
)
@click.option(
    "--rate-scale",
    default=1.0,
    show_default=True,
    type=FiniteFloat(min=0.001),
    help="Refill rate-limit buckets this many times faster (benchmarks).",
)
@click.option(
    "--refills-from-first-call",
    is_flag=True,
    help="Count each bucket's refills from its first call instead of from the start, so that the first "
    "refill comes a whole interval after it, whenever the emulator started (benchmarks).",
)
@click.option("--no-rate-limit", is_flag=True, help="Turn the rate limits off.")
@click.option(
    "--latency-ms",
    default=0,
    show_default=True,
    type=click.IntRange(0, 60_000),
    help="Delay every answer by this many milliseconds.",
)
@click.option(
    "--fail-rate",
    default=0.0,
    show_default=True,
    type=_PROBABILITY,
    help="Probability of answering 500 without doing anything.",
)
@click.option(
    "--throttle-rate",
    default=0.0,
    show_default=True,
    type=_PROBABILITY,
    help="Probability of a spurious 429.",
)
@click.option(
    "--drop-rate",
    default=0.0,
    show_default=True,
    type=_PROBABILITY,
    help="Probability that a write is committed and its connection then dropped.",
)
@click.option(
    "--commit-delay",
    default=0.0,
    show_default=True,
    type=FiniteFloat(min=0.0),
    metavar="SECONDS",
    help="Lose the answer of every create (the connection dropped) and commit it this many seconds later.",
)
@click.option("--seed", type=int, help="Seed of the fault sequence, for repeatable runs.")
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=SCENARIO_ENV,
    show_envvar=True,
    metavar="FILE",
    help="The story the analytics tell for each experience name (YAML: Name: started 12 days ago, "
    "uplift +8%), the emulator's own, never the experience files'.",
)
@click.option(
    "--unique-names",
    is_flag=True,
    help="Refuse a second experience of the same name, as the API does not: a stricter account.",
)
def sandbox_serve(
    host: str,
    port: int,
    state_path: Path | None,
    token: str,
    rate_scale: float,
    refills_from_first_call: bool,
    no_rate_limit: bool,
    latency_ms: int,
    fail_rate: float,
    throttle_rate: float,
    drop_rate: float,
    commit_delay: float,
    seed: int | None,
    scenario_path: Path | None,
    unique_names: bool,
) -> None:
    """Serve the emulator over HTTP until interrupted.

    Point igops (or curl) at it with IGOPS_API_URL=http://HOST:PORT and the token.

    \b
    Example:
      igops sandbox serve --port 8787 --state sandbox.db --fail-rate 0.1
      igops sandbox serve --scenario sandbox-scenario.yaml
      curl -H 'intelligems-access-token: sandbox-token' \\
           http://127.0.0.1:8787/v25-10-beta/experiences-list
    """
    if not token.strip():
        raise click.UsageError("--token must not be empty.")
    faults = Faults(
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        throttle_rate=throttle_rate,
        drop_rate=drop_rate,
        commit_delay_s=commit_delay,
        seed=seed,
    )
    try:
        scenario = load_scenario(scenario_path) if scenario_path is not None else {}
    except ScenarioError as exc:
        raise CommandFailed(f"--scenario {exc}.") from None
    config = SandboxConfig(
        token=token,
        state_path=state_path,
        rate_limits=not no_rate_limit,
        rate_scale=rate_scale,
        refills_from_first_call=refills_from_first_call,
        faults=faults,
        unique_names=unique_names,
        scenario=scenario,
    )
    default_token = token == SANDBOX_DEFAULT_TOKEN
    token_note = f"the default token '{token}'" if default_token else "the --token"
    state_note = f", state in {state_path}" if state_path else ""

    def announce(port: int) -> None:
        root = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        shown_token = token if default_token else "<your --token>"
        click.echo(
            f"Intelligems sandbox on {root}{PREFIX}, accepting {token_note}{state_note}. Ctrl-C "
            f"stops it.\nPoint igops at it: IGOPS_API_URL={root} INTELLIGEMS_API_TOKEN={shown_token} "
            "igops plan",
            err=True,
        )

    try:
        serve(config, host=host, port=port, on_listening=announce)
    except StateFileError as exc:
        raise CommandFailed(f"{exc.path} {exc.reason}: move it away or choose another --state.") from None
    except OSError as exc:
        raise CommandFailed(
            ended(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")
            + " Choose another --host or --port."
        ) from None


@sandbox.command("seed")
@API_OPTION
@NO_COLOR_OPTION
def sandbox_seed(api: str | None) -> None:
    """Make an emulator's account look as if these files had been applied all along.

    Experiences the files pause or end are first created and started (the API cannot
    create them paused or ended), then every file is applied, safety rails included. Only
    for the emulator: the API URL must be sandbox:[STATE_FILE] or a loopback address,
    such as the one `igops sandbox serve` prints. This repository's own workflows seed
    their emulator with the files of the commit before the change, so that a plan shows
    only the change.

    \b
    Example:
      IGOPS_API_URL=http://127.0.0.1:8787 INTELLIGEMS_API_TOKEN=sandbox-token igops sandbox seed
    """
    project = load_project(api)
    if not _is_emulator(project.settings):
        raise CommandFailed(
            f"igops sandbox seed writes to the account it is given, starting what the files "
            f"pause or end, so it runs only against the emulator (sandbox: or a loopback "
            f"URL), not {project.settings.api_url}."
        )
    run_against_account(project.settings, lambda session: _seed(session, project))


async def _seed(session: Session, project: Project) -> None:
    before = history(project)
    if before.desired:
        await apply_all(session, await session.plan(before), quiet=True)
    await apply_all(session, await session.plan(project), quiet=True)


def _is_emulator(settings: Settings) -> bool:
    if settings.uses_sandbox:
        return True
    host = urlsplit(settings.api_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
