"""`igops sitewide`: the store's revenue per visitor, net revenue, visitors and conversion for a range."""

from __future__ import annotations

import click

from igops.cli.common import (
    API_OPTION,
    NO_COLOR_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    echo_formatted,
    format_option,
    open_settings,
    run_against_account,
)
from igops.cli.report_command import END_OPTION, START_OPTION, terminal_width
from igops.engine import SITEWIDE_DEFAULT_DAYS
from igops.render.formats import SITEWIDE_FORMATS


@click.command("sitewide")
@API_OPTION
@TIMEOUT_OPTION
@format_option(SITEWIDE_FORMATS)
@START_OPTION
@END_OPTION
@STORE_OPTION
@NO_COLOR_OPTION
def sitewide_command(
    api: str | None, output_format: str, start: str | None, end: str | None, store_names: tuple[str, ...]
) -> None:
    """Show the store's net revenue per visitor, net revenue, visitors, orders and conversion rate
    from --start to --end (by default over the last 30 days up to now), each beside the period of the
    same length just before (the API's comparison) and the change between them.

    Reads the account only (the sitewide endpoints allow 10 calls at once, then 5 every 30 s).
    Exit 0, or 1 on an error.

    \b
    Example:
      igops sitewide
      igops sitewide --start 2026-11-01 --end 2026-11-30
      igops sitewide --start 2026-11-24 --end 2026-11-30 --format markdown
      igops sitewide --store eu --start 2026-11-01 --end 2026-11-30
    """
    if (start is None) != (end is None):
        given, needed, side = ("start", "end", "last") if end is None else ("end", "start", "first")
        raise CommandFailed(
            f"--{needed} is needed with --{given}: give the range's {side} day too, such as "
            f"--start 2026-11-01 --end 2026-11-30, or neither for the last {SITEWIDE_DEFAULT_DAYS} days."
        )
    settings = open_settings(api, store_names)
    figures = run_against_account(settings, lambda session: session.sitewide(start, end))
    echo_formatted(SITEWIDE_FORMATS, figures, output_format, width=terminal_width())
