"""Bad input gets the documented 4xx envelope naming the field, never a 500."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.bodies import (
    CREATABLE,
    advanced,
    as_write,
    every_field,
    offer,
    onsite_edits,
    personalization,
    url_redirect,
)
from support.emulator import call, create, field_errors, new_sandbox, put

from igops.sandbox import Sandbox

Mutation = Callable[[dict[str, Any]], object]


def post_errors(sandbox: Sandbox, experience: Any) -> dict[str, list[str]]:
    response = call(sandbox, "POST", "/experiences", json={"experience": experience})
    assert response.status_code == 400, response.text
    assert "x-ratelimit-limit" not in response.headers
    return field_errors(response)


def mutated(build: Callable[[], dict[str, Any]], mutation: Mutation) -> dict[str, Any]:
    body = build()
    mutation(body)
    return body


CREATE_CASES: dict[str, tuple[Callable[[], dict[str, Any]], Mutation, str]] = {
    "missing name": (onsite_edits, lambda b: b.pop("name"), "experience.name"),
    "empty name": (onsite_edits, lambda b: b.update(name=""), "experience.name"),
    "name not a string": (onsite_edits, lambda b: b.update(name=7), "experience.name"),
    "description not a string": (onsite_edits, lambda b: b.update(description=5), "experience.description"),
    "previewPath not a string": (onsite_edits, lambda b: b.update(previewPath=[]), "experience.previewPath"),
    "missing type": (onsite_edits, lambda b: b.pop("type"), "experience.type"),
    "unknown type": (onsite_edits, lambda b: b.update(type="content/banner"), "experience.type"),
    "pricing not creatable": (onsite_edits, lambda b: b.update(type="pricing"), "experience.type"),
    "checkout block not creatable": (
        onsite_edits,
        lambda b: b.update(type="checkoutBlock"),
        "experience.type",
    ),
    "missing analysis": (
        onsite_edits,
        lambda b: b.pop("experienceAnalysis"),
        "experience.experienceAnalysis",
    ),
    "bad analysis view": (
        onsite_edits,
        lambda b: b.update(experienceAnalysis={"analyticsViewType": "all"}),
        "experience.experienceAnalysis.analyticsViewType",
    ),
    "currency code not a string": (
        onsite_edits,
        lambda b: b.update(currency={"code": 1}),
        "experience.currency.code",
    ),
    "missing variations": (onsite_edits, lambda b: b.pop("variations"), "experience.variations"),
    "no variations": (onsite_edits, lambda b: b.update(variations=[]), "experience.variations"),
    "variations not a list": (onsite_edits, lambda b: b.update(variations={}), "experience.variations"),
    "variation without name": (
        onsite_edits,
        lambda b: b["variations"][0].pop("name"),
        "experience.variations.0.name",
    ),
    "variation name too long": (
        onsite_edits,
        lambda b: b["variations"][0].update(name="x" * 256),
        "experience.variations.0.name",
    ),
    "percentage a string": (
        onsite_edits,
        lambda b: b["variations"][0].update(percentage="50"),
        "experience.variations.0.percentage",
    ),
    "percentage a boolean": (
        onsite_edits,
        lambda b: b["variations"][0].update(percentage=True),
        "experience.variations.0.percentage",
    ),
    "percentage above 100": (
        onsite_edits,
        lambda b: b["variations"][0].update(percentage=150),
        "experience.variations.0.percentage",
    ),
    "percentage beyond float range": (
        onsite_edits,
        lambda b: b["variations"][0].update(percentage=10**400),
        "experience.variations.0.percentage",
    ),
    "redirect group beyond float range": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].update(group=-(10**400)),
        "experience.variations.1.redirects.0.group",
    ),
    "order beyond safe integers": (
        onsite_edits,
        lambda b: b["variations"][1].update(order=2**53),
        "experience.variations.1.order",
    ),
    "isControl not boolean": (
        onsite_edits,
        lambda b: b["variations"][0].update(isControl="yes"),
        "experience.variations.0.isControl",
    ),
    "missing order": (
        onsite_edits,
        lambda b: b["variations"][1].pop("order"),
        "experience.variations.1.order",
    ),
    "fractional order": (
        onsite_edits,
        lambda b: b["variations"][1].update(order=1.5),
        "experience.variations.1.order",
    ),
    "negative order": (
        onsite_edits,
        lambda b: b["variations"][1].update(order=-1),
        "experience.variations.1.order",
    ),
    "price change unit": (
        onsite_edits,
        lambda b: b["variations"][1].update(priceChangeUnit="euro"),
        "experience.variations.1.priceChangeUnit",
    ),
    "price rounding": (
        onsite_edits,
        lambda b: b["variations"][1].update(priceRoundingType="sideways"),
        "experience.variations.1.priceRoundingType",
    ),
    "price change not a string": (
        onsite_edits,
        lambda b: b["variations"][1].update(priceChange=5),
        "experience.variations.1.priceChange",
    ),
    "onsite edit without find": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].pop("find"),
        "experience.variations.1.onsiteEdits.0.find",
    ),
    "onsite edit without insertType": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].pop("insertType"),
        "experience.variations.1.onsiteEdits.0.insertType",
    ),
    "onsite edit type": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].update(onsiteEditType="video"),
        "experience.variations.1.onsiteEdits.0.onsiteEditType",
    ),
    "onsite edit selectors": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].update(querySelectors="h1"),
        "experience.variations.1.onsiteEdits.0.querySelectors",
    ),
    "redirect without origin": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].pop("originUrl"),
        "experience.variations.1.redirects.0.originUrl",
    ),
    "redirect without skip": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].pop("skip"),
        "experience.variations.1.redirects.0.skip",
    ),
    "redirect filter": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].update(filter="fuzzy"),
        "experience.variations.1.redirects.0.filter",
    ),
    "redirect template type": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].update(templateType="home"),
        "experience.variations.1.redirects.0.templateType",
    ),
    "injection without mode": (
        advanced,
        lambda b: b["variations"][1]["onsiteInjection"].pop("jsInjectionMode"),
        "experience.variations.1.onsiteInjection.jsInjectionMode",
    ),
    "injection mode": (
        advanced,
        lambda b: b["variations"][1]["onsiteInjection"]["jsInjectionMode"].update(type="later"),
        "experience.variations.1.onsiteInjection.jsInjectionMode.type",
    ),
    "injection css not a string": (
        advanced,
        lambda b: b["variations"][1]["onsiteInjection"].update(customCss=1),
        "experience.variations.1.onsiteInjection.customCss",
    ),
    "offer without name": (
        offer,
        lambda b: b["variations"][1]["offer"].pop("name"),
        "experience.variations.1.offer.name",
    ),
    "offer application type": (
        offer,
        lambda b: b["variations"][1]["offer"].update(discountApplicationType="bogo"),
        "experience.variations.1.offer.discountApplicationType",
    ),
    "offer without shipping discount": (
        offer,
        lambda b: b["variations"][1]["offer"].pop("shippingDiscount"),
        "experience.variations.1.offer.shippingDiscount",
    ),
    "offer negative tier": (
        offer,
        lambda b: b["variations"][1]["offer"]["tiers"][0].update(unitDiscount=-1),
        "experience.variations.1.offer.tiers.0.unitDiscount",
    ),
    "audience without enabled": (
        personalization,
        lambda b: b["audience"].pop("enabled"),
        "experience.audience.enabled",
    ),
    "audience null": (personalization, lambda b: b.update(audience=None), "experience.audience"),
    "audience else action": (
        personalization,
        lambda b: b["audience"].update(elseAction="maybe"),
        "experience.audience.elseAction",
    ),
    "audience filter type": (
        personalization,
        lambda b: b["audience"]["filters"][0].update(filterType="weather"),
        "experience.audience.filters.0.filterType",
    ),
    "audience filter priority": (
        personalization,
        lambda b: b["audience"]["filters"][0].update(priority="first"),
        "experience.audience.filters.0.priority",
    ),
    "audience expression value missing": (
        personalization,
        lambda b: b["audience"]["filters"][0]["expression"][0]["query"].pop("value"),
        "experience.audience.filters.0.expression.0.query.value",
    ),
    "audience expression value empty": (
        personalization,
        lambda b: b["audience"]["filters"][0]["expression"][0]["query"].update(value=""),
        "experience.audience.filters.0.expression.0.query.value",
    ),
    "audience filter unknown variation": (
        personalization,
        lambda b: b["audience"]["filters"][0].update(variationId=str(uuid.uuid4())),
        "experience.audience.filters.0.variationId",
    ),
    "audience else variation index": (
        personalization,
        lambda b: b["audience"].update(elseVariationIndex="7"),
        "experience.audience.elseVariationIndex",
    ),
    "audience else variation superscript": (
        personalization,
        lambda b: b["audience"].update(elseVariationIndex="\u00b2"),
        "experience.audience.elseVariationIndex",
    ),
    "audience else variation huge": (
        personalization,
        lambda b: b["audience"].update(elseVariationIndex="9" * 5000),
        "experience.audience.elseVariationIndex",
    ),
    "audience exclude currency": (
        personalization,
        lambda b: b["audience"].update(excludeCurrency={"exclude": True}),
        "experience.audience.excludeCurrency.currency",
    ),
    "page targeting not a list": (
        onsite_edits,
        lambda b: b.update(experiencePageTargeting={}),
        "experience.experiencePageTargeting",
    ),
    "page targeting operator": (
        onsite_edits,
        lambda b: b["experiencePageTargeting"][0]["expression"].append({"operator": "xor"}),
        "experience.experiencePageTargeting.0.expression.1.operator",
    ),
    "page targeting filter": (
        onsite_edits,
        lambda b: b["experiencePageTargeting"][0]["expression"][0]["query"].update(filter="like"),
        "experience.experiencePageTargeting.0.expression.0.query.filter",
    ),
    "page targeting value needed": (
        onsite_edits,
        lambda b: b["experiencePageTargeting"][0]["expression"][0]["query"].update(value=""),
        "experience.experiencePageTargeting.0.expression.0.query.value",
    ),
    "key metric without order": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].pop("order"),
        "experience.experienceKeyMetrics.0.order",
    ),
    "key metric event": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].update(standardEventId="happiness"),
        "experience.experienceKeyMetrics.0.standardEventId",
    ),
    "key metric with neither event": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].update(standardEventId=None),
        "experience.experienceKeyMetrics.0",
    ),
    "key metric with both events": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].update(experienceCustomMetricId=str(uuid.uuid4())),
        "experience.experienceKeyMetrics.0",
    ),
    "cart rule without id": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].pop("id"),
        "experience.variations.1.cartTargeting.0.id",
    ),
    "cart rule id not a uuid": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].update(id="rule-1"),
        "experience.variations.1.cartTargeting.0.id",
    ),
    "cart rule without expression": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].pop("expression"),
        "experience.variations.1.cartTargeting.0.expression",
    ),
    "cart condition key": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0]["expression"][0]["query"].update(key="weather"),
        "experience.variations.1.cartTargeting.0.expression.0.query.key",
    ),
    "cart condition without filter": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0]["expression"][0]["query"].pop("filter"),
        "experience.variations.1.cartTargeting.0.expression.0.query.filter",
    ),
    "cart condition value a boolean": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][1]["expression"][0]["query"].update(value=True),
        "experience.variations.1.cartTargeting.1.expression.0.query.value",
    ),
    "cart variant pick without inclusion type": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0]["expression"][0]["query"]["value"][
            "gid://shopify/Product/1"
        ][0].pop("inclusionType"),
        "experience.variations.1.cartTargeting.0.expression.0.query.value.gid://shopify/Product/1.0.inclusionType",
    ),
    "cart rule id used twice": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].update(
            id=b["variations"][0]["cartTargeting"][0]["id"]
        ),
        "experience.variations.1.cartTargeting.0.id",
    ),
    "component without id": (
        every_field,
        lambda b: b["variations"][1]["components"][0].pop("id"),
        "experience.variations.1.components.0.id",
    ),
    "component without variation id": (
        every_field,
        lambda b: b["variations"][1]["components"][0].pop("variationId"),
        "experience.variations.1.components.0.variationId",
    ),
    "component reusing a cart rule's id": (
        every_field,
        lambda b: b["variations"][1]["components"][0].update(id=b["variations"][0]["cartTargeting"][0]["id"]),
        "experience.variations.1.components.0.id",
    ),
    "component kind": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"].update(type="banner"),
        "experience.variations.1.components.0.config.type",
    ),
    "upsell without template": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"].pop("template"),
        "experience.variations.1.components.0.config.template",
    ),
    "upsell placement location": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"]["placement"].update(location="footer"),
        "experience.variations.1.components.0.config.placement.location",
    ),
    "upsell rule without id": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"]["rules"][0].pop("id"),
        "experience.variations.1.components.0.config.rules.0.id",
    ),
    "upsell targeting domain": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"]["rules"][0]["targeting"].update(
            type="visitor"
        ),
        "experience.variations.1.components.0.config.rules.0.targeting.type",
    ),
    "upsell product without id": (
        every_field,
        lambda b: b["variations"][1]["components"][0]["config"]["rules"][0]["action"][0]["query"]["value"][
            0
        ].pop("productId"),
        "experience.variations.1.components.0.config.rules.0.action.0.query.value.0.productId",
    ),
    "product variant action type": (
        every_field,
        lambda b: b["productVariantAction"].update(type="inventory"),
        "experience.productVariantAction.type",
    ),
    "product variant action without bucket": (
        every_field,
        lambda b: b["productVariantAction"]["location"].pop("bucket"),
        "experience.productVariantAction.location.bucket",
    ),
    "product variant action null": (
        every_field,
        lambda b: b.update(productVariantAction=None),
        "experience.productVariantAction",
    ),
    "shipping discount without id": (
        every_field,
        lambda b: b["variations"][1]["offer"]["shippingDiscount"].pop("id"),
        "experience.variations.1.offer.shippingDiscount.id",
    ),
    "rate filter rule without id": (
        every_field,
        lambda b: b["variations"][1]["offer"]["shippingDiscount"]["rateFilter"]["rules"][0].pop("id"),
        "experience.variations.1.offer.shippingDiscount.rateFilter.rules.0.id",
    ),
    "rate filter type": (
        every_field,
        lambda b: b["variations"][1]["offer"]["shippingDiscount"]["rateFilter"].update(type="weight"),
        "experience.variations.1.offer.shippingDiscount.rateFilter.type",
    ),
    "percentages short of 100": (
        onsite_edits,
        lambda b: b["variations"][1].update(percentage=40),
        "experience.variations",
    ),
    "percentages over 100": (
        onsite_edits,
        lambda b: b["variations"][1].update(percentage=50.02),
        "experience.variations",
    ),
    "no control": (
        onsite_edits,
        lambda b: b["variations"][0].update(isControl=False),
        "experience.variations",
    ),
    "two controls": (
        onsite_edits,
        lambda b: b["variations"][1].update(isControl=True),
        "experience.variations",
    ),
}


@pytest.mark.parametrize("case", sorted(CREATE_CASES))
def test_create_refuses_with_the_field_named(case: str) -> None:
    build, mutation, path = CREATE_CASES[case]
    sandbox = new_sandbox()
    errors = post_errors(sandbox, mutated(build, mutation))
    assert path in errors, errors
    assert all(messages and all(isinstance(m, str) for m in messages) for messages in errors.values())
    assert sandbox.experiences() == [] and sandbox.writes == []


def test_the_body_must_wrap_the_experience() -> None:
    sandbox = new_sandbox()
    response = call(sandbox, "POST", "/experiences", json=onsite_edits())
    assert response.status_code == 400
    assert "experience" in field_errors(response)
    response = call(sandbox, "POST", "/experiences", json={"experience": "hello"})
    assert "experience" in field_errors(response)


def test_percentages_within_tolerance_are_accepted() -> None:
    sandbox = new_sandbox()
    body = onsite_edits()
    body["variations"].append({"name": "Third", "percentage": 33.34, "order": 2})
    body["variations"][0]["percentage"] = body["variations"][1]["percentage"] = 33.33
    create(sandbox, body)
    nearly = onsite_edits("nearly")
    nearly["variations"][1]["percentage"] = 49.995
    create(sandbox, nearly)


def test_every_problem_is_reported_at_once() -> None:
    body = onsite_edits()
    del body["name"]
    body["variations"][0]["percentage"] = "half"
    body["type"] = "nope"
    errors = post_errors(new_sandbox(), body)
    assert {"experience.name", "experience.variations.0.percentage", "experience.type"} <= set(errors)


def test_names_may_repeat_as_the_api_lets_them() -> None:
    sandbox = new_sandbox()
    first = create(sandbox, onsite_edits("Taken"))
    second = create(sandbox, url_redirect("Taken"))
    other = create(sandbox, url_redirect("Free"))
    assert put(sandbox, other["id"], {**as_write(other), "name": "Taken"}).status_code == 200
    assert [e["name"] for e in sandbox.experiences()] == ["Taken"] * 3
    assert len({first["id"], second["id"], other["id"]}) == 3


def test_a_stricter_account_refuses_a_name_already_taken() -> None:
    sandbox = new_sandbox(unique_names=True)
    create(sandbox, onsite_edits("Taken"))
    assert "experience.name" in post_errors(sandbox, url_redirect("Taken"))
    other = create(sandbox, url_redirect("Free"))
    renamed = as_write(other)
    renamed["name"] = "Taken"
    assert "experience.name" in field_errors(put(sandbox, other["id"], renamed))
    renamed["name"] = "Free"
    assert put(sandbox, other["id"], renamed).status_code == 200


# Replacement rules


def put_errors(sandbox: Sandbox, experience_id: str, body: dict[str, Any]) -> dict[str, list[str]]:
    response = put(sandbox, experience_id, body)
    assert response.status_code == 400, response.text
    return field_errors(response)


PUT_CASES: dict[str, tuple[Callable[[], dict[str, Any]], Mutation, str]] = {
    "missing experience id": (onsite_edits, lambda b: b.pop("id"), "experience.id"),
    "other experience id": (onsite_edits, lambda b: b.update(id=str(uuid.uuid4())), "experience.id"),
    "type change": (onsite_edits, lambda b: b.update(type="content/url"), "experience.type"),
    "variation without id": (
        onsite_edits,
        lambda b: b["variations"][1].pop("id"),
        "experience.variations.1.id",
    ),
    "variation reusing a key metric's id": (
        onsite_edits,
        lambda b: b["variations"][1].update(id=b["experienceKeyMetrics"][0]["id"]),
        "experience.variations.1.id",
    ),
    "variation id not a uuid": (
        onsite_edits,
        lambda b: b["variations"][1].update(id="v-1"),
        "experience.variations.1.id",
    ),
    "duplicate variation id": (
        onsite_edits,
        lambda b: b["variations"][1].update(id=b["variations"][0]["id"]),
        "experience.variations.1.id",
    ),
    "key metric without id": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].pop("id"),
        "experience.experienceKeyMetrics.0.id",
    ),
    "key metric reusing a variation's id": (
        onsite_edits,
        lambda b: b["experienceKeyMetrics"][0].update(id=b["variations"][0]["id"]),
        "experience.experienceKeyMetrics.0.id",
    ),
    "page targeting without id": (
        onsite_edits,
        lambda b: b["experiencePageTargeting"][0].pop("id"),
        "experience.experiencePageTargeting.0.id",
    ),
    "page targeting reusing a variation's id": (
        onsite_edits,
        lambda b: b["experiencePageTargeting"][0].update(id=b["variations"][0]["id"]),
        "experience.experiencePageTargeting.0.id",
    ),
    "onsite edit without id": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].pop("id"),
        "experience.variations.1.onsiteEdits.0.id",
    ),
    "onsite edit under another variation": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].update(variationId=b["variations"][0]["id"]),
        "experience.variations.1.onsiteEdits.0.variationId",
    ),
    "onsite edit reusing a variation id": (
        onsite_edits,
        lambda b: b["variations"][1]["onsiteEdits"][0].update(id=b["variations"][0]["id"]),
        "experience.variations.1.onsiteEdits.0.id",
    ),
    "redirect without variation id": (
        url_redirect,
        lambda b: b["variations"][1]["redirects"][0].pop("variationId"),
        "experience.variations.1.redirects.0.variationId",
    ),
    "injection without id": (
        advanced,
        lambda b: b["variations"][1]["onsiteInjection"].pop("id"),
        "experience.variations.1.onsiteInjection.id",
    ),
    "offer without id": (
        offer,
        lambda b: b["variations"][1]["offer"].pop("id"),
        "experience.variations.1.offer.id",
    ),
    "audience reusing a variation's id": (
        personalization,
        lambda b: b["audience"].update(id=b["variations"][0]["id"]),
        "experience.audience.id",
    ),
    "audience filter reusing a variation's id": (
        personalization,
        lambda b: b["audience"]["filters"][0].update(id=b["variations"][0]["id"]),
        "experience.audience.filters.0.id",
    ),
    "cart rule without id": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].pop("id"),
        "experience.variations.1.cartTargeting.0.id",
    ),
    "cart rule reusing a variation's id": (
        every_field,
        lambda b: b["variations"][1]["cartTargeting"][0].update(id=b["variations"][0]["id"]),
        "experience.variations.1.cartTargeting.0.id",
    ),
    "component without variation id": (
        every_field,
        lambda b: b["variations"][1]["components"][0].pop("variationId"),
        "experience.variations.1.components.0.variationId",
    ),
    "component under another variation": (
        every_field,
        lambda b: b["variations"][1]["components"][0].update(variationId=b["variations"][0]["id"]),
        "experience.variations.1.components.0.variationId",
    ),
    "component id used twice": (
        every_field,
        lambda b: b["variations"][1]["components"][0].update(id=b["variations"][0]["components"][0]["id"]),
        "experience.variations.1.components.0.id",
    ),
    "shipping discount reusing its offer's id": (
        every_field,
        lambda b: b["variations"][1]["offer"]["shippingDiscount"].update(
            id=b["variations"][1]["offer"]["id"]
        ),
        "experience.variations.1.offer.shippingDiscount.id",
    ),
    "product variant action without location": (
        onsite_edits,
        lambda b: b.update(productVariantAction={"type": "price"}),
        "experience.productVariantAction.location",
    ),
    "audience filter naming no variation": (
        personalization,
        lambda b: b["audience"]["filters"][0].update(variationId=str(uuid.uuid4())),
        "experience.audience.filters.0.variationId",
    ),
    "audience else variation beyond the variations": (
        personalization,
        lambda b: b["audience"].update(elseVariationIndex="2"),
        "experience.audience.elseVariationIndex",
    ),
    "percentages": (
        onsite_edits,
        lambda b: b["variations"][0].update(percentage=10),
        "experience.variations",
    ),
    "controls": (onsite_edits, lambda b: b["variations"][0].update(isControl=False), "experience.variations"),
}


@pytest.mark.parametrize("case", sorted(PUT_CASES))
def test_replace_refuses_with_the_field_named(case: str) -> None:
    build, mutation, path = PUT_CASES[case]
    sandbox = new_sandbox()
    created = create(sandbox, build())
    body = as_write(created)
    mutation(body)
    errors = put_errors(sandbox, created["id"], body)
    assert path in errors, errors
    assert sandbox.experiences() == [created]
    assert len(sandbox.writes) == 1


@pytest.mark.parametrize(
    "entity",
    [
        ("variations", 1, "cartTargeting", 0),
        ("variations", 1, "components", 0),
        ("variations", 1, "offer", "shippingDiscount"),
    ],
    ids=["cart rule", "component", "shipping discount"],
)
def test_create_refuses_client_ids_of_another_experience(entity: tuple[str | int, ...]) -> None:
    sandbox = new_sandbox()
    first = create(sandbox, every_field("first"))
    body = every_field("second")
    taken, holder = first, body
    for step in entity:
        taken, holder = taken[step], holder[step]
    holder["id"] = taken["id"]
    assert ".".join(map(str, ("experience", *entity, "id"))) in post_errors(sandbox, body)


def test_replace_adds_entities_that_carry_fresh_ids() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, onsite_edits())
    body = as_write(created)
    for variation in body["variations"]:
        variation["percentage"] = 30
    body["variations"].append({"id": str(uuid.uuid4()), "name": "Third", "percentage": 40, "order": 2})
    metric = {**body["experienceKeyMetrics"][0], "id": str(uuid.uuid4()), "isPrimary": False, "order": 9}
    body["experienceKeyMetrics"].append(metric)
    response = put(sandbox, created["id"], body)
    assert response.status_code == 200, response.text
    stored = sandbox.experiences()[0]
    assert [v["name"] for v in stored["variations"]][-1] == "Third"
    assert stored["variations"][-1]["id"] == body["variations"][-1]["id"]
    assert len(stored["experienceKeyMetrics"]) == len(created["experienceKeyMetrics"]) + 1


def test_replace_refuses_ids_of_another_experience() -> None:
    sandbox = new_sandbox()
    first, second = create(sandbox, onsite_edits("first")), create(sandbox, onsite_edits("second"))
    body = as_write(second)
    body["variations"][1]["id"] = first["variations"][1]["id"]
    assert "experience.variations.1.id" in put_errors(sandbox, second["id"], body)
    body = as_write(second)
    body["variations"][1]["onsiteEdits"][0]["id"] = first["variations"][1]["onsiteEdits"][0]["id"]
    assert "experience.variations.1.onsiteEdits.0.id" in put_errors(sandbox, second["id"], body)


def test_replace_may_name_an_else_variation_and_assign_filters_to_variations() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, personalization())
    body = as_write(created)
    body["audience"]["elseAction"] = "assignVariation"
    body["audience"]["elseVariationIndex"] = "1"
    body["audience"]["filters"][0].update(
        action="assignVariation", variationId=created["variations"][0]["id"]
    )
    response = put(sandbox, created["id"], body)
    assert response.status_code == 200, response.text
    audience = response.json()["experience"]["audience"]
    assert audience["elseVariationId"] == created["variations"][1]["id"]
    assert audience["filters"][0]["variationId"] == created["variations"][0]["id"]
    assert audience["id"] == created["audience"]["id"]


# Malformed requests


def raw_post(sandbox: Sandbox, content: bytes, content_type: str | None = "application/json") -> Any:
    headers = {"content-type": content_type} if content_type else {}
    response = call(sandbox, "POST", "/experiences", content=content, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert set(body) == {"errors", "properties"} and body["errors"]
    return response.status_code


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'[{"experience": {}}]',
        b"42",
        b'"text"',
        b"null",
        b"\xff\xfe\x00",
        b'{"experience": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"9" * 5000 + b"}",
    ],
    ids=[
        "syntax",
        "array",
        "array-of-objects",
        "number",
        "string",
        "null",
        "binary",
        "nan",
        "deep",
        "huge-int",
    ],
)
def test_malformed_bodies_get_400(content: bytes) -> None:
    sandbox = new_sandbox()
    assert raw_post(sandbox, content) == 400
    assert sandbox.experiences() == []


def test_an_absent_body_is_an_empty_object() -> None:
    # The description requires no request body: what is missing is what the body must hold.
    sandbox = new_sandbox()
    headers = {"content-type": "application/json"}
    response = call(sandbox, "POST", "/experiences", content=b"", headers=headers)
    assert response.status_code == 400
    assert field_errors(response) == {"experience": ["Required"]}


def test_oversized_body_gets_413() -> None:
    sandbox = new_sandbox()
    body = json.dumps({"experience": {**onsite_edits(), "description": "x" * 5_000_000}}).encode()
    assert raw_post(sandbox, body) == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_gets_415(content_type: str | None) -> None:
    body = json.dumps({"experience": onsite_edits()}).encode()
    assert raw_post(new_sandbox(), body, content_type) == 415


@pytest.mark.parametrize("declared", ["\u00b2".encode("latin-1"), b"9" * 5000, b"-1", b"2000000"])
def test_odd_content_length_headers_never_cause_a_server_error(declared: bytes) -> None:
    body = json.dumps({"experience": onsite_edits()}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", declared)]
    response = call(new_sandbox(), "POST", "/experiences", content=body, headers=headers)
    assert response.status_code in (200, 413)


def test_json_media_type_with_charset_is_fine() -> None:
    body = json.dumps({"experience": onsite_edits()}).encode()
    response = call(
        new_sandbox(),
        "POST",
        "/experiences",
        content=body,
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


def test_lone_surrogates_are_stored_and_echoed_safely() -> None:
    sandbox = new_sandbox()
    body = b'{"experience": ' + json.dumps(onsite_edits()).encode()[:-1] + b', "description": "\\ud800"}}'
    response = call(
        sandbox, "POST", "/experiences", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["experience"]["description"] == "\ud800"


def test_deep_freeform_values_are_refused() -> None:
    body = onsite_edits()
    options: Any = 1
    for _ in range(40):
        options = [options]
    body["currency"] = {"code": "USD", "options": options}
    assert "experience.currency.options" in post_errors(new_sandbox(), body)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"page": "\u0661"}, "page"),
        ({"limit": "\u00b2"}, "limit"),
        ({"status": "running"}, "status"),
        ({"category": "test"}, "category"),
        ({"module": "Content"}, "module"),
    ],
)
def test_bad_list_queries_get_400(params: dict[str, str], field: str) -> None:
    response = call(new_sandbox(), "GET", "/experiences-list", params=params)
    assert response.status_code == 400
    assert field in field_errors(response)


def test_bad_ids_and_flags_get_400() -> None:
    sandbox = new_sandbox()
    created = create(sandbox, onsite_edits())
    for path in ("/experiences/not-a-uuid", "/experiences/12345678-1234-1234-1234-123456789abc"):
        assert "experienceId" in field_errors(call(sandbox, "GET", path))
    response = call(sandbox, "GET", f"/experiences/{created['id']}", params={"includeChangeLog": "maybe"})
    assert "includeChangeLog" in field_errors(response)
    response = call(sandbox, "POST", f"/experiences/{created['id']}/actions/restart", json={})
    assert "action" in field_errors(response)
    response = call(sandbox, "POST", f"/experiences/{created['id']}/actions/start", json={"variationId": 3})
    assert "variationId" in field_errors(response)
    response = call(sandbox, "POST", f"/experiences/{created['id']}/actions/start", json=[1])
    assert response.status_code == 400


# Whatever arrives, the answer is never a 500.

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    document = copy.deepcopy(document)
    holder = document
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return document


FUZZ_SANDBOX = new_sandbox()
FUZZ_TARGET = create(FUZZ_SANDBOX, every_field("fuzz target"))
FUZZ_BASES = [
    {"experience": build(f"fuzz {kind}")}
    for kind, build in [*CREATABLE.items(), ("every field", every_field)]
]
FUZZ_PUT_BASE = {"experience": as_write(FUZZ_TARGET)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), replacement=JSON_VALUES)
def test_mutated_bodies_never_cause_a_server_error(data: st.DataObject, replacement: Any) -> None:
    base = data.draw(st.sampled_from([*FUZZ_BASES, FUZZ_PUT_BASE]))
    path = data.draw(st.sampled_from(_paths(base)))
    body = _replace(base, path, replacement)
    if base is FUZZ_PUT_BASE:
        response = call(FUZZ_SANDBOX, "PUT", f"/experiences/{FUZZ_TARGET['id']}", json=body)
    else:
        response = call(FUZZ_SANDBOX, "POST", "/experiences", json=body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        field_errors(response)


@settings(max_examples=60, deadline=None)
@given(body=JSON_VALUES)
def test_arbitrary_action_bodies_never_cause_a_server_error(body: Any) -> None:
    response = call(FUZZ_SANDBOX, "POST", f"/experiences/{FUZZ_TARGET['id']}/actions/pause", json=body)
    assert response.status_code == 400
