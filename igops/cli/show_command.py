"""`igops show`: a live experience as its experience file would say it, or a saved plan."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import (
    API_OPTION,
    FORMAT_OPTION,
    MAX_CHARS_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    open_settings,
    refuse_max_chars_unless_markdown,
    run_against_account,
    show_plan,
)
from igops.engine import EngineError


@click.command("show")
@click.argument("reference", metavar="KEY|ID|NAME|PLANFILE")
@API_OPTION
@TIMEOUT_OPTION
@FORMAT_OPTION
@MAX_CHARS_OPTION
def show_command(reference: str, api: str | None, output_format: str, max_chars: int | None) -> None:
    """Print a live experience in the experience-file format (by the key of the file that manages
    it, its id or its name), or a saved plan (from `igops plan --out`) in --format.

    \b
    Example:
      igops show homepage-hero-headline
      igops show plan.json --format markdown --max-chars 900000
    """
    refuse_max_chars_unless_markdown(output_format, max_chars)
    settings = open_settings(api)
    if _names_a_file(reference):
        try:
            plan = engine.read_plan_file(Path(reference), settings)
        except EngineError as exc:
            raise CommandFailed(str(exc)) from None
        show_plan(plan, output_format, max_chars=max_chars)
        return
    # A file that fails to load manages nothing, but one that cannot be read might manage the experience.
    loaded = engine.validate((), Path())
    if loaded.unreadable:
        raise CommandFailed("\n".join(f"Error: {error}" for error in loaded.unreadable))
    click.echo(
        run_against_account(settings, lambda session: session.show(reference, loaded.experiences)), nl=False
    )


def _names_a_file(reference: str) -> bool:
    """Whether `reference` is a file (a saved plan): one behind a directory igops may not look into is taken
    as one, so that reading it says so; a name too long for a path is a name."""
    try:
        return Path(reference).is_file()
    except PermissionError:
        return True
    except OSError:
        return False
