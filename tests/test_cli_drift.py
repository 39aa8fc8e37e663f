"""`igops drift` against the emulator in-process (sandbox:STATE): texts changed in the dashboard read as the
plan shows them, line by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import igops, make_live_equal, prepare_project

from igops.sandbox.store import Store

STICKY = "Sticky add-to-cart bar on mobile product pages"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repository with its account as the files say."""
    prepare_project(tmp_path, monkeypatch)
    make_live_equal(tmp_path)
    return tmp_path


def _edit_css(state: Path, name: str, old: str, new: str) -> None:
    """A CSS edit saved in the dashboard (the stored experience is in the API's read shape)."""
    with Store(state).transaction() as stored:
        [record] = [record for record in stored.records() if record.experience["name"] == name]
        injection = record.experience["variations"][1]["onsiteInjections"]
        assert old in injection["customCss"]
        injection["customCss"] = injection["customCss"].replace(old, new)
        stored.save(record)


def test_a_css_change_in_the_dashboard_reads_as_a_line_diff(project: Path) -> None:
    api = f"sandbox:{project / 'account.json'}"
    assert igops("drift", "--api", api).exit_code == 0
    _edit_css(project / "account.json", STICKY, "z-index: 20;", "z-index: 99;")
    markdown = igops("drift", "--api", api, "--format", "markdown")
    text = igops("drift", "--api", api)
    assert markdown.exit_code == text.exit_code == 2, text.output
    assert "\\n" not in markdown.output and "| Field |" not in markdown.output
    assert (
        "```diff\n@@ -live +file @@\n"
        '~   variations["Sticky bar"].onsiteInjection.customCss = <<-EOT\n'
        "        @media (max-width: 749px) {\n"
    ) in markdown.output
    assert (
        "\n-           z-index: 99; padding: 12px 16px; background: #fff;\n"
        "+           z-index: 20; padding: 12px 16px; background: #fff;\n"
    ) in markdown.output
    assert (
        '      @@ -live +file @@\n      ~ variations["Sticky bar"].onsiteInjection.customCss = <<-EOT\n'
    ) in text.output
    assert (
        "\n          -     z-index: 99; padding: 12px 16px; background: #fff;\n"
        "          +     z-index: 20; padding: 12px 16px; background: #fff;\n"
    ) in text.output
    # An ended experience keeps its configuration: only the import takes the edit in.
    assert (
        "Way out: igops apply cannot change an ended experience; igops drift --adopt --target "
        "sticky-add-to-cart"
    ) in text.output
