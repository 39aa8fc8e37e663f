"""The `igops` command line: parse options, call the layer below, render, set the exit code.

Exit codes: 0 ok, 1 error (bad input included), 2 changes or drift found.
"""

from __future__ import annotations

import sys

import click

from igops import __version__
from igops.cli.apply_command import apply_command
from igops.cli.calendar_command import calendar_command
from igops.cli.combine_plans_command import combine_plans_command
from igops.cli.comment_body_command import comment_body_command
from igops.cli.common import EXIT_ERROR, NO_COLOR_OPTION, use_color
from igops.cli.completion_command import completion_command
from igops.cli.demo_command import demo_command
from igops.cli.drift_command import drift_command
from igops.cli.import_command import import_command
from igops.cli.init_command import init_command
from igops.cli.monitor_command import monitor_command
from igops.cli.plan_command import plan_command
from igops.cli.policies_command import policies_command
from igops.cli.report_command import report_command
from igops.cli.sandbox_commands import sandbox
from igops.cli.show_command import show_command
from igops.cli.sitewide_command import sitewide_command
from igops.cli.stores_command import stores_command
from igops.cli.validate_command import validate
from igops.cli.verbose import VERBOSE_FLAGS, VERBOSE_HELP, VerboseGroup, log_to_stderr
from igops.cli.version_command import version_command

__all__ = ["cli", "main", "use_color"]


@click.group(cls=VerboseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igops")
@click.option(*VERBOSE_FLAGS, is_flag=True, help=VERBOSE_HELP)
@NO_COLOR_OPTION
def cli(verbose: bool) -> None:
    """Intelligems experiences as code: YAML in git, plan and apply like Terraform.

    \b
    Example:
      igops demo
      igops -v plan --format markdown --detailed-exitcode
    """
    log_to_stderr(verbose)


for command in (
    init_command,
    demo_command,
    validate,
    plan_command,
    apply_command,
    drift_command,
    import_command,
    show_command,
    report_command,
    sitewide_command,
    monitor_command,
    policies_command,
    calendar_command,
    stores_command,
    sandbox,
    comment_body_command,
    combine_plans_command,
    version_command,
    completion_command,
):
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
