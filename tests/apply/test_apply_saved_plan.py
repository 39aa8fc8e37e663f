"""Saved plans: apply runs exactly the reviewed plan, or refuses it in one sentence and writes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.apply import assert_no_changes, use_sandbox
from support.cli import igops, make_live_equal
from support.emulator import new_sandbox
from support.engine import with_client

from igops.api import IntelligemsClient
from igops.files.bounded import BoundedReadError, read_bounded
from igops.normalize import canonical_live, update_payload
from igops.sandbox import Sandbox

HERO = "homepage-hero-headline"


@pytest.fixture
def sandbox(project: Path) -> Sandbox:
    """Every example live as its file says; the hero's description then edited in its file."""
    make_live_equal(project)
    edit(project, HERO, "Does a benefit-led headline", "Does a shipping headline")
    return new_sandbox(project / "account.json")


def edit(project: Path, key: str, old: str, new: str) -> None:
    path = project / "experiences" / f"{key}.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))


def save_plan(api: str) -> Path:
    result = igops("plan", "--api", api, "--out", "plan.json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    return Path("plan.json")


def live_id(sandbox: Sandbox, name: str) -> str:
    return next(str(e["id"]) for e in sandbox.experiences() if e["name"] == name)


def change_in_account(sandbox: Sandbox, work: Callable[[IntelligemsClient, str], object]) -> None:
    """Someone changes the hero in the dashboard (not through igops); not counted as igops's writes."""
    experience_id = live_id(sandbox, "Homepage hero headline")
    with_client(sandbox, lambda client: work(client, experience_id))  # type: ignore[arg-type, return-value]
    del sandbox.writes[:]


async def redescribe(client: IntelligemsClient, experience_id: str) -> None:
    live = await client.get_experience(experience_id)
    body = canonical_live(live)
    await client.update_experience(experience_id, update_payload({**body, "description": "Edited"}, live))


async def pause(client: IntelligemsClient, experience_id: str) -> None:
    await client.act(experience_id, "pause")


def assert_refused(sandbox: Sandbox, *args: str, says: str) -> None:
    result = igops("apply", *args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert says in lines[0], lines[0]
    assert sandbox.writes == [], "a refused plan wrote to the account"


def test_a_fresh_saved_plan_applies_without_asking(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    result = igops("apply", str(planfile), "--api", api)  # no terminal and no --auto-approve: a saved plan
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Apply complete: 0 created, 1 updated, 0 lifecycle actions."
    )
    assert [(write.method, write.experience_id) for write in sandbox.writes] == [
        ("PUT", live_id(sandbox, "Homepage hero headline"))
    ]
    assert_no_changes(api)
    del sandbox.writes[:]
    # Applied once, the same plan is stale: the experience it changes moved.
    assert_refused(sandbox, str(planfile), "--api", api, says="changed in the account since the plan")


def test_a_plan_is_stale_once_the_files_change(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    edit(project, "bundle-and-save", "Volume discount on socks", "Volume discount on all socks")
    assert_refused(
        sandbox,
        str(planfile),
        "--api",
        api,
        says=f"The plan {planfile} is stale: the experience files changed since the plan was made",
    )


def test_a_plan_made_in_another_directory_is_stale(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    (project / "experiences" / "spring-theme-refresh.yaml").unlink()  # another checkout: other files
    assert_refused(sandbox, str(planfile), "--api", api, says="the experience files changed")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (redescribe, f"{HERO}: changed in the account since the plan (lastUpdateTs"),
        (pause, f"{HERO}: changed in the account since the plan"),
    ],
    ids=["edited", "paused"],
)
def test_a_plan_is_stale_once_its_experience_changes_in_the_account(
    project: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[IntelligemsClient, str], object],
    says: str,
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    change_in_account(sandbox, change)
    assert_refused(sandbox, str(planfile), "--api", api, says=says)


def test_a_plan_is_stale_once_an_experience_it_creates_exists(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_live_equal(project, statuses=("draft", "paused", "ended"))  # the started ones are still to create
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    make_live_equal(project, statuses=("started",))  # a concurrent apply created them meanwhile
    del sandbox.writes[:]
    assert_refused(
        sandbox,
        str(planfile),
        "--api",
        api,
        says=f"{HERO}: an experience named 'Homepage hero headline' now exists",
    )


def test_a_plan_for_another_api_is_refused(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    # The same emulator answers, but the plan names another API: it was reviewed for another account.
    assert_refused(
        sandbox,
        str(planfile),
        "--api",
        "sandbox:other.json",
        says="was made against sandbox:, not sandbox:other.json",
    )


def test_a_tampered_plan_is_refused(project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    saved = json.loads(planfile.read_text())
    [field] = next(e for e in saved["plan"]["experiences"] if e["key"] == HERO)["changes"][0]["fields"]
    assert field["after"].startswith(
        "Does a shipping headline (free shipping) beat the current collection headline?"
    )
    field["after"] = "Something nobody reviewed"
    planfile.write_text(json.dumps(saved, indent=2))
    assert_refused(sandbox, str(planfile), "--api", api, says="was changed after igops wrote it")


def test_a_plan_sealed_with_another_token_is_refused(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", "another-token")  # another account's key
    assert_refused(sandbox, str(planfile), "--api", api, says="or was made with another API token")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "is not a saved igops plan (not JSON)"),  # an experience file
        ('{"plan": {}}', "is not a saved igops plan: make one with igops plan --out FILE."),
        ("[1, 2]", "is not a saved igops plan: make one"),
        (b"\xff\xfe\x00binary", "is not a saved igops plan (not text)"),
    ],
    ids=["yaml", "json-object", "json-list", "binary"],
)
def test_a_file_that_is_not_a_plan_is_refused(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, content: str | bytes | None, says: str
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    path = project / "not-a-plan"
    if content is None:
        path = project / "experiences" / f"{HERO}.yaml"
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert_refused(sandbox, str(path), "--api", api, says=says)
    assert sandbox.requests == [], "a file that is not a plan needs no API call to refuse"


def test_a_missing_plan_file_is_one_sentence(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    assert_refused(sandbox, "missing.json", "--api", api, says="Cannot read missing.json: No such file")


def test_what_is_not_a_regular_file_or_is_too_deep_is_refused_unread(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    fifo = project / "plan.fifo"
    os.mkfifo(fifo)  # no writer: reading it would wait forever
    assert_refused(sandbox, str(fifo), "--api", api, says="is not a regular file, so it cannot be a saved")
    assert_refused(sandbox, "/dev/zero", "--api", api, says="/dev/zero is not a regular file")
    deep = project / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert_refused(sandbox, str(deep), "--api", api, says="is not a saved igops plan (nested too deeply)")
    assert sandbox.requests == []


def test_a_file_larger_than_any_plan_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(BoundedReadError, match=r"is larger than 0 MB, more than a saved igops plan ever is"):
        read_bounded(big, 1024, "a saved igops plan")
    assert read_bounded(big, 2048, "a saved igops plan") == " " * 2048


def test_the_seal_is_keyed_by_scrypt_of_the_token_and_a_salt_never_by_the_token(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    saved = json.loads(planfile.read_text())
    assert saved["kdf"]["name"] == "scrypt" and (saved["kdf"]["n"], saved["kdf"]["r"]) == (2**15, 8)
    body = {key: value for key, value in saved.items() if key != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    token = os.environ["INTELLIGEMS_API_TOKEN"].encode()
    assert saved["signature"] != hmac.new(token, canonical, hashlib.sha256).hexdigest()
    key = hashlib.scrypt(
        token, salt=bytes.fromhex(saved["kdf"]["salt"]), n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32
    )
    assert saved["signature"] == hmac.new(key, canonical, hashlib.sha256).hexdigest()
    assert json.loads(save_plan(api).read_text())["kdf"]["salt"] != saved["kdf"]["salt"], "a salt per plan"


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda saved: saved.update(format="igops-saved-plan/1"), "was saved by an older igops"),
        (lambda saved: saved["kdf"].update(n=2**30), "its key derivation is not scrypt with n=32768"),
        (lambda saved: saved["kdf"].update(salt="00"), "and a salt"),
        (lambda saved: saved.pop("kdf"), "is not sealed as igops seals plans"),
    ],
    ids=["token-keyed", "costly", "short-salt", "no-kdf"],
)
def test_a_plan_sealed_otherwise_is_refused_before_any_derivation(
    project: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[dict[str, Any]], object],
    says: str,
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    planfile = save_plan(api)
    saved = json.loads(planfile.read_text())
    edit(saved)
    planfile.write_text(json.dumps(saved))
    monkeypatch.setattr(hashlib, "scrypt", lambda *args, **kwargs: pytest.fail("derived a key"))
    assert_refused(sandbox, str(planfile), "--api", api, says=says)
