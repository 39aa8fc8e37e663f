"""Every `--format` comes from one `Formats` registry: its choices, default and help, and what it renders."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from support.plans import review_plan

from igops.cli.common import format_option
from igops.render.formats import (
    DRIFT_FORMATS,
    MONITOR_FORMATS,
    PLAN_FORMATS,
    REPORT_FORMATS,
    SITEWIDE_FORMATS,
    Formats,
)
from igops.render.plan_json import render_plan_json
from igops.render.plan_text import render_plan_text

REGISTRIES = [PLAN_FORMATS, DRIFT_FORMATS, REPORT_FORMATS, SITEWIDE_FORMATS, MONITOR_FORMATS]


@pytest.mark.parametrize("formats", REGISTRIES)
def test_every_document_offers_text_markdown_and_json_and_names_its_schema(formats: Formats[object]) -> None:
    assert formats.names == ["text", "markdown", "json"] and formats.default == "text"
    assert formats.help.startswith("text for terminals") and ".schema.json)" in formats.help


def test_the_option_is_built_from_the_registry() -> None:
    @click.command()
    @format_option(PLAN_FORMATS)
    def command(output_format: str) -> None:
        click.echo(PLAN_FORMATS.render(review_plan(), output_format))

    runner = CliRunner()
    assert runner.invoke(command, ["--format", "json"]).output == render_plan_json(review_plan()) + "\n"
    assert runner.invoke(command, []).output == render_plan_text(review_plan()) + "\n"
    assert "text for terminals, markdown for PR comments, json for machines" in " ".join(
        runner.invoke(command, ["--help"]).output.split()
    )
    assert runner.invoke(command, ["--format", "yaml"]).exit_code == 2


def test_a_default_must_be_one_of_the_formats() -> None:
    with pytest.raises(ValueError, match="yaml"):
        Formats({"text": (render_plan_text, "for terminals")}, default="yaml")
