"""Experience endpoints: create, read, list, replace, and how read and write shapes differ."""

from __future__ import annotations

import json
import uuid

import pytest
from support.bodies import (
    CREATABLE,
    advanced,
    as_write,
    cart_rule,
    every_field,
    every_field_revised,
    offer,
    onsite_edits,
    personalization,
    unread_fields,
    upsell,
    upsell_rule,
    url_redirect,
    variant_picks,
)
from support.emulator import act, call, create, get, new_sandbox, put


@pytest.mark.parametrize("kind", sorted(CREATABLE))
def test_every_creatable_type_is_created_as_a_draft(kind: str) -> None:
    sandbox = new_sandbox()
    created = create(sandbox, CREATABLE[kind]())
    assert created["type"] == kind
    assert created["status"] == "pending"
    assert created["isPreview"] is True
    assert uuid.UUID(created["id"]).version == 4
    assert created["createdAtTs"] == created["lastUpdateTs"] > 1_600_000_000_000
    assert created["startedAtTs"] is created["pausedAtTs"] is created["endedAtTs"] is None
    assert created["category"] == ("personalization" if kind.startswith("personalization") else "experiment")
    assert get(sandbox, created["id"]) == created
    assert sandbox.experiences() == [created]


def test_the_organization_is_the_same_for_every_experience() -> None:
    sandbox = new_sandbox()
    first, second = create(sandbox, onsite_edits("a")), create(sandbox, advanced("b"))
    assert first["organizationId"] == second["organizationId"]
    uuid.UUID(first["organizationId"])


def test_read_shape_adds_ids_parents_and_read_only_fields() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, advanced())
    challenger = experience["variations"][1]
    assert "onsiteInjection" not in challenger
    injection = challenger["onsiteInjections"]
    assert injection["customCss"].startswith(".atc")
    assert injection["variationId"] == challenger["id"]
    assert injection["jsInjectionMode"] == {"type": "onWindowLoad"}
    for variation in experience["variations"]:
        assert variation["experienceId"] == experience["id"]
        assert variation["functionSyncError"] is False
    metric = experience["experienceKeyMetrics"][0]
    assert metric["experienceId"] == experience["id"] and metric["id"]
    assert experience["testTypes"]["hasTestContentAdvanced"] is True
    assert experience["testTypes"]["hasTestOnsiteInjections"] is True
    assert experience["testTypes"]["hasTestPricing"] is False
    for read_only in (
        "experienceProductTargeting",
        "experienceIntegrations",
        "experienceCustomMetrics",
        "shippingTestMethodDefinitions",
        "experienceActions",
    ):
        assert experience[read_only] == []


def test_onsite_edits_and_page_targeting_read_shape() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    edit = experience["variations"][1]["onsiteEdits"][0]
    assert edit["variationId"] == experience["variations"][1]["id"]
    assert edit["isHtml"] is False and edit["isImage"] is False
    assert edit["isRegex"] is False and edit["skip"] is False and edit["remove"] is False
    target = experience["experiencePageTargeting"][0]
    assert target["filterType"] == "url"
    assert target["value"] == "/"
    assert target["filter"] == "equals"
    assert target["order"] == 0
    assert target["experienceId"] == experience["id"]


def test_offer_and_audience_read_shape() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, offer())
    deal = experience["variations"][1]["offer"]
    assert experience["variations"][1]["offerId"] == deal["id"]
    assert all(tier["id"] for tier in deal["tiers"])
    assert deal["subscriptionApplicationType"] == "oneTime"
    assert experience["testTypes"]["hasTestCampaign"] is True
    audience = create(sandbox, personalization())["audience"]
    assert audience["wholesale"] is False
    assert audience["filters"][0]["id"] and audience["filters"][0]["excludeFromAnalytics"] is False


def test_every_written_field_is_read_back_on_create_and_replace() -> None:
    sandbox = new_sandbox()
    body = every_field()
    created = create(sandbox, body)
    assert unread_fields(body, created) == []
    assert unread_fields(body, get(sandbox, created["id"])) == []
    replacement = every_field_revised(created)
    response = put(sandbox, created["id"], replacement)
    assert response.status_code == 200, response.text
    assert unread_fields(replacement, response.json()["experience"]) == []
    assert unread_fields(replacement, get(sandbox, created["id"])) == []


def test_cart_targeting_rules_are_kept_changed_dropped_and_added_by_id() -> None:
    sandbox = new_sandbox()
    body = onsite_edits()
    subtotal = cart_rule("cartSubtotal", "greaterThan", 25)
    picked = cart_rule("productId", "includes", variant_picks())
    body["variations"][1]["cartTargeting"] = [subtotal, picked]
    created = create(sandbox, body)
    assert created["variations"][1]["cartTargeting"] == [subtotal, picked]
    assert created["variations"][0]["cartTargeting"] == []
    replacement = as_write(created)
    raised = {
        "id": subtotal["id"],
        "expression": [{"query": {**subtotal["expression"][0]["query"], "value": 40}}],
    }
    subscribed = cart_rule("subscription", "equalTo", "true")
    replacement["variations"][1]["cartTargeting"] = [subscribed, raised]
    assert put(sandbox, created["id"], replacement).status_code == 200
    assert get(sandbox, created["id"])["variations"][1]["cartTargeting"] == [subscribed, raised]


def test_components_are_kept_as_written_with_declared_defaults_under_their_variation() -> None:
    sandbox = new_sandbox()
    body = onsite_edits()
    cart = {
        "type": "cart",
        "expression": [
            {"query": {"key": "cartSubtotal", "type": "cartSubtotal", "filter": "lessThan", "value": 50}}
        ],
    }
    sent = upsell(str(uuid.uuid4()), upsell_rule("under-50", cart), discount={"discountValue": 5})
    body["variations"][1]["components"] = [sent]
    created = create(sandbox, body)
    challenger = created["variations"][1]
    defaults = {
        "excludeOutOfStock": True,
        "excludeItemsInCart": True,
        "discount": {"discountType": "none", "discountValue": 5, "compareAtPriceDisplay": "none"},
    }
    config = {**sent["config"], **defaults}
    # The variationId a create sends cannot name the variation; the server's id replaces it.
    assert challenger["components"] == [{"id": sent["id"], "variationId": challenger["id"], "config": config}]
    assert created["variations"][0]["components"] == []
    assert created["testTypes"]["hasTestOnsiteUpsell"] is True
    replacement = as_write(created)
    written = replacement["variations"][1]["components"]
    written[0]["config"].update(maxProductLimit=6, excludeOutOfStock=False)
    written.append(upsell(challenger["id"], upsell_rule("always", cart), excludeItemsInCart=False))
    assert put(sandbox, created["id"], replacement).status_code == 200
    assert get(sandbox, created["id"])["variations"][1]["components"] == [
        written[0],
        {**written[1], "config": {**written[1]["config"], "excludeOutOfStock": True}},
    ]
    del replacement["variations"][1]["components"]
    emptied = put(sandbox, created["id"], replacement).json()["experience"]
    assert emptied["variations"][1]["components"] == []
    assert emptied["testTypes"]["hasTestOnsiteUpsell"] is False


def test_product_variant_action_is_accepted_and_never_returned() -> None:
    sandbox = new_sandbox()
    action = {"type": "analytics", "location": {"bucket": "analytics", "key": "variants.json"}}
    created = create(sandbox, {**onsite_edits(), "productVariantAction": action})
    replacement = {**as_write(created), "productVariantAction": {**action, "type": "price"}}
    response = put(sandbox, created["id"], replacement)
    assert response.status_code == 200, response.text
    answers = [
        created,
        response.json(),
        call(sandbox, "GET", f"/experiences/{created['id']}", params={"includeChangeLog": "true"}).json(),
        call(sandbox, "GET", "/experiences-list").json(),
    ]
    assert [answer for answer in answers if "productVariantAction" in json.dumps(answer)] == []


def test_unknown_request_fields_are_ignored_and_not_stored() -> None:
    sandbox = new_sandbox()
    body = onsite_edits()
    body["colour"] = "teal"
    body["variations"][0]["weight"] = 3
    created = create(sandbox, body)
    assert "colour" not in created
    assert "weight" not in created["variations"][0]


def test_list_items_are_the_reduced_shape() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, offer())
    act(sandbox, created["id"], "start")
    item = call(sandbox, "GET", "/experiences-list").json()["experiencesList"][0]
    for absent in (
        "experienceKeyMetrics",
        "experienceCustomMetrics",
        "experienceIntegrations",
        "shippingTestMethodDefinitions",
        "shippingCarrierProvider",
    ):
        assert absent not in item
    assert item["hasSchedule"] is False
    assert [entry["action"] for entry in item["history"]] == ["saveExperience", "startExperience"]
    assert "performedBy" not in item["experienceActions"][0]
    variation = item["variations"][1]
    assert "onsiteEdits" not in variation
    assert variation["offerDiscountApplicationType"] == "tieredDiscount"
    assert item["lastUpdateTs"] == get(sandbox, created["id"])["lastUpdateTs"]


def test_list_paginates_with_page_and_limit() -> None:
    sandbox = new_sandbox()
    names = [f"exp-{index:02d}" for index in range(45)]
    for name in names:
        create(sandbox, onsite_edits(name))
    first = call(sandbox, "GET", "/experiences-list").json()
    assert (first["page"], first["limit"], first["total"], first["totalPages"]) == (1, 20, 45, 3)
    seen = []
    for page in (1, 2, 3):
        body = call(sandbox, "GET", "/experiences-list", params={"page": page, "limit": 20}).json()
        seen += [item["name"] for item in body["experiencesList"]]
    assert seen == names
    beyond = call(sandbox, "GET", "/experiences-list", params={"page": 4}).json()
    assert beyond["experiencesList"] == [] and beyond["total"] == 45
    big = call(sandbox, "GET", "/experiences-list", params={"limit": 100}).json()
    assert len(big["experiencesList"]) == 45 and big["totalPages"] == 1
    largest = 2**53 - 1  # the largest page and limit there are: pages far beyond SQLite's integers
    everything = call(sandbox, "GET", "/experiences-list", params={"limit": largest}).json()
    assert len(everything["experiencesList"]) == 45
    farthest = call(sandbox, "GET", "/experiences-list", params={"page": largest, "limit": largest}).json()
    assert farthest["experiencesList"] == [] and farthest["totalPages"] == 1


def test_a_replaced_experience_keeps_its_place_in_the_list() -> None:
    sandbox = new_sandbox()
    first, *_ = [create(sandbox, onsite_edits(f"exp-{index}")) for index in range(3)]
    assert put(sandbox, first["id"], {**as_write(first), "name": "renamed"}).status_code == 200
    listed = call(sandbox, "GET", "/experiences-list").json()["experiencesList"]
    assert [item["name"] for item in listed] == ["renamed", "exp-1", "exp-2"]


def test_list_filters_by_status_category_and_module() -> None:
    sandbox = new_sandbox()
    edits = create(sandbox, onsite_edits())
    create(sandbox, personalization())
    deal = create(sandbox, offer())
    act(sandbox, edits["id"], "start")

    def names(**params: str) -> list[str]:
        response = call(sandbox, "GET", "/experiences-list", params=params)
        assert response.status_code == 200
        return [item["name"] for item in response.json()["experiencesList"]]

    assert names(status="started") == ["Hero headline"]
    assert names(status="pending") == ["Mobile visitors", "Spend more, save more"]
    assert names(status="ended") == []
    assert names(category="personalization") == ["Mobile visitors", "Spend more, save more"]
    assert names(category="experiment") == ["Hero headline"]
    assert names(module="content") == ["Hero headline", "Mobile visitors"]
    assert names(module="pricing") == [deal["name"]]
    assert names(module="shipping") == []
    assert names(status="pending", category="personalization", module="content") == ["Mobile visitors"]


def test_get_with_change_log() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, onsite_edits())
    assert "changeLog" not in get(sandbox, created["id"])
    body = as_write(created)
    body["name"] = "Renamed"
    body["variations"][1]["percentage"], body["variations"][0]["percentage"] = 60, 40
    assert put(sandbox, created["id"], body).status_code == 200
    response = call(sandbox, "GET", f"/experiences/{created['id']}", params={"includeChangeLog": "true"})
    log = response.json()["experience"]["changeLog"]
    assert len(log) == 1
    change = log[0]["change"]
    assert change["experience"]["changedFields"] == ["name"]
    assert change["experience"]["previous"] == {"name": "Hero headline"}
    assert {entry["id"] for entry in change["variations"]} == {v["id"] for v in created["variations"]}


# Replacement


def test_put_of_the_read_shape_changes_nothing_but_the_update_stamp() -> None:
    sandbox = new_sandbox()
    for kind, build in CREATABLE.items():
        created = create(sandbox, build(kind))
        response = put(sandbox, created["id"], as_write(created))
        assert response.status_code == 200, response.text
        replaced = response.json()["experience"]
        assert replaced["lastUpdateTs"] > created["lastUpdateTs"]
        assert {**replaced, "lastUpdateTs": 0} == {**created, "lastUpdateTs": 0}


def test_put_is_a_full_replacement_keeping_nested_ids() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, onsite_edits())
    body = as_write(created)
    del body["description"], body["previewPath"], body["experiencePageTargeting"]
    body["variations"][1]["onsiteEdits"][0]["replace"] = "Sharper copy"
    response = put(sandbox, created["id"], body)
    assert response.status_code == 200, response.text
    replaced = get(sandbox, created["id"])
    assert replaced["description"] is None
    assert replaced["previewPath"] is None
    assert replaced["experiencePageTargeting"] == []
    assert [v["id"] for v in replaced["variations"]] == [v["id"] for v in created["variations"]]
    edit = replaced["variations"][1]["onsiteEdits"][0]
    assert edit["id"] == created["variations"][1]["onsiteEdits"][0]["id"]
    assert edit["replace"] == "Sharper copy"
    assert replaced["createdAtTs"] == created["createdAtTs"]


def test_put_resets_omitted_optional_variation_fields() -> None:
    sandbox = new_sandbox()
    body = advanced()
    body["variations"][1]["excludeProducts"] = True
    created = create(sandbox, body)
    replacement = as_write(created)
    del replacement["variations"][1]["excludeProducts"], replacement["variations"][1]["onsiteInjection"]
    replaced = put(sandbox, created["id"], replacement).json()["experience"]
    assert replaced["variations"][1]["excludeProducts"] is False
    assert replaced["variations"][1]["onsiteInjections"] is None


def test_put_can_remove_a_variation_and_add_fresh_onsite_edits() -> None:
    sandbox = new_sandbox()
    body = onsite_edits()
    body["variations"].append({"name": "Third", "percentage": 0, "order": 2})
    created = create(sandbox, body)
    replacement = as_write(created)
    replacement["variations"].pop()
    challenger = replacement["variations"][1]
    fresh_id = str(uuid.uuid4())
    challenger["onsiteEdits"].append(
        {
            "id": fresh_id,
            "variationId": challenger["id"],
            "find": "Sale",
            "replace": "Big sale",
            "insertType": None,
        }
    )
    response = put(sandbox, created["id"], replacement)
    assert response.status_code == 200, response.text
    replaced = response.json()["experience"]
    assert len(replaced["variations"]) == 2
    assert [edit["id"] for edit in replaced["variations"][1]["onsiteEdits"]][1] == fresh_id


def test_update_stamp_moves_on_every_put_and_action_even_within_a_millisecond() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, url_redirect())
    stamps = [created["lastUpdateTs"]]
    body = as_write(created)
    for _ in range(5):
        stamps.append(put(sandbox, created["id"], body).json()["experience"]["lastUpdateTs"])
    for action in ("start", "pause", "start", "end"):
        stamps.append(act(sandbox, created["id"], action).json()["experience"]["lastUpdateTs"])
    assert stamps == sorted(set(stamps))


def test_writes_are_journaled_and_reads_are_not() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, onsite_edits())
    get(sandbox, created["id"])
    call(sandbox, "GET", "/experiences-list")
    put(sandbox, created["id"], as_write(created))
    act(sandbox, created["id"], "start")
    assert [(w.method, w.experience_id) for w in sandbox.writes] == [
        ("POST", created["id"]),
        ("PUT", created["id"]),
        ("POST", created["id"]),
    ]
    assert sandbox.writes[0].body == {"experience": onsite_edits()}
    assert [(r.method, r.status) for r in sandbox.requests] == [
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
        ("PUT", 200),
        ("POST", 200),
    ]
