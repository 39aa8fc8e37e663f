"""State files: persistence, sharing between sandboxes and processes, and the JSON files of old."""

from __future__ import annotations

import errno
import fcntl
import json
import multiprocessing
import os
import shutil
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from support.bodies import as_write, onsite_edits, url_redirect
from support.emulator import act, call, create, field_errors, get, new_sandbox, put
from support.state_workers import write_many

from igops.sandbox import store
from igops.sandbox.store import StateFileError

# A state file as igops wrote it before SQLite (format 1): every creatable type and every
# status, with change-log entries from replacements.
JSON_STATE = Path(__file__).parent / "data" / "state-v1.json"
# One in SQLite format 2, as SQL: two experiences, and names UNIQUE.
STATE_V2 = Path(__file__).parent / "data" / "state-v2.sql"


def contents(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


def json_state(directory: Path) -> tuple[Path, dict[str, Any]]:
    path = directory / "state.json"
    shutil.copy(JSON_STATE, path)
    return path, json.loads(JSON_STATE.read_text())


def test_state_survives_a_new_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = new_sandbox(state_path=path)
    created = create(first, onsite_edits())
    act(first, created["id"], "start")
    second = new_sandbox(state_path=path)
    assert second.experiences() == first.experiences()
    assert get(second, created["id"])["status"] == "started"
    assert create(second, url_redirect())["organizationId"] == created["organizationId"]


def test_two_sandboxes_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    # Sandboxes of a stricter account than the API: each refuses a name the other took.
    left, right = (new_sandbox(state_path=path, unique_names=True) for _ in range(2))
    made_left = create(left, onsite_edits("left"))
    made_right = create(right, url_redirect("right"))
    assert made_left["organizationId"] == made_right["organizationId"]
    assert [e["name"] for e in left.experiences()] == ["left", "right"]
    body = as_write(get(right, made_left["id"]))
    body["description"] = "edited on the right"
    assert put(right, made_left["id"], body).status_code == 200
    assert get(left, made_left["id"])["description"] == "edited on the right"
    response = call(left, "POST", "/experiences", json={"experience": url_redirect("right")})
    assert response.status_code == 400
    assert "experience.name" in field_errors(response)


def test_refused_writes_leave_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    sandbox = new_sandbox(state_path=path)
    created = create(sandbox, onsite_edits())
    before = contents(path)
    assert act(sandbox, created["id"], "pause").status_code == 400
    body = as_write(created)
    body["type"] = "content/url"
    assert put(sandbox, created["id"], body).status_code == 400
    assert contents(path) == before
    assert sandbox.experiences() == [created]


@pytest.mark.parametrize("start", ["new", "converted"])
def test_concurrent_writers_in_two_processes_lose_nothing(tmp_path: Path, start: str) -> None:
    path, old = json_state(tmp_path) if start == "converted" else (tmp_path / "shared.json", None)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [
        context.Process(target=write_many, args=(str(path), prefix, 25, 10, start))
        for prefix in ("left", "right")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    experiences = new_sandbox(state_path=path).experiences()
    kept = [item["experience"] for item in old["experiences"]] if old else []
    assert experiences[: len(kept)] == kept
    names = [e["name"] for e in experiences[len(kept) :]]
    written = {e["name"]: e for e in experiences[len(kept) :]}
    own = {f"{prefix}-{i}": prefix for prefix in ("left", "right") for i in range(25)}
    assert sorted(names) == sorted([*own, *(f"shared-{i}" for i in range(10))])
    for name, prefix in own.items():
        assert written[name]["description"] == f"edited by {prefix}"
        assert written[name]["status"] == "started"


def test_a_json_state_file_is_converted_with_every_experience(tmp_path: Path) -> None:
    path, old = json_state(tmp_path)
    sandbox = new_sandbox(state_path=path)
    stored = old["experiences"]
    assert sandbox.experiences() == [item["experience"] for item in stored]
    listed = call(sandbox, "GET", "/experiences-list", params={"limit": 100}).json()["experiencesList"]
    assert [item["history"] for item in listed] == [item["history"] for item in stored]
    for item in stored:
        url = f"/experiences/{item['experience']['id']}"
        answer = call(sandbox, "GET", url, params={"includeChangeLog": "true"})
        assert answer.json()["experience"]["changeLog"] == item["changeLog"]
    statuses = [item["experience"]["status"] for item in stored]
    started = call(sandbox, "GET", "/experiences-list", params={"status": "started"}).json()
    assert started["total"] == statuses.count("started")
    sandbox.close()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"], "no temporary file is left"
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_converted_state_keeps_its_organization_names_and_ids(tmp_path: Path) -> None:
    path, old = json_state(tmp_path)
    # A stricter account's name check finds the names the conversion kept.
    sandbox = new_sandbox(state_path=path, unique_names=True)
    first, second = (item["experience"] for item in old["experiences"][:2])
    assert create(sandbox, onsite_edits("new"))["organizationId"] == old["organizationId"]
    taken_name = call(sandbox, "POST", "/experiences", json={"experience": onsite_edits(first["name"])})
    assert "experience.name" in field_errors(taken_name)
    body = as_write(first)
    body["variations"][0]["id"] = second["variations"][0]["id"]
    assert field_errors(put(sandbox, first["id"], body)) == {
        "experience.variations.0.id": ["Id already belongs to another entity"]
    }


def test_a_sandbox_that_waited_while_another_converted_uses_the_converted_file(tmp_path: Path) -> None:
    path, old = json_state(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The pool is left last: the lock is released before it waits for its thread.
    with ThreadPoolExecutor(1) as pool, open(path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a converting process holds it
        waiting = pool.submit(new_sandbox, state_path=path)
        time.sleep(0.2)  # time to reach the lock
        converted, _ = json_state(elsewhere)
        first = new_sandbox(state_path=converted)
        made = create(first, url_redirect("written after the conversion"))
        first.close()
        os.replace(converted, path)
        fcntl.flock(held, fcntl.LOCK_UN)
        sandbox = waiting.result(timeout=10)
    assert sandbox.experiences() == [*(item["experience"] for item in old["experiences"]), made]


def test_a_state_of_format_2_opens_keeping_everything_and_lets_names_repeat(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(STATE_V2.read_text())
        before = [json.loads(row[0]) for row in db.execute("SELECT experience FROM experiences ORDER BY seq")]
    sandbox = new_sandbox(state_path=path)
    assert sandbox.experiences() == before
    again = create(sandbox, onsite_edits(before[0]["name"]))
    assert [e["name"] for e in sandbox.experiences()] == [*(e["name"] for e in before), again["name"]]
    listed = call(sandbox, "GET", "/experiences-list", params={"status": "started"}).json()
    started = [e["id"] for e in before if e["status"] == "started"]
    assert [e["id"] for e in listed["experiencesList"]] == started
    sandbox.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.FORMAT_VERSION
    assert new_sandbox(state_path=path).experiences() == [*before, again]


def other_application(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")


def future_format(path: Path) -> None:
    new_sandbox(state_path=path).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {store.FORMAT_VERSION + 1}")


def damaged_json_state(path: Path) -> None:
    data = json.loads(JSON_STATE.read_text())
    del data["experiences"][0]["experience"]["status"]
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: path.write_text('{"something": "else"}'), "unknown format version"),
        (damaged_json_state, "missing field 'status'"),
        (other_application, "an SQLite database of another application"),
        (future_format, "unknown format version"),
        (lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\x01" * 200), "file is not a database"),
    ],
    ids=["other JSON", "damaged JSON state", "other database", "future format", "damaged database"],
)
def test_a_file_that_is_not_a_state_is_refused_and_left_alone(tmp_path: Path, make: Any, reason: str) -> None:
    path = tmp_path / "state.json"
    make(path)
    before = path.read_bytes()
    with pytest.raises(StateFileError) as refused:
        new_sandbox(state_path=path)
    assert refused.value.reason == f"is not a sandbox state file ({reason})"
    assert path.read_bytes() == before


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sandboxes wait 50 ms for another process's write lock, not a minute."""
    monkeypatch.setattr(store, "_BUSY_TIMEOUT_S", 0.05)


@pytest.mark.usefixtures("impatient")
def test_a_write_that_cannot_get_the_lock_is_a_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    sandbox = new_sandbox(state_path=path)
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process's write, taking its time
        with pytest.raises(StateFileError) as refused:
            create(sandbox, onsite_edits())
        assert call(sandbox, "GET", "/experiences-list").json()["total"] == 0, "reads carry on"
    assert refused.value.reason == "cannot be written (database is locked)"


@pytest.mark.usefixtures("impatient")
def test_a_state_locked_too_long_to_open_is_a_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    new_sandbox(state_path=path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StateFileError) as refused:
            new_sandbox(state_path=path)
    assert refused.value.reason == "cannot be used (database is locked)"


def test_a_conversion_that_cannot_be_written_leaves_the_json_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(**_: Any) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store.tempfile, "mkstemp", no_space)
    path, _ = json_state(tmp_path)
    with pytest.raises(StateFileError) as refused:
        new_sandbox(state_path=path)
    assert refused.value.reason == "cannot be written (No space left on device)"
    assert path.read_bytes() == JSON_STATE.read_bytes()
