"""`igops comment-body`: the body the igops action posts as a comment or issue, from one run's output."""

from __future__ import annotations

from pathlib import Path

import click

from igops.cli.common import CommandFailed
from igops.render.github_body import Run, compose
from igops.render.markdown import COMMENT_LIMIT

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("comment-body")
@click.option(
    "--command", "command_line", required=True, help="The igops command line that ran (after igops)."
)
@click.option("--exit-code", required=True, type=int, help="Its exit code.")
@click.option(
    "--success-codes",
    default="0",
    show_default=True,
    help="Exit codes that count as success, separated by spaces.",
)
@click.option(
    "--stdout", "stdout_path", required=True, type=_FILE, help="What it printed on standard output."
)
@click.option("--stderr", "stderr_path", required=True, type=_FILE, help="What it printed on standard error.")
@click.option(
    "--report-format",
    type=click.Choice(["markdown", "text"]),
    default="text",
    show_default=True,
    help="markdown: the output is a markdown document; text: it is shown as a code block.",
)
@click.option("--context", default="", help="A line put first, such as the commit planned and the run.")
@click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    default=COMMENT_LIMIT,
    show_default=True,
    help="The most characters the body may have (the default leaves room for the comment "
    "action's marker; a job summary takes far more).",
)
def comment_body_command(
    command_line: str,
    exit_code: int,
    success_codes: str,
    stdout_path: Path,
    stderr_path: Path,
    report_format: str,
    context: str,
    max_chars: int,
) -> None:
    """Compose the markdown body of a pull request comment or issue from one igops run.

    The igops GitHub Action runs this after each command: a heading says what failed,
    standard error comes first as a code block, workflow-command lines (annotations)
    are left out, and the whole is never longer than a GitHub comment may be, with room
    for the comment action's marker.

    \b
    Example:
      igops plan --format markdown >out.md 2>err.txt; code=$?
      igops comment-body --command "plan --format markdown" --exit-code $code \\
        --stdout out.md --stderr err.txt --report-format markdown >body.md
    """
    try:
        codes = {int(code) for code in success_codes.split()}
    except ValueError:
        raise CommandFailed(f"--success-codes {success_codes!r} is not a list of whole numbers.") from None
    run = Run(
        command=command_line,
        exit_code=exit_code,
        succeeded=exit_code in codes,
        stdout=_read(stdout_path, "--stdout"),
        stderr=_read(stderr_path, "--stderr"),
        markdown=report_format == "markdown",
    )
    click.echo(compose(run, context, max_chars))


def _read(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CommandFailed(f"{option} {path}: cannot read it ({exc.strerror or exc}).") from None
