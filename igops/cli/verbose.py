"""-v/--verbose before the command name (`igops -v plan`) or after it (`igops plan -v`), for every command."""

from __future__ import annotations

import logging

import click

from igops.render.untrusted import terminal

VERBOSE_FLAGS = ("-v", "--verbose")
VERBOSE_HELP = "Say what igops is doing, step by step, on stderr."


class VerboseGroup(click.Group):
    """A group each of whose commands, and each command of a group registered with it, takes -v too: a
    command is given the option when it is registered, so no command module repeats it."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _take_verbose(cmd)
        super().add_command(cmd, name)


def _take_verbose(command: click.Command) -> None:
    # A command registered twice (under another name) must not get the option twice.
    if not any(parameter.name == "verbose" for parameter in command.params):
        command.params.append(
            click.Option(
                VERBOSE_FLAGS,
                is_flag=True,
                expose_value=False,
                callback=_verbose_after_name,
                help=VERBOSE_HELP,
            )
        )
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _take_verbose(subcommand)


def _verbose_after_name(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    # Only ever on: the top-level group has set the level already, and `igops -v plan` must stay verbose.
    if value:
        log_to_stderr(True)


class _StderrHandler(logging.Handler):
    """Log lines on whatever stderr is when they come (click's test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        # Records name files and experiences: one line each, shown as untrusted text.
        click.echo(terminal(self.format(record)), err=True)


def log_to_stderr(verbose: bool) -> None:
    """Each phase on stderr with -v; warnings and worse always."""
    logger = logging.getLogger("igops")
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("igops: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
