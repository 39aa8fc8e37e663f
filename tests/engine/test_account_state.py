"""What igops keeps about an account between runs: one apply holds it at a time, and every create sent
is in its journal until it is answered or found."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from igops.engine.account_state import (
    AccountStateError,
    CreateJournal,
    account_dir,
    holding_account,
    state_dir,
)

API = "https://api.example.test"


def test_the_state_directory_is_igops_own_and_per_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("IGOPS_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "igops"
    monkeypatch.setenv("IGOPS_STATE_DIR", str(tmp_path / "own"))
    assert account_dir(API) == account_dir(API + "/") != account_dir("https://other.example.test")
    assert account_dir(API).parent == tmp_path / "own" / "accounts"
    monkeypatch.chdir(tmp_path)
    assert account_dir("sandbox:account.db") == account_dir(f"sandbox:{tmp_path / 'account.db'}")


def test_a_second_holder_is_refused_at_once_naming_the_first() -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import sys, time
        from igops.engine.account_state import holding_account
        with holding_account({API!r}):
            print("held", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(AccountStateError) as refused, holding_account(API):
            pass
        assert str(refused.value).startswith(f"Another igops apply (process {holder.pid} on ")
        assert f"is applying to {API}: wait for it to finish" in str(refused.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    with holding_account(API):  # released when its holder ended
        pass


def test_the_journal_keeps_what_was_sent_until_forgotten_across_runs() -> None:
    journal = CreateJournal.of_account(API)
    journal.record("Hero", "hero")
    journal.record("Banner", "banner")
    journal.forget("Banner")
    again = CreateJournal.of_account(API)
    assert list(again.sent) == ["Hero"] and again.sent["Hero"].key == "hero"
    assert CreateJournal.of_account("https://other.example.test").sent == {}


def test_a_journal_that_is_not_one_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    path = account_dir(API) / "creates.json"
    for text in ("not json", '{"format": "other"}', "[" * 100_000):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(AccountStateError, match="is not igops's create journal: remove it"):
            CreateJournal.of_account(API)


def test_an_unwritable_state_directory_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("IGOPS_STATE_DIR", str(tmp_path / "file" / "below"))
    with pytest.raises(
        AccountStateError,
        match=r"^Cannot create igops's state directory .*: Not a directory "
        r"\(set IGOPS_STATE_DIR to a writable directory\)\.$",
    ):
        account_dir(API)
