"""An update is a full replacement: what igops does not model must survive it, and what it does shows.

A person edits the experience in the dashboard (a dashboard-style PUT of the whole experience);
then a file edit is applied. A GET before and after the apply differs only in the edited field
and `lastUpdateTs`. Runs over real HTTP on 127.0.0.1, the way `igops apply` meets the API.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from deepdiff import DeepDiff
from support.cli import igops, work_in
from support.emulator import TOKEN, new_sandbox, serve_over_http
from support.files import dump
from support.schema_strategies import every_block

from igops.fields import PASSED_THROUGH, locations
from igops.sandbox import Sandbox

pytestmark = pytest.mark.http
KEY = "every-block"


def _upsell(variation_id: str) -> dict[str, Any]:
    """An onsite upsell component as the dashboard stores it on a variation."""
    return {
        "id": str(uuid.uuid4()),
        "variationId": variation_id,
        "config": {
            "type": "onsiteUpsell",
            "placement": {"selector": ".cart__footer", "insertType": "beforebegin", "location": "cart"},
            "template": "carousel",
            "maxProductLimit": 3,
            "excludeOutOfStock": False,
            "excludeItemsInCart": True,
            "discount": {"discountType": "percentage", "discountValue": 10, "compareAtPriceDisplay": "none"},
            "rules": [
                {
                    "id": str(uuid.uuid4()),
                    "priority": 0,
                    "action": [
                        {"query": {"key": "shopifyRecommendations", "type": "shopifyRecommendations"}}
                    ],
                    "targeting": {
                        "type": "cart",
                        "expression": [
                            {
                                "query": {
                                    "key": "anything",
                                    "type": "anything",
                                    "filter": "includes",
                                    "value": "",
                                }
                            }
                        ],
                    },
                }
            ],
        },
    }


# For every passed-through field: how the dashboard sets it to something other than its default.
DASHBOARD_VALUES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "variations[].components": lambda variation: [_upsell(variation["id"])],
}


def test_every_passed_through_field_has_a_dashboard_value() -> None:
    assert set(DASHBOARD_VALUES) == set(PASSED_THROUGH)


def _write_form(live: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's PUT body for a live experience: the whole of it, read names made write names."""
    body = copy.deepcopy(live)
    for variation in body["variations"]:
        variation["onsiteInjection"] = variation.pop("onsiteInjections", None)
    audience = body.get("audience")
    if audience is not None and audience.get("elseVariationId"):
        ordered = [v["id"] for v in sorted(body["variations"], key=lambda v: v["order"])]
        audience["elseVariationIndex"] = str(ordered.index(audience["elseVariationId"]))
    return body


def _setup(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Sandbox, Path]:
    work_in(project, monkeypatch)
    (project / "igops.yaml").write_text("experiences_dir: experiences\n")
    (project / "experiences").mkdir()
    path = project / "experiences" / f"{KEY}.yaml"
    path.write_text(dump(every_block("personalization/offer")))
    return new_sandbox(project / "account.json"), path


def _get(url: str, experience_id: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{url}/v25-10-beta/experiences/{experience_id}",
        headers={"intelligems-access-token": TOKEN},
        timeout=10,
    )
    answer.raise_for_status()
    experience: dict[str, Any] = answer.json()["experience"]
    return experience


def _dashboard_put(url: str, live: dict[str, Any]) -> None:
    answer = httpx.put(
        f"{url}/v25-10-beta/experiences/{live['id']}",
        json={"experience": _write_form(live)},
        headers={"intelligems-access-token": TOKEN},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("field", sorted(DASHBOARD_VALUES))
def test_an_apply_changes_only_the_field_the_file_changed(
    field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, path = _setup(tmp_path, monkeypatch)
    with serve_over_http(sandbox) as url:
        assert igops("apply", "--auto-approve", "--api", url).exit_code == 0
        (live,) = sandbox.experiences()
        parent, _, name = field.rpartition(".")
        for holder, _, _ in locations(live, f"{parent}.{name}"):
            holder[name] = DASHBOARD_VALUES[field](holder)
        _dashboard_put(url, live)
        before = _get(url, live["id"])
        assert all(holder[name] for holder, _, _ in locations(before, field)), "the emulator kept it"
        planned = igops("plan", "--api", url, "--detailed-exitcode")
        assert planned.exit_code == 0, planned.output

        path.write_text(dump(every_block("personalization/offer") | {"description": "edited in git"}))
        applied = igops("apply", "--auto-approve", "--api", url)
        assert applied.exit_code == 0, applied.output
        after = _get(url, live["id"])
    changed = DeepDiff(before, after, exclude_paths=["root['lastUpdateTs']"], view="tree")
    assert {str(level.path()) for kind in changed for level in changed[kind]} == {"root['description']"}
    assert after["description"] == "edited in git"


def test_a_variation_assigned_in_the_dashboard_shows_in_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the file models is never kept silently: the plan names the difference apply will undo."""
    sandbox, _ = _setup(tmp_path, monkeypatch)
    with serve_over_http(sandbox) as url:
        assert igops("apply", "--auto-approve", "--api", url).exit_code == 0
        (live,) = sandbox.experiences()
        rule = live["audience"]["filters"][0]
        other = next(v for v in live["variations"] if v["id"] != rule["variationId"])
        rule["variationId"] = other["id"]
        _dashboard_put(url, live)
        planned = igops("plan", "--api", url, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert f'audience.filters[0].variation = "{other["name"]}"' in planned.output
