"""`igops validate`: check experience files."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import (
    EXIT_ERROR,
    STORE_OPTION,
    CommandFailed,
    echo_annotations,
    echo_notes,
    in_github_actions,
)
from igops.render import validation as validation_report


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    help="text: one line per problem and a count; json: the same for machines; github: one "
    "workflow command per problem, which GitHub Actions shows on the file and line, then the "
    "text lines (default: github when GITHUB_ACTIONS is true, else text).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Pass even when a policy at level force finds something (apply would want --force too).",
)
@click.pass_context
@STORE_OPTION
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str | None,
    force: bool,
    store_names: tuple[str, ...],
) -> None:
    """Check experience files: YAML, the schema, igops's rules and the policies that judge files alone.

    PATHS are files or directories (searched recursively for *.yaml and *.yml). Without
    any, the experiences directory named in ./igops.yaml is checked (default: experiences).
    Each problem is printed as FILE:LINE:COLUMN: FIELD: sentence, and each policy finding
    (primary-metric, max-discount, overlap among the files, and plug-in rules that need no
    account) as FILE: RULE (LEVEL): sentence. Exits 1 if there is a problem, or a finding of
    a policy at level force without --force; warnings are shown and pass.

    \b
    Example:
      igops validate
      igops validate experiences/homepage-hero-headline.yaml --format json
      igops validate --format github
      igops validate --force
      igops validate --store eu
    """
    try:
        checked = engine.check_files(paths, Path(), store_names)
    except engine.EngineError as exc:  # a plug-in rule that failed while checking: one sentence, naming it
        raise CommandFailed(str(exc)) from None
    echo_notes(checked.notes)
    validation = validation_report.Validation(checked.result, checked.risks, force)
    if (output_format or ("github" if in_github_actions() else "text")) == "github":
        # The annotations are for the runner; the lines after them are what the pull request comment shows.
        echo_annotations(validation_report.file_annotations(validation))
        click.echo(validation_report.render_text(validation))
    else:
        render = validation_report.render_json if output_format == "json" else validation_report.render_text
        click.echo(render(validation))
    ctx.exit(0 if validation.ok else EXIT_ERROR)
