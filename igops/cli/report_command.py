"""`igops report`: the results of the managed experiences, for a terminal, Slack or an issue, and machines."""

from __future__ import annotations

import shutil
import sys

import click

from igops.cli.common import (
    API_OPTION,
    NO_COLOR_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    echo_formatted,
    echo_per_store,
    fail_on_store_failures,
    format_option,
    load_stores,
    run_against_account,
    run_against_stores,
    targeted,
)
from igops.cli.completion_command import complete_keys
from igops.render.formats import REPORT_FORMATS

START_OPTION = click.option(
    "--start", metavar="DATE", help="First day (YYYY-MM-DD, UTC) or moment (ISO 8601) of the range."
)
END_OPTION = click.option(
    "--end",
    metavar="DATE",
    help="Last day (YYYY-MM-DD, included) or moment (ISO 8601, excluded) of the range.",
)


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (tables fit it); None elsewhere (a fixed width)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


@click.command("report")
@API_OPTION
@TIMEOUT_OPTION
@click.argument("keys", nargs=-1, metavar="[KEY]...", shell_complete=complete_keys)
@format_option(REPORT_FORMATS)
@START_OPTION
@END_OPTION
@STORE_OPTION
@NO_COLOR_OPTION
def report_command(
    api: str | None,
    keys: tuple[str, ...],
    output_format: str,
    start: str | None,
    end: str | None,
    store_names: tuple[str, ...],
) -> None:
    """Show the results of the managed experiences that have started: status, days live, and per
    variation visitors, orders, conversion rate, net revenue per visitor, the uplift against the
    control with its 95% interval, the chance to beat the control, and the API's verdict.

    KEY (a file's key or path) narrows the report to those experiences; each must have started.
    Without --start and --end each experience is shown over its whole run. Reads the account
    only. Exit 0, or 1 on an error.

    \b
    Example:
      igops report
      igops report homepage-hero-headline --start 2026-11-01 --end 2026-11-14
      igops report --format markdown > results.md
      igops report --store us --store eu
    """
    stores = load_stores(api, store_names)
    if stores.config.has_stores:
        stores, chosen = targeted(stores, keys)
        reports = run_against_stores(
            stores,
            lambda session, project: session.report(
                project, chosen[project.settings.account.name], start, end
            ),
        )
        echo_per_store(REPORT_FORMATS, reports, output_format, width=terminal_width())
        fail_on_store_failures(reports, "reported")
        return
    project = stores.projects[0]
    report = run_against_account(project.settings, lambda session: session.report(project, keys, start, end))
    echo_formatted(REPORT_FORMATS, report, output_format, width=terminal_width())
