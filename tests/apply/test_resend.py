"""Write-only fields: sent with every write, never compared, noted in the plan, resent on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.apply import use_sandbox
from support.cli import igops, work_in
from support.emulator import new_sandbox
from support.files import dump, experience

from igops.sandbox import Sandbox

KEY = "price-test-analytics"
ACTION = {"type": "analytics", "location": {"bucket": "ig-variants", "key": "store/1.json"}}


@pytest.fixture
def sandbox() -> Sandbox:
    return new_sandbox()


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> str:
    work_in(tmp_path, monkeypatch)
    (tmp_path / "igops.yaml").write_text("experiences_dir: experiences\n")
    (tmp_path / "experiences").mkdir()
    (tmp_path / "experiences" / f"{KEY}.yaml").write_text(dump(experience(productVariantAction=ACTION)))
    return use_sandbox(monkeypatch, sandbox)


def test_a_write_only_field_is_sent_on_create_and_noted_not_compared(api: str, sandbox: Sandbox) -> None:
    assert igops("apply", "--auto-approve", "--api", api).exit_code == 0
    (post,) = [write.body for write in sandbox.writes if write.method == "POST"]
    assert post["experience"]["productVariantAction"] == ACTION
    planned = igops("plan", "--api", api, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "cannot see the live value of productVariantAction" in planned.output
    assert f"--resend {KEY}" in planned.output


def test_resend_plans_and_sends_an_update_though_nothing_differs(api: str, sandbox: Sandbox) -> None:
    assert igops("apply", "--auto-approve", "--api", api).exit_code == 0
    planned = igops("plan", "--api", api, "--detailed-exitcode", "--resend", KEY)
    assert planned.exit_code == 2, planned.output
    assert "~ update" in planned.output and "--resend" in planned.output
    applied = igops("apply", "--auto-approve", "--api", api, "--resend", KEY)
    assert applied.exit_code == 0, applied.output
    (put,) = [write.body for write in sandbox.writes if write.method == "PUT"]
    assert put["experience"]["productVariantAction"] == ACTION


def test_resend_of_an_unknown_key_is_one_sentence(api: str) -> None:
    result = igops("plan", "--api", api, "--resend", "no-such-file")
    assert result.exit_code == 1
    assert "--resend no-such-file: no experience file has that key" in result.output
    assert "Traceback" not in result.output


def test_resend_with_a_saved_plan_is_refused(api: str) -> None:
    assert igops("plan", "--api", api, "--out", "plan.json").exit_code == 0
    result = igops("apply", "plan.json", "--api", api, "--resend", KEY)
    assert result.exit_code == 1
    assert "a saved plan runs as it was made" in result.output
