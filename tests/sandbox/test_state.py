"""State files: persistence, sharing between sandboxes and processes, atomic writes."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from sandbox_helpers import act, as_write, call, create, get, new_sandbox, onsite_edits, put, url_redirect
from state_workers import create_many

from igops.sandbox.store import StateFileError


def test_state_survives_a_new_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = new_sandbox(state_path=path)
    created = create(first, onsite_edits())
    act(first, created["id"], "start")
    second = new_sandbox(state_path=path)
    assert second.experiences() == first.experiences()
    assert get(second, created["id"])["status"] == "started"
    assert json.loads(path.read_text())["organizationId"] == created["organizationId"]


def test_two_sandboxes_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    left, right = new_sandbox(state_path=path), new_sandbox(state_path=path)
    made_left = create(left, onsite_edits("left"))
    made_right = create(right, url_redirect("right"))
    assert made_left["organizationId"] == made_right["organizationId"]
    assert [e["name"] for e in left.experiences()] == ["left", "right"]
    body = as_write(get(right, made_left["id"]))
    body["description"] = "edited on the right"
    assert put(right, made_left["id"], body).status_code == 200
    assert get(left, made_left["id"])["description"] == "edited on the right"
    # Name uniqueness holds across both.
    response = call(left, "POST", "/experiences", json={"experience": url_redirect("right")})
    assert response.status_code == 400


def test_refused_writes_leave_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    sandbox = new_sandbox(state_path=path)
    created = create(sandbox, onsite_edits())
    before = path.read_bytes()
    assert act(sandbox, created["id"], "pause").status_code == 400
    body = as_write(created)
    body["type"] = "content/url"
    assert put(sandbox, created["id"], body).status_code == 400
    assert path.read_bytes() == before
    assert sandbox.experiences() == [created]


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    sandbox = new_sandbox(state_path=tmp_path / "state.json")
    for index in range(5):
        create(sandbox, onsite_edits(f"e{index}"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]


def test_a_file_that_is_not_a_state_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"something": "else"}')
    with pytest.raises(StateFileError):
        new_sandbox(state_path=path)


def test_concurrent_writers_in_two_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    new_sandbox(state_path=path)  # both children find the file ready
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=create_many, args=(str(path), prefix, 25)) for prefix in ("left", "right")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    names = [e["name"] for e in new_sandbox(state_path=path).experiences()]
    assert len(names) == 50
    assert sorted(names) == sorted(f"{prefix}-{i}" for prefix in ("left", "right") for i in range(25))
