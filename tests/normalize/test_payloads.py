"""What igops writes: creates with client-minted ids, updates that keep everything the file does not model."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from support.emulator import new_sandbox
from support.engine import desired, with_client
from support.schema_strategies import every_block

from igops.api import IntelligemsClient
from igops.engine.apply import apply_plan
from igops.engine.pipeline import make_plan
from igops.fields import IDS, locations
from igops.normalize import (
    canonical_desired,
    canonical_live,
    comparable,
    create_payload,
    needs_variation_ids,
    update_payload,
    write_only_fields,
)

# Fields the API might add one day, at every level an update rebuilds.
FUTURE = {"futureSetting": {"kept": True, "level": 3}}
FUTURE_PLACES = (
    "",
    "variations[]",
    "variations[].onsiteEdits[]",
    "variations[].offer",
    "variations[].offer.tiers[]",
    "variations[].redirects[]",
    "audience",
    "audience.filters[]",
    "experiencePageTargeting[]",
    "experienceKeyMetrics[]",
)


def _live(document: dict[str, Any]) -> dict[str, Any]:
    """The experience as the API has it after `igops apply` created it from `document`."""
    sandbox = new_sandbox()

    async def create(client: IntelligemsClient) -> None:
        report = await apply_plan(client, await make_plan(client, [desired(document)]))
        assert report.ok, report.results

    with_client(sandbox, create)
    (live,) = sandbox.experiences()
    return live


def _with_future_fields(live: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(live)
    for place in FUTURE_PLACES:
        for holder, key, _ in locations(changed, f"{place}.futureSetting" if place else "futureSetting"):
            holder[key] = copy.deepcopy(FUTURE["futureSetting"])
    return changed


def _count(document: Any, key: str) -> int:
    if isinstance(document, dict):
        return (key in document) + sum(_count(value, key) for value in document.values())
    if isinstance(document, list):
        return sum(_count(item, key) for item in document)
    return 0


def test_an_update_keeps_every_field_the_file_does_not_model_at_every_level() -> None:
    document = every_block("personalization/offer")
    live = _with_future_fields(_live(document))
    components = [{"id": str(uuid.uuid4()), "variationId": live["variations"][0]["id"], "config": {"k": 1}}]
    live["variations"][0]["components"] = components
    payload = update_payload(canonical_desired(desired(document).body), live)
    placed = _count(live, "futureSetting")
    assert placed >= len(FUTURE_PLACES)
    assert _count(payload, "futureSetting") == placed
    for place in FUTURE_PLACES:
        for holder, key, where in locations(payload, f"{place}.futureSetting" if place else "futureSetting"):
            assert holder[key] == FUTURE["futureSetting"], where
    first = next(v for v in payload["variations"] if v["name"] == live["variations"][0]["name"])
    assert first["components"] == components


def test_an_update_takes_modelled_fields_from_the_file_only() -> None:
    document = every_block("content/onsiteEdits")
    document["audience"].pop("audienceType")
    rule = document["audience"]["filters"][0]
    rule.pop("variation")
    rule["action"] = "randomVariation"
    live = _live({**document, "audience": {**document["audience"], "audienceType": "custom"}})
    # Set in the dashboard: the rule assigns a variation.
    live["audience"]["filters"][0]["variationId"] = live["variations"][1]["id"]
    payload = update_payload(canonical_desired(desired(document).body), live)
    assert "audienceType" not in payload["audience"]
    assert payload["audience"]["filters"][0].get("variationId") is None
    assert canonical_live(live)["audience"]["filters"][0]["variation"] == live["variations"][1]["name"]


def test_variation_references_are_names_in_files_and_ids_on_the_wire() -> None:
    document = every_block("personalization")
    live = _live(document)
    canonical = canonical_live(live)
    file_rule = document["audience"]["filters"][0]
    assert canonical["audience"]["filters"][0]["variation"] == file_rule["variation"]
    assert canonical["audience"]["elseVariationIndex"] == document["audience"]["elseVariationIndex"]
    payload = update_payload(canonical_desired(desired(document).body), live)
    ids = {variation["name"]: variation["id"] for variation in live["variations"]}
    assert payload["audience"]["filters"][0]["variationId"] == ids[file_rule["variation"]]
    assert "variation" not in payload["audience"]["filters"][0]


def test_a_create_cannot_name_variations_by_id_so_it_says_an_update_must_follow() -> None:
    document = every_block("personalization")
    canonical = canonical_desired(desired(document).body)
    assert needs_variation_ids(canonical)
    assert create_payload(canonical)["audience"]["filters"][0]["variationId"] is None
    for rule in document["audience"]["filters"]:
        rule.pop("variation")
        rule["action"] = "randomVariation"
    assert not needs_variation_ids(canonical_desired(desired(document).body))


def test_ids_the_api_wants_on_create_are_minted_the_same_way_every_time() -> None:
    canonical = canonical_desired(desired(every_block("personalization/offer")).body)
    first, again = create_payload(canonical), create_payload(copy.deepcopy(canonical))
    assert first == again
    minted = [
        (where, holder[key])
        for identity in IDS
        if identity.on_create
        for holder, key, where in locations(first, identity.path)
    ]
    assert {where.split("[")[0] for where, _ in minted} == {"variations"}
    assert len(minted) >= 4 and len({value for _, value in minted}) == len(minted)
    assert all(uuid.UUID(value) for _, value in minted)
    other = copy.deepcopy(canonical) | {"description": "another body"}
    assert {value for _, value in minted}.isdisjoint(
        holder[key]
        for identity in IDS
        if identity.on_create
        for holder, key, _ in locations(create_payload(other), identity.path)
    )
    # Ids the server assigns are never sent on create.
    assert all("id" not in variation for variation in first["variations"])


def test_an_update_keeps_live_ids_and_mints_new_ones_deterministically() -> None:
    document = every_block("personalization/offer")
    live = _live(document)
    grown = copy.deepcopy(document)
    grown["variations"][1]["cartTargeting"].append(copy.deepcopy(grown["variations"][1]["cartTargeting"][0]))
    canonical = canonical_desired(desired(grown).body)
    payload = update_payload(canonical, live)
    assert payload == update_payload(canonical, copy.deepcopy(live))
    for identity in IDS:
        for (holder, key, where), (live_holder, live_key, _) in zip(
            locations(payload, identity.path), locations(_by_name(live, payload), identity.path), strict=False
        ):
            if live_holder.get(live_key):
                assert holder[key] == live_holder[live_key], where
    added = payload["variations"][1]["cartTargeting"][-1]["id"]
    assert added not in {rule["id"] for v in live["variations"] for rule in v["cartTargeting"]}
    for variation in payload["variations"]:
        for edit in variation["onsiteEdits"]:
            assert edit["variationId"] == variation["id"]


def _by_name(live: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """`live` with its variations in the payload's order, so ids line up place by place."""
    by_name = {variation["name"]: variation for variation in live["variations"]}
    return {**live, "variations": [by_name[variation["name"]] for variation in payload["variations"]]}


def test_write_only_fields_are_written_and_never_compared() -> None:
    document = every_block("content/advanced")
    canonical = canonical_desired(desired(document).body)
    assert write_only_fields(canonical) == ("productVariantAction",)
    assert "productVariantAction" not in comparable(canonical)
    assert create_payload(canonical)["productVariantAction"] == document["productVariantAction"]
    live = _live(document)
    assert "productVariantAction" not in live
    assert update_payload(canonical, live)["productVariantAction"] == document["productVariantAction"]
