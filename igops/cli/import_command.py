"""`igops import`: live experiences written as experience files, so a repository adopts an account."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    NO_COLOR_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    open_settings,
    run_against_account,
)
from igops.cli.completion_command import complete_keys
from igops.render.untrusted import terminal


@click.command("import")
@click.argument("references", nargs=-1, metavar="[ID_OR_NAME_OR_KEY]...", shell_complete=complete_keys)
@API_OPTION
@TIMEOUT_OPTION
@click.option("--all", "import_all", is_flag=True, help="Import every live experience.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the files (default: experiences_dir in igops.yaml).",
)
@click.option("--overwrite", is_flag=True, help="Replace a file that already holds the experience.")
@STORE_OPTION
@NO_COLOR_OPTION
def import_command(
    references: tuple[str, ...],
    api: str | None,
    import_all: bool,
    directory: Path | None,
    overwrite: bool,
    store_names: tuple[str, ...],
) -> None:
    """Write live experiences as experience files: the schema line, the id pinned, API defaults left
    out. Experiences of types the API cannot create are listed and skipped. A file that exists is
    never replaced without --overwrite, and a link, a directory or a device never: then nothing is
    written. A file or directory there that cannot be read stops the import too.

    \b
    Example:
      igops import --all
      igops import "Homepage hero headline" --dir experiences/homepage
      igops import --overwrite homepage-hero-headline    # accept the live version after drift
      igops import --all --store eu    # with stores: into that store's directory
    """
    if import_all == bool(references):
        raise CommandFailed("name the experiences to import (ids, names or file keys), or give --all.")
    settings = open_settings(api, store_names)
    target = directory if directory is not None else settings.account.experiences_dir
    done = run_against_account(
        settings,
        lambda session: session.import_experiences(
            references, target, import_all=import_all, overwrite=overwrite
        ),
    )
    # Names and ids are the API's: shown as untrusted text.
    for file in done.files:
        click.echo(terminal(f"{'replaced' if file.replaces else 'wrote'} {file.path} ({file.name})"))
    for skipped in done.skipped:
        click.echo(terminal(f"skipped {skipped.name} ({skipped.experience_id}): {skipped.reason}"))
    click.echo(f"Import complete: {len(done.files)} file(s) written, {len(done.skipped)} skipped.")
