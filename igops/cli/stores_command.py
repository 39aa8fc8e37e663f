"""`igops stores`: the stores of igops.yaml, or those a change since a commit touches (a matrix)."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import STORE_OPTION, CommandFailed, echo_formatted, echo_notes, format_option
from igops.render.formats import STORES_FORMATS


@click.command("stores")
@STORE_OPTION
@click.option(
    "--changed-since",
    "since",
    metavar="REF",
    help="Only the stores a change since git commit REF touches (REF compared with the work tree): a file "
    "in a store's experiences_dir (its overrides too), a shared file in shared_dir (the stores that plan "
    "its key), or igops.yaml (every store: a store's settings or the policies may have changed).",
)
@format_option(STORES_FORMATS)
def stores_command(store_names: tuple[str, ...], since: str | None, output_format: str) -> None:
    """List the stores of igops.yaml, each with the environment variable its token is read from (in
    GitHub Actions, the name of its secret). A repository without stores in igops.yaml is one store,
    named "" in JSON (a workflow then passes no --store).

    With --changed-since REF, only the stores that the changes since commit REF touch. REF is compared
    with the work tree: the commits since REF, staged and unstaged edits, and new files git does not
    ignore count; a deleted or renamed file counts by each of its paths. Files elsewhere touch no store.

    --format json prints a GitHub Actions matrix, {"include": [{"store": NAME, "token_env": VARIABLE},
    ...]}, to use as it is (strategy: matrix: ${{ fromJSON(...) }}). Its include is empty when no store
    is touched, which GitHub refuses as a matrix: skip the job then. Reads igops.yaml and git only,
    never the account, and needs no token.

    \b
    Example:
      igops stores
      igops stores --changed-since origin/main
      igops stores --changed-since "$BEFORE" --format json
    """
    try:
        listing = engine.list_stores(Path(), store_names, since)
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
    echo_notes(listing.notes)
    echo_formatted(STORES_FORMATS, listing, output_format)
