"""`igops combine-plans`: the plans of several stores, each planned in a job of its own, as one document."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import (
    MAX_CHARS_OPTION,
    NO_COLOR_OPTION,
    CommandFailed,
    refuse_max_chars_unless_markdown,
    show_store_plans,
)
from igops.model import Plan, StoreOutcome, StoreOutcomes, StorePlans
from igops.render.formats import STORE_PLAN_FORMATS
from igops.text import counted


@click.command("combine-plans")
@click.argument("documents", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--expect-store",
    "expected",
    multiple=True,
    metavar="NAME",
    help="A store that was to be planned; one no document holds is shown as not planned; repeatable.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(STORE_PLAN_FORMATS.names),
    default="markdown",
    show_default=True,
    help=STORE_PLAN_FORMATS.help,
)
@MAX_CHARS_OPTION
@NO_COLOR_OPTION
def combine_plans_command(
    documents: tuple[Path, ...], expected: tuple[str, ...], output_format: str, max_chars: int | None
) -> None:
    """Show the plans of several stores, each printed by `igops plan --store NAME --format json` in a job of
    its own, as one document: the one pull request comment of a repository with several stores, a line per
    store first and what is cut named. Reads the documents only: needs no token.

    Exits 1 when a store was not planned (its document says so, or --expect-store names a store no document
    holds), after printing the document.

    \b
    Example:
      igops combine-plans plans/*/plan.json --expect-store us --expect-store eu --format markdown
    """
    refuse_max_chars_unless_markdown(output_format, max_chars)
    outcomes: dict[str, StoreOutcome[Plan]] = {}
    for path in documents:
        for outcome in _read(path).outcomes:
            if outcome.store in outcomes:
                raise CommandFailed(f"{path}: the store {outcome.store} is in another document too.")
            outcomes[outcome.store] = outcome
    for store in expected:
        outcomes.setdefault(
            store,
            StoreOutcome(
                store, failure=f"store {store}: no plan came back: its job failed or was cancelled."
            ),
        )
    if not outcomes:
        raise CommandFailed("give the plan documents to combine, or --expect-store for the stores planned.")
    order = {store: index for index, store in enumerate(expected)}
    plans = StoreOutcomes(
        tuple(sorted(outcomes.values(), key=lambda o: (order.get(o.store, len(order)), o.store)))
    )
    show_store_plans(plans, output_format, max_chars=max_chars)
    failed = [outcome.store for outcome in plans.failures]
    if failed:
        raise CommandFailed(f"{counted(len(failed), 'store')} not planned: {', '.join(failed)}.")


def _read(path: Path) -> StorePlans:
    try:
        return engine.read_store_plans(path)
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
