"""The `igops` command line: parse options, call the layer below, render, set the exit code.

Exit codes: 0 ok, 1 error (bad input included), 2 changes or drift found.
"""

from __future__ import annotations

import logging
import sys

import click

from igops import __version__
from igops.cli.apply_command import apply_command
from igops.cli.comment_body_command import comment_body_command
from igops.cli.common import EXIT_ERROR, use_color
from igops.cli.demo_command import demo_command
from igops.cli.drift_command import drift_command
from igops.cli.import_command import import_command
from igops.cli.init_command import init_command
from igops.cli.monitor_command import monitor_command
from igops.cli.plan_command import plan_command
from igops.cli.report_command import report_command
from igops.cli.sandbox_commands import sandbox
from igops.cli.show_command import show_command
from igops.cli.sitewide_command import sitewide_command
from igops.cli.validate_command import validate

__all__ = ["cli", "main", "use_color"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igops")
@click.option("-v", "--verbose", is_flag=True, help="Say what igops is doing, step by step, on stderr.")
def cli(verbose: bool) -> None:
    """Intelligems experiences as code: YAML in git, plan and apply like Terraform.

    \b
    Example:
      igops demo
      igops -v plan --format markdown --detailed-exitcode
    """
    _log_to_stderr(verbose)


class _StderrHandler(logging.Handler):
    """Log lines on whatever stderr is when they come (click's test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _log_to_stderr(verbose: bool) -> None:
    """Each phase on stderr with -v; warnings and worse always."""
    logger = logging.getLogger("igops")
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("igops: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


for command in (init_command, demo_command, validate, plan_command, apply_command, drift_command,
                import_command, show_command, report_command, sitewide_command, monitor_command, sandbox,
                comment_body_command):
    cli.add_command(command)


def main() -> None:
    """Console entry point: click's usage errors exit 1, not 2, because 2 means 'changes found'."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
