"""`igops sandbox seed`: an emulator's account made to look as if the files had been applied all along,
and never a real account."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import igops, prepare_project


def test_the_examples_paused_and_ended_included_plan_empty_after_a_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_project(tmp_path, monkeypatch)
    account = f"sandbox:{tmp_path / 'account.db'}"
    # Without history a paused or ended file cannot be created: a plain plan refuses.
    assert igops("plan", "--api", account).exit_code == 1
    seeded = igops("sandbox", "seed", "--api", account)
    assert seeded.exit_code == 0, seeded.output
    assert seeded.output.count("Apply complete") == 2
    again = igops("plan", "--api", account, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output


@pytest.mark.parametrize(
    "url",
    ["https://api.intelligems.io", "http://10.0.0.1:8787", "http://example.test", "http://127.example:8787"],
)
def test_a_url_that_is_not_the_emulator_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    prepare_project(tmp_path, monkeypatch)
    result = igops("sandbox", "seed", "--api", url)
    assert result.exit_code == 1
    assert result.output == (
        "Error: igops sandbox seed writes to the account it is given, starting what "
        "the files pause or end, so it runs only against the emulator (sandbox: or a "
        f"loopback URL), not {url}.\n"
    )
