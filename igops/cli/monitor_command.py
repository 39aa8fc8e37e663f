"""`igops monitor`: the monitoring rules over the running experiences, for a scheduled job."""

from __future__ import annotations

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    NO_COLOR_OPTION,
    NOW_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    echo_formatted,
    echo_per_store,
    fail_on_store_failures,
    format_option,
    load_stores,
    run_against_account,
    run_against_stores,
)
from igops.cli.report_command import terminal_width
from igops.render.formats import MONITOR_FORMATS


@click.command("monitor")
@API_OPTION
@TIMEOUT_OPTION
@format_option(MONITOR_FORMATS)
@NOW_OPTION
@STORE_OPTION
@click.pass_context
@NO_COLOR_OPTION
def monitor_command(
    ctx: click.Context, api: str | None, output_format: str, now: float | None, store_names: tuple[str, ...]
) -> None:
    """Check the managed, running experiences against the monitoring rules of igops.yaml: a
    sample-ratio mismatch (visitors split unlike the configured percentages), a variation's
    conversion collapsing against the control, milestones (7 and 14 days live) that call
    for a look at the results, and a test whose file schedules its end within 48 hours while its
    results fall short of the end-gate's evidence (due soon). Days live and due ends are told by
    --now (default: the current time).

    Reads the account only. Exit 0: no alert; 2: an alert fired; 1: error.

    \b
    Example:
      igops monitor
      igops monitor --format markdown > alerts.md || test $? -eq 2
      igops monitor --now 2026-12-26T09:00:00-05:00
      igops monitor --store us --format markdown
    """
    stores = load_stores(api, store_names)
    if stores.config.has_stores:
        reports = run_against_stores(stores, lambda session, project: session.monitor(project, now=now))
        echo_per_store(MONITOR_FORMATS, reports, output_format, width=terminal_width())
        fail_on_store_failures(reports, "checked")
        ctx.exit(EXIT_CHANGES if any(report.fired for _, report in reports.values) else 0)
    project = stores.projects[0]
    report = run_against_account(project.settings, lambda session: session.monitor(project, now=now))
    echo_formatted(MONITOR_FORMATS, report, output_format, width=terminal_width())
    ctx.exit(EXIT_CHANGES if report.fired else 0)
