"""`igops validate`: check experience files."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import EXIT_ERROR, echo_annotations, in_github_actions
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
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], output_format: str | None) -> None:
    """Check experience files: YAML, the schema and igops's rules; report every problem.

    PATHS are files or directories (searched recursively for *.yaml and *.yml). Without
    any, the experiences directory named in ./igops.yaml is checked (default: experiences).
    Each problem is printed as FILE:LINE:COLUMN: FIELD: sentence. Exits 1 if there is any.

    \b
    Example:
      igops validate
      igops validate experiences/homepage-hero-headline.yaml --format json
      igops validate --format github
    """
    result = engine.validate(paths)
    if (output_format or ("github" if in_github_actions() else "text")) == "github":
        # The annotations are for the runner; the lines after them are what the pull request comment shows.
        echo_annotations(validation_report.file_annotations(result))
        click.echo(validation_report.render_text(result))
    else:
        render = validation_report.render_json if output_format == "json" else validation_report.render_text
        click.echo(render(result))
    ctx.exit(0 if result.ok else EXIT_ERROR)
