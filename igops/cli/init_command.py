"""`igops init`: start a GitOps repository of experience files."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import CommandFailed
from igops.templates import DEFAULT_ACTION, ScaffoldError, write_scaffold


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--action", default=DEFAULT_ACTION, show_default=True, metavar="OWNER/REPO@REF",
              help="The igops GitHub Action the workflows run; pin a release tag or a commit SHA.")
def init_command(directory: Path, action: str) -> None:
    """Start a GitOps repository in DIRECTORY (default: here).

    Writes igops.yaml (every setting at its default, explained), one example experience
    file, the schemas editors check the files with, and three GitHub workflows: plan on
    pull requests, apply on pushes to main, a nightly drift check. Writes nothing if any
    of these files exists already.

    \b
    Example:
      igops init
      igops init store-experiences --action my-org/igops@v1
    """
    try:
        written = write_scaffold(directory, action)
    except ScaffoldError as exc:
        raise CommandFailed(str(exc)) from None
    click.echo("Wrote:")
    click.echo("".join(f"  {directory / path}\n" for path in written))
    click.echo("Next: add the repository secret INTELLIGEMS_API_TOKEN (an API key of the store's\n"
               "organization) under Settings > Secrets and variables > Actions, run igops validate and\n"
               "igops plan here, then commit and push.")
