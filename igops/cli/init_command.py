"""`igops init`: start a GitOps repository of experience files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from igops import engine
from igops.cli.common import CommandFailed
from igops.config import CONFIG_FILE, store_name_problem, store_token_env
from igops.templates import STORE_ACTION_DIR, ScaffoldError, workflows_without_stores, write_scaffold
from igops.templates.installed import Pin
from igops.templates.source import EXAMPLE_SOURCE, SourceError, pinned_source


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--source",
    metavar="REQUIREMENT",
    help="The igops the workflows install, as a pip requirement pinned to a commit or a release: "
    f"'{EXAMPLE_SOURCE}' or 'igops==X.Y.Z' (default: the git commit this igops was "
    "installed from).",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@COMMIT",
    help="Run a published igops GitHub Action at this full commit instead of an action of the "
    "repository's own.",
)
@click.option(
    "--store",
    "stores",
    multiple=True,
    metavar="NAME",
    help="A store of the repository, its own Intelligems account (repeatable): igops.yaml lists it under "
    "stores:, its files go in experiences/NAME/ and its token in INTELLIGEMS_API_TOKEN_NAME. Where "
    "igops.yaml exists already, adds the store to it and creates its directory, and writes nothing else.",
)
def init_command(directory: Path, source: str | None, action: str | None, stores: tuple[str, ...]) -> None:
    """Start a GitOps repository in DIRECTORY (default: here), or add a store to one.

    Writes igops.yaml (every setting at its default, explained; the policies at the levels
    igops recommends, with end-gate, max-discount and freeze at force), one example experience
    file, the schemas editors check the files with, the GitHub workflows (plan on pull
    requests, apply on pushes to main, the scheduled starts and ends hourly, nightly drift,
    daily monitor) and the action they run, in .github/actions/igops/: it installs exactly
    the igops named by --source, with every dependency pinned by constraints.txt beside it.
    Adds igops's files to .gitignore.
    Writes nothing if any other of these files exists already.

    With --store NAME, igops.yaml lists the stores named, each with the example in its directory
    (experiences/NAME/). In a repository that has igops.yaml, --store NAME adds the store to its
    stores: (editing its text: comments and other settings stay as they are) and creates the store's
    directory, and writes nothing else. A repository without stores whose experiences directory holds
    files is refused until they are moved into a store's directory or the shared one.

    \b
    Example:
      igops init
      igops init store-experiences --source 'igops @ git+https://github.com/my-org/igops@<full commit>'
      igops init --action my-org/igops@<full commit>
      igops init --store us --store eu
      igops init --store wholesale        # in a repository that has igops.yaml
    """
    if source is not None and action is not None:
        raise CommandFailed("--source and --action both say which igops the workflows run: give one.")
    for index, name in enumerate(stores):
        problem = store_name_problem(name)
        if problem is not None:
            raise CommandFailed(f"--store {problem}")
        if name in stores[:index]:
            raise CommandFailed(f"--store {name} is given twice.")
    config = directory / CONFIG_FILE
    if stores and (config.exists() or config.is_symlink()):
        if source is not None or action is not None:
            raise CommandFailed(
                f"{config} exists, so igops init --store only adds the store to it and writes no workflow: "
                "leave --source and --action out."
            )
        _add_stores(directory, stores)
        return
    try:
        chosen: Pin | str = action if action is not None else pinned_source(source)
        written = write_scaffold(directory, chosen, stores)
    except (ScaffoldError, SourceError) as exc:
        raise CommandFailed(str(exc)) from None
    click.echo("Wrote:")
    click.echo("".join(f"  {directory / path}\n" for path in written))
    runs = (
        f"the action {action}"
        if isinstance(chosen, str)
        else f"{chosen.requirement} (set in {STORE_ACTION_DIR}/action.yml; igops init --action "
        "OWNER/REPO@COMMIT uses a published igops action instead)"
    )
    click.echo(f"The workflows run {runs}.")
    _next(
        f"add {_secrets([store_token_env(name) for name in stores] or ['INTELLIGEMS_API_TOKEN'])} under "
        "Settings > Secrets and variables > Actions, and require reviewers for the "
        "environment igops if applies should wait for an approval; run igops validate and igops plan "
        "here, then commit and push."
    )


def _secrets(names: list[str]) -> str:
    """`the repository secret NAME (...)`: the secrets the workflows read the stores' tokens from."""
    if len(names) == 1:
        return f"the repository secret {names[0]} (an API key of the store's organization)"
    return (
        f"the repository secrets {', '.join(names)} (an API key of each store's organization, in this order)"
    )


def _next(steps: str) -> None:
    click.echo(textwrap.fill(f"Next: {steps}", _WIDTH, break_on_hyphens=False))


_WIDTH = 100


def _add_stores(directory: Path, stores: tuple[str, ...]) -> None:
    """--store where igops.yaml exists: the stores added to it, their directories created."""
    try:
        added = engine.add_stores(directory, stores)
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
    for store in added.stores:
        click.echo(
            f"Added the store {store.name} to {added.config}: its files in {store.experiences_dir}/, "
            f"its token in {store.token_env}."
        )
    if added.token_env_commented is not None:
        click.echo(
            f"Turned {added.token_env_commented!r} into a comment in {added.config}: with stores, each "
            "store has its own token."
        )
    for created in added.created:
        click.echo(f"Created {created}/")
    for workflow in workflows_without_stores(directory):
        click.echo(
            f"Note: {directory / workflow} runs one job, with INTELLIGEMS_API_TOKEN only (an older igops "
            "init wrote it): write the workflows anew (igops init in an empty directory) and copy them over."
        )
    _next(
        f"add {_secrets([store.token_env for store in added.stores])} under Settings > Secrets and "
        "variables > Actions; put each store's "
        "experience files in its directory (git keeps no empty directory); run igops validate and igops "
        "plan here, then commit and push."
    )
