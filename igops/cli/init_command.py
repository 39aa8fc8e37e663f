"""`igops init`: start a GitOps repository of experience files."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import CommandFailed
from igops.templates import STORE_ACTION_DIR, ScaffoldError, write_scaffold
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
def init_command(directory: Path, source: str | None, action: str | None) -> None:
    """Start a GitOps repository in DIRECTORY (default: here).

    Writes igops.yaml (every setting at its default, explained; the policies at the levels
    igops recommends, with end-gate, max-discount and freeze at force), one example experience
    file, the schemas editors check the files with, the GitHub workflows (plan on pull
    requests, apply on pushes to main, the scheduled starts and ends hourly, nightly drift,
    daily monitor) and the action they run, in .github/actions/igops/: it installs exactly
    the igops named by --source, with every dependency pinned by constraints.txt beside it.
    Adds igops's files to .gitignore.
    Writes nothing if any other of these files exists already.

    \b
    Example:
      igops init
      igops init store-experiences --source 'igops @ git+https://github.com/my-org/igops@<full commit>'
      igops init --action my-org/igops@<full commit>
    """
    if source is not None and action is not None:
        raise CommandFailed("--source and --action both say which igops the workflows run: give one.")
    try:
        chosen: Pin | str = action if action is not None else pinned_source(source)
        written = write_scaffold(directory, chosen)
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
    click.echo(
        f"The workflows run {runs}.\n"
        "Next: add the repository secret INTELLIGEMS_API_TOKEN (an API key of the store's\n"
        "organization) under Settings > Secrets and variables > Actions, and require reviewers\n"
        "for the environment igops if applies should wait for an approval; run igops validate\n"
        "and igops plan here, then commit and push."
    )
