"""`igops plan`: what apply would change, for people, PR comments and machines."""

from __future__ import annotations

from pathlib import Path

import click

from igops.atomic import write_atomically
from igops.cli.common import (
    API_OPTION,
    EXIT_CHANGES,
    CommandFailed,
    fail_on_plan_errors,
    load_workspace,
    run_against_account,
    show_plan_text,
)
from igops.engine import CacheError, RefreshCache, files_hash, make_plan
from igops.engine.saved_plan import seal
from igops.render.plan_json import plan_document, render_plan_json
from igops.render.plan_markdown import render_plan_markdown


@click.command("plan")
@API_OPTION
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="text for terminals, markdown for PR comments, "
              "json for machines (schemas/plan.schema.json).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan here (JSON, signed with the API token) for `igops apply PLANFILE`.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes (0: none, 1: error).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Plan only this experience (file name without .yaml); repeatable.")
@click.option("--resend", "resend", multiple=True, metavar="KEY",
              help="Update this experience even if nothing differs, sending write-only fields "
                   "(productVariantAction) again; repeatable.")
@click.option("--refresh-cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep full reads here and re-read only experiences whose lastUpdateTs moved.")
@click.pass_context
def plan_command(ctx: click.Context, api: str | None, output_format: str, out_path: Path | None,
                 detailed_exitcode: bool, targets: tuple[str, ...], resend: tuple[str, ...],
                 cache_path: Path | None) -> None:
    """Show what apply would change in the account to make it match the files.

    Reads the account only; never writes to it.

    \b
    Example:
      igops plan
      igops plan --format markdown --out plan.json --detailed-exitcode
      igops plan --api sandbox: --target homepage-hero-headline
    """
    workspace = load_workspace(api)
    try:
        cache = RefreshCache.load(cache_path) if cache_path is not None else None
    except CacheError as exc:
        raise CommandFailed(str(exc)) from None
    plan = run_against_account(workspace.settings, lambda client: make_plan(
        client, workspace.desired, targets=targets, cache=cache, fingerprint=files_hash(workspace.desired),
        resend=resend))
    fail_on_plan_errors(plan)
    if output_format == "json":
        click.echo(render_plan_json(plan))
    elif output_format == "markdown":
        click.echo(render_plan_markdown(plan))
    else:
        show_plan_text(plan)
    if out_path is not None:
        sealed = seal(plan_document(plan), workspace.settings.api_url, workspace.settings.token)
        try:
            write_atomically(out_path, sealed)
        except OSError as exc:
            raise CommandFailed(f"Cannot write {out_path}: {exc.strerror or exc}.") from None
    ctx.exit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0)
