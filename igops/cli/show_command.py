"""`igops show`: a live experience as its experience file would say it, or a saved plan."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import (
    API_OPTION,
    FORMAT_OPTION,
    MAX_CHARS_OPTION,
    NO_COLOR_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    fail_on_store_failures,
    open_settings,
    refuse_max_chars_unless_markdown,
    run_against_account,
    show_plan,
    show_store_plans,
)
from igops.cli.completion_command import complete_key_or_file
from igops.engine import EngineError
from igops.model import Plan, StoreOutcome, StoreOutcomes


@click.command("show")
@click.argument("reference", metavar="KEY|ID|NAME|PLANFILE", shell_complete=complete_key_or_file)
@API_OPTION
@TIMEOUT_OPTION
@FORMAT_OPTION
@MAX_CHARS_OPTION
@STORE_OPTION
@NO_COLOR_OPTION
def show_command(
    reference: str, api: str | None, output_format: str, max_chars: int | None, store_names: tuple[str, ...]
) -> None:
    """Print a live experience in the experience-file format (by the key of the file that manages
    it, its id or its name), or a saved plan (from `igops plan --out`) in --format.

    \b
    Example:
      igops show homepage-hero-headline
      igops show plan.json --format markdown --max-chars 900000
      igops show homepage-hero-headline --store eu
    """
    refuse_max_chars_unless_markdown(output_format, max_chars)
    if _names_a_file(reference):
        _show_plan_file(Path(reference), api, output_format, max_chars, store_names)
        return
    settings = open_settings(api, store_names)
    # A file that fails to load manages nothing, but one that cannot be read might manage the experience.
    loaded = engine.account_files(settings)
    if loaded.unreadable:
        raise CommandFailed("\n".join(f"Error: {error}" for error in loaded.unreadable))
    click.echo(
        run_against_account(settings, lambda session: session.show(reference, loaded.experiences)), nl=False
    )


def _show_plan_file(
    path: Path, api: str | None, output_format: str, max_chars: int | None, store_names: tuple[str, ...]
) -> None:
    """A saved plan; one of several stores shows each store's section (those --store names) read with that
    store's token."""
    try:
        stores = engine.stores_in_plan_file(path)
    except EngineError as exc:
        raise CommandFailed(str(exc)) from None
    if not stores:
        settings = open_settings(api, store_names)
        try:
            plan = engine.read_plan_file(path, settings)
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
        show_plan(plan, output_format, max_chars=max_chars)
        return
    outcomes = []
    for store in store_names or stores:
        try:
            plan = engine.read_plan_file(path, open_settings(api, [store]))
        except (EngineError, CommandFailed) as exc:
            outcomes.append(StoreOutcome[Plan](store, failure=f"store {store}: {exc}"))
            continue
        outcomes.append(StoreOutcome(store, value=plan))
    plans = StoreOutcomes(tuple(outcomes))
    show_store_plans(plans, output_format, max_chars=max_chars)
    fail_on_store_failures(plans, "shown")


def _names_a_file(reference: str) -> bool:
    """Whether `reference` is a file (a saved plan): one behind a directory igops may not look into is taken
    as one, so that reading it says so; a name too long for a path is a name."""
    try:
        return Path(reference).is_file()
    except PermissionError:
        return True
    except OSError:
        return False
