"""`igops calendar`: the scheduled starts and ends and the freeze windows to come, from the files alone."""

from __future__ import annotations

import time

import click

from igops import engine
from igops.cli.common import (
    NO_COLOR_OPTION,
    NOW_OPTION,
    STORE_OPTION,
    echo_formatted,
    format_option,
    load_files,
)
from igops.render.formats import CALENDAR_FORMATS


@click.command("calendar")
@NOW_OPTION
@click.option(
    "--all",
    "past",
    is_flag=True,
    help="Also the boundaries before the clock and the freeze windows over (a published feed keeps its "
    "history).",
)
@format_option(CALENDAR_FORMATS)
@STORE_OPTION
@NO_COLOR_OPTION
def calendar_command(now: float | None, past: bool, output_format: str, store_names: tuple[str, ...]) -> None:
    """List what the experience files' schedules will start and end, and igops.yaml's freeze windows
    (policies.freeze), in time order: each schedule boundary at or after the clock and each window not yet
    over, with how far away it is and the file that says so.

    Reads the files and igops.yaml only, never the account, and needs no token: a CI job can publish the
    calendar (--format ics) for calendar apps to subscribe to. Invalid files fail as igops validate
    reports them. With stores, each entry names its store (us/KEY).

    \b
    Example:
      igops calendar
      igops calendar --now 2026-11-20T09:00:00-05:00 --format markdown
      igops calendar --all --format ics > site/experiences.ics
    """
    calendar = engine.calendar_of(load_files(store_names), time.time() if now is None else now, past=past)
    echo_formatted(CALENDAR_FORMATS, calendar, output_format, nl=output_format != "ics")
