"""`igops policies`: the rules plans are checked against, as igops.yaml sets them."""

from __future__ import annotations

import click

from igops import engine
from igops.cli.common import CommandFailed, echo_formatted, echo_notes, format_option
from igops.render.formats import POLICY_FORMATS


@click.command("policies")
@format_option(POLICY_FORMATS)
def policies_command(output_format: str) -> None:
    """List the policies every plan is checked against: each rule's level (off, warn, force),
    its thresholds, the commands that check it and where it comes from (built-in, or a
    plug-in's entry point in the group igops.rules).

    Set them under `policies:` in igops.yaml. Reads no account and needs no token.

    \b
    Example:
      igops policies
      igops policies --format json | jq '.rules[] | select(.level == "force") | .name'
    """
    try:
        policies = engine.open_policies()
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
    echo_notes(policies.notes)
    echo_formatted(POLICY_FORMATS, policies, output_format)
