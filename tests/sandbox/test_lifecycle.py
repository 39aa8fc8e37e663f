"""Lifecycle actions: the allowed transitions, what they change, and every refusal."""

from __future__ import annotations

import uuid

import pytest
from support.bodies import onsite_edits
from support.emulator import act, call, create, field_errors, get, new_sandbox

from igops.sandbox import Sandbox

# How to bring a fresh (pending) experience into each status.
ROUTES = {
    "pending": [],
    "started": ["start"],
    "paused": ["start", "pause"],
    "ended": ["start", "end"],
}
ALLOWED = {
    ("pending", "start"): "started",
    ("started", "pause"): "paused",
    ("started", "end"): "ended",
    ("paused", "start"): "started",
    ("paused", "end"): "ended",
}


def experience_in(sandbox: Sandbox, status: str) -> dict:
    experience = create(sandbox, onsite_edits(f"in {status}"))
    for action in ROUTES[status]:
        assert act(sandbox, experience["id"], action).status_code == 200
    return get(sandbox, experience["id"])


@pytest.mark.parametrize("status", sorted(ROUTES))
@pytest.mark.parametrize("action", ["start", "pause", "end"])
def test_transition_table(status: str, action: str) -> None:
    sandbox = new_sandbox()
    before = experience_in(sandbox, status)
    writes = len(sandbox.writes)
    response = act(sandbox, before["id"], action)
    if (status, action) in ALLOWED:
        assert response.status_code == 200, response.text
        after = response.json()["experience"]
        assert after["status"] == ALLOWED[status, action]
        assert after["isPreview"] is (after["status"] != "started")
        assert after["experienceActions"][-1]["action"] == action
        assert len(sandbox.writes) == writes + 1
    else:
        assert response.status_code == 400
        message = " ".join(field_errors(response)["action"])
        assert action in message and status in message
        assert get(sandbox, before["id"]) == before
        assert len(sandbox.writes) == writes


def test_lifecycle_timestamps_and_actions() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    started = act(sandbox, experience["id"], "start").json()["experience"]
    assert started["startedAtTs"] >= experience["createdAtTs"]
    paused = act(sandbox, experience["id"], "pause").json()["experience"]
    assert paused["pausedAtTs"] > started["startedAtTs"] and paused["isPreview"] is True
    resumed = act(sandbox, experience["id"], "start").json()["experience"]
    assert resumed["startedAtTs"] == started["startedAtTs"] and resumed["pausedAtTs"] is None
    ended = act(sandbox, experience["id"], "end").json()["experience"]
    assert ended["endedAtTs"] > resumed["lastUpdateTs"] - 1
    actions = ended["experienceActions"]
    assert [a["action"] for a in actions] == ["start", "pause", "start", "end"]
    assert all(a["experienceId"] == experience["id"] and uuid.UUID(a["id"]) for a in actions)
    stamps = [a["actionTs"] for a in actions]
    assert stamps == sorted(stamps)


def test_end_names_the_winner() -> None:
    sandbox = new_sandbox()
    experience = experience_in(sandbox, "started")
    stranger = str(uuid.uuid4())
    response = act(sandbox, experience["id"], "end", variationId=stranger)
    assert response.status_code == 400 and "variationId" in field_errors(response)
    assert get(sandbox, experience["id"])["status"] == "started"
    winner = experience["variations"][1]["id"]
    response = act(sandbox, experience["id"], "end", variationId=winner, updatePricesToVariation=False)
    assert response.status_code == 200
    assert response.json()["experience"]["status"] == "ended"
    assert sandbox.writes[-1].body == {"variationId": winner, "updatePricesToVariation": False}


def test_actions_accept_an_empty_body() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    response = call(sandbox, "POST", f"/experiences/{experience['id']}/actions/start")
    assert response.status_code == 200


def test_actions_on_unknown_experiences_get_404() -> None:
    response = act(new_sandbox(), str(uuid.uuid4()), "start")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}
