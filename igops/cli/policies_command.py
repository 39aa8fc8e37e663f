"""`igops policies`: the rules plans are checked against, as igops.yaml sets them."""

from __future__ import annotations

from pathlib import Path

import click

from igops import engine
from igops.cli.common import (
    STORE_OPTION,
    CommandFailed,
    echo_formatted,
    echo_notes,
    echo_per_store,
    format_option,
)
from igops.render.formats import POLICY_FORMATS


@click.command("policies")
@format_option(POLICY_FORMATS)
@STORE_OPTION
def policies_command(output_format: str, store_names: tuple[str, ...]) -> None:
    """List the policies every plan is checked against: each rule's level (off, warn, force),
    its thresholds, the commands that check it and where it comes from (built-in, or a
    plug-in's entry point in the group igops.rules).

    Set them under `policies:` in igops.yaml. Reads no account and needs no token.

    \b
    Example:
      igops policies
      igops policies --format json | jq '.rules[] | select(.level == "force") | .name'
      igops policies --store eu
    """
    try:
        by_store = engine.policies_by_store(Path(), store_names)
        policies = engine.open_policies() if by_store is None else None
    except engine.EngineError as exc:
        raise CommandFailed(str(exc)) from None
    if by_store is not None:
        echo_notes(by_store.outcomes[0].value.notes if by_store.outcomes[0].value else ())
        echo_per_store(POLICY_FORMATS, by_store, output_format)
        return
    assert policies is not None
    echo_notes(policies.notes)
    echo_formatted(POLICY_FORMATS, policies, output_format)
