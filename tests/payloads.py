"""Write-shape experience bodies, as igops would send them, for tests that need a valid one."""

from __future__ import annotations

from typing import Any


def onsite_edits_experience(name: str, *, headline: str = "Free shipping on every order") -> dict[str, Any]:
    return {
        "name": name,
        "type": "content/onsiteEdits",
        "description": "Benefit-led headline vs current",
        "experienceAnalysis": {"analyticsViewType": "test_orders_only"},
        "variations": [
            {"name": "Control", "isControl": True, "percentage": 50, "order": 0},
            {
                "name": "Free shipping headline",
                "isControl": False,
                "percentage": 50,
                "order": 1,
                "onsiteEdits": [
                    {
                        "find": "Shop the collection",
                        "replace": headline,
                        "querySelectors": ["h1.hero__title"],
                        "onsiteEditType": "text",
                        "insertType": None,
                    }
                ],
            },
        ],
    }


def with_ids(written: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """A PUT body: the written experience with the id of every nested entity taken from live.

    Variations match by name, their onsite edits by position; each edit also names its variation.
    """
    body = {**written, "id": live["id"]}
    live_variations = {variation["name"]: variation for variation in live["variations"]}
    variations = []
    for variation in written["variations"]:
        match = live_variations[variation["name"]]
        edits = [
            {**edit, "id": live_edit["id"], "variationId": match["id"]}
            for edit, live_edit in zip(variation.get("onsiteEdits", []), match["onsiteEdits"], strict=True)
        ]
        variations.append({**variation, "id": match["id"], **({"onsiteEdits": edits} if edits else {})})
    body["variations"] = variations
    return body
