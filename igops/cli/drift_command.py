"""`igops drift`: where the account no longer says what the files say (edits made in the dashboard)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    EXIT_ERROR,
    REFRESH_CACHE_OPTION,
    TIMEOUT_OPTION,
    load_project,
    run_against_account,
    use_color,
)
from igops.render.drift import DRIFT_FORMATS


@click.command("drift")
@API_OPTION
@TIMEOUT_OPTION
@click.option("--format", "output_format", type=click.Choice(list(DRIFT_FORMATS)), default="text",
              show_default=True, help="text for terminals, markdown for an issue body, json for machines "
                                      "(schemas/drift.schema.json).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Check only this experience (its key or file path); repeatable.")
@REFRESH_CACHE_OPTION
@click.pass_context
def drift_command(ctx: click.Context, api: str | None, output_format: str, targets: tuple[str, ...],
                  cache_path: Path | None) -> None:
    """Say where the live account differs from the files: each field with the live value beside the
    file's, a status moved in the dashboard (an end too), a pinned experience gone from the account,
    an experience igops cannot manage, and the experiences no file manages.

    Reads the account only, and reports every finding with its way out. Exit 0: no drift; 2: drift;
    1: error (two files claim one experience, an unknown --target, the account unreachable).

    \b
    Example:
      igops drift
      igops drift --format markdown > drift.md || test $? -eq 2
      igops drift --refresh-cache .igops-cache/refresh.json
    """
    project = load_project(api)
    report = run_against_account(project.settings, lambda session: session.drift(
        project, targets=targets, cache_path=cache_path))
    color = output_format == "text" and use_color(sys.stdout)
    click.echo(DRIFT_FORMATS[output_format](report, color=color), color=color)
    ctx.exit(EXIT_ERROR if report.errors else EXIT_CHANGES if report.has_drift else 0)
