"""`igops completion SHELL`: the script that makes a shell complete igops, and what it completes with."""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import BashComplete, CompletionItem, FishComplete, ShellComplete, ZshComplete

from igops import engine

SHELLS: dict[str, type[ShellComplete]] = {"bash": BashComplete, "zsh": ZshComplete, "fish": FishComplete}
# What click derives from the console script's name: the script calls `igops` with this variable set.
PROG_NAME = "igops"
COMPLETE_VAR = "_IGOPS_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(list(SHELLS)))
def completion_command(shell: str) -> None:
    """Print the script that makes SHELL complete igops's commands and options, and experience keys
    after --target, --resend, `show`, `import` and `report` (the file names igops.yaml governs, of
    the --store given before them). The same as `_IGOPS_COMPLETE=SHELL_source igops` prints.

    \b
    Example:
      igops completion bash > ~/.igops-complete.bash   # then in ~/.bashrc: . ~/.igops-complete.bash
      igops completion fish > ~/.config/fish/completions/igops.fish
    """
    root = click.get_current_context().find_root().command
    # Bytes, as click writes it: Windows' text mode would end the lines in CRLF, which bash refuses.
    click.echo(SHELLS[shell](root, {}, PROG_NAME, COMPLETE_VAR).source().encode(), nl=False)


def complete_keys(
    context: click.Context, parameter: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The experience keys that start with what is typed."""
    stores = context.params.get("store_names") or ()
    return [
        CompletionItem(key) for key in engine.experience_keys(Path(), stores) if key.startswith(incomplete)
    ]


def complete_key_or_file(
    context: click.Context, parameter: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The experience keys that start with what is typed; the shell's own file names when none does (a
    saved plan)."""
    return complete_keys(context, parameter, incomplete) or [CompletionItem(incomplete, type="file")]
