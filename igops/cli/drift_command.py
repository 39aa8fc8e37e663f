"""`igops drift`: where the account no longer says what the files say (edits made in the dashboard)."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    EXIT_ERROR,
    NO_COLOR_OPTION,
    NOW_OPTION,
    REFRESH_CACHE_OPTION,
    STORE_OPTION,
    TIMEOUT_OPTION,
    CommandFailed,
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
from igops.engine import Project, Stores
from igops.model import StoreOutcome, StoreOutcomes
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
    shell_complete=complete_keys,
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
@STORE_OPTION
@click.pass_context
@NO_COLOR_OPTION
def drift_command(
    ctx: click.Context,
    api: str | None,
    output_format: str,
    targets: tuple[str, ...],
    adopt: bool,
    cache_path: Path | None,
    now: float | None,
    store_names: tuple[str, ...],
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
      igops drift --store us --format markdown
    """
    if adopt and output_format == "json":
        raise CommandFailed(
            "--adopt reports what it wrote in text or markdown, not in the drift JSON: leave "
            "out --format json, or run igops drift --format json before adopting."
        )
    stores = load_stores(api, store_names)
    if stores.config.has_stores:
        ctx.exit(_drift_stores(stores, targets, adopt, cache_path, now, output_format))
    project = stores.projects[0]
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


def _drift_stores(
    stores: Stores,
    targets: tuple[str, ...],
    adopt: bool,
    cache_path: Path | None,
    now: float | None,
    output_format: str,
) -> int:
    """Every chosen store's drift (or adoption) side by side, each under its name; the exit code of the
    worst: 1 when a store failed or has errors (or a refused adoption), else 2 when any drifted (or has drift
    left), else 0."""
    stores, chosen = targeted(stores, targets)

    def keys(project: Project) -> tuple[str, ...]:
        return chosen[project.settings.account.name]

    if not adopt:
        reports = run_against_stores(
            stores,
            lambda session, project: session.drift(
                project, targets=keys(project), cache_path=cache_path, now=now
            ),
        )
        echo_per_store(DRIFT_FORMATS, reports, output_format)
        fail_on_store_failures(reports, "checked")
        found = [report for _, report in reports.values]
        return (
            EXIT_ERROR
            if any(r.errors for r in found)
            else EXIT_CHANGES
            if any(r.has_drift for r in found)
            else 0
        )
    adoptions = run_against_stores(
        stores,
        lambda session, project: session.adopt(
            project, targets=keys(project), cache_path=cache_path, now=now
        ),
    )
    echo_per_store(
        DRIFT_FORMATS,
        StoreOutcomes(
            tuple(
                StoreOutcome(o.store, o.value.report if o.value is not None else None, o.failure)
                for o in adoptions.outcomes
            )
        ),
        output_format,
    )
    for store, adoption in adoptions.values:
        click.echo()
        click.echo(f"Store {store}: " + render_adoption(adoption, markdown=output_format == "markdown"))
    fail_on_store_failures(adoptions, "checked")
    done = [adoption for _, adoption in adoptions.values]
    return EXIT_ERROR if any(a.refused for a in done) else EXIT_CHANGES if any(a.left for a in done) else 0
