"""Reading a live experience copies only what it changes, and never changes what it is given."""

from __future__ import annotations

import copy
from typing import Any

from igops.fields import detached, locations
from igops.normalize import canonical_live


def read_document() -> dict[str, Any]:
    return {
        "id": "e1",
        "name": "Hero",
        "type": "content/advanced",
        "status": "started",
        "changeLog": [{"at": 1}],
        "variations": [
            {
                "id": "v1",
                "name": "Control",
                "percentage": 50,
                "isControl": True,
                "order": 1,
                "onsiteInjections": None,
            },
            {
                "id": "v0",
                "name": "Bold",
                "percentage": 50,
                "order": 0,
                "onsiteInjections": {"customCss": ".a {}", "jsInjectionMode": {"type": "onWindowLoad"}},
            },
        ],
        "audience": {
            "enabled": True,
            "elseAction": "variation",
            "elseVariationId": "v1",
            "filters": [{"variationId": "v0", "expression": [{"query": {"key": "device"}}]}],
        },
        "experienceKeyMetrics": [{"order": 0, "standardEventId": "conversionRate"}],
    }


def test_a_detached_copy_changes_at_its_paths_without_touching_the_original() -> None:
    original = read_document()
    before = copy.deepcopy(original)
    paths = ("variations[].onsiteInjections", "audience.filters[].variationId", "audience.elseVariationId")
    copied = detached(original, paths)
    for path in paths:
        for holder, key, _ in locations(copied, path):
            holder[key] = "changed"
    copied["name"] = "changed"
    assert original == before
    assert [variation["onsiteInjections"] for variation in copied["variations"]] == ["changed", "changed"]
    # What the paths do not lead through is shared, not copied.
    assert copied["changeLog"] is original["changeLog"]
    assert copied["experienceKeyMetrics"] is original["experienceKeyMetrics"]
    assert copied["audience"]["filters"][0]["expression"] is original["audience"]["filters"][0]["expression"]
    assert detached({"variations": None}, paths) == {"variations": None}


def test_reading_a_live_experience_leaves_it_as_it_was() -> None:
    document = read_document()
    canonical = canonical_live(document)
    assert document == read_document()
    assert [variation["name"] for variation in canonical["variations"]] == ["Bold", "Control"]
    assert canonical["variations"][0]["onsiteInjection"]["customCss"] == ".a {}"
    assert canonical["audience"]["elseVariationIndex"] == "1"
    assert canonical["audience"]["filters"][0]["variation"] == "Bold"
