"""`igops drift`: where the account no longer says what the files say (edits made in the dashboard)."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    EXIT_ERROR,
    NOW_OPTION,
    REFRESH_CACHE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
    echo_formatted,
    format_option,
    load_project,
    run_against_account,
)
from igops.render.drift import render_adoption
from igops.render.formats import DRIFT_FORMATS


@click.command("drift")
@API_OPTION
@TIMEOUT_OPTION
@format_option(DRIFT_FORMATS)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KEY",
    help="Check only this experience (its key or file path); repeatable.",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="Rewrite each drifted file to say what the account says, in the drifted fields only "
    "(comments and layout kept); files with no live experience are left as they are.",
)
@REFRESH_CACHE_OPTION
@NOW_OPTION
@click.pass_context
def drift_command(
    ctx: click.Context,
    api: str | None,
    output_format: str,
    targets: tuple[str, ...],
    adopt: bool,
    cache_path: Path | None,
    now: float | None,
) -> None:
    """Say where the live account differs from the files: each field with the live value beside the
    file's, a status moved in the dashboard (an end too), a pinned experience gone from the account,
    an experience igops cannot manage, and the experiences no file manages.

    Reads the account only, and reports every finding with its way out. Exit 0: no drift; 2: drift;
    1: error (two files claim one experience, an unknown --target, the account unreachable).
    A file's schedule holds its status back as in a plan: a start not yet due at --now (default:
    the current time) is no drift.

    With --adopt, the files then take what the account says (an end in the dashboard: status: ended,
    with no winner, as import writes it), so that igops plan shows nothing for them; git holds what
    they said. Every file is checked before any is written, and none is when one fails. Exit 0: all
    adopted; 2: drift left that has no live experience to adopt (gone, absent, unmanageable); 1: error.

    \b
    Example:
      igops drift
      igops drift --format markdown > drift.md || test $? -eq 2
      igops drift --refresh-cache .igops-cache/refresh.json
      igops drift --adopt && git diff experiences/
    """
    if adopt and output_format == "json":
        raise CommandFailed(
            "--adopt reports what it wrote in text or markdown, not in the drift JSON: leave "
            "out --format json, or run igops drift --format json before adopting."
        )
    project = load_project(api)
    if not adopt:
        report = run_against_account(
            project.settings,
            lambda session: session.drift(project, targets=targets, cache_path=cache_path, now=now),
        )
        echo_formatted(DRIFT_FORMATS, report, output_format)
        ctx.exit(EXIT_ERROR if report.errors else EXIT_CHANGES if report.has_drift else 0)
    adoption = run_against_account(
        project.settings,
        lambda session: session.adopt(project, targets=targets, cache_path=cache_path, now=now),
    )
    echo_formatted(DRIFT_FORMATS, adoption.report, output_format)
    click.echo()
    click.echo(render_adoption(adoption, markdown=output_format == "markdown"))
    ctx.exit(EXIT_ERROR if adoption.refused else EXIT_CHANGES if adoption.left else 0)
