"""Every schema and semantic rule, each with a fixture that breaks it and one that satisfies it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support.files import TYPES, check, dump, experience, messages, offer, redirect

Doc = dict[str, Any]


def _with(kind: str = "content/onsiteEdits", **fields: Any) -> Callable[[], Doc]:
    return lambda: experience(kind, **fields)


def _changed(change: Callable[[Doc], None], kind: str = "content/onsiteEdits") -> Callable[[], Doc]:
    def build() -> Doc:
        document = experience(kind)
        change(document)
        return document

    return build


def _variant(kind: str = "content/onsiteEdits", **fields: Any) -> Callable[[], Doc]:
    return _changed(lambda document: document["variations"][1].update(fields), kind)


def _split(*percentages: float) -> Callable[[], Doc]:
    def change(document: Doc) -> None:
        variant = document["variations"][1]
        document["variations"] = [document["variations"][0]] + [
            variant | {"name": f"Variant {index}"} for index in range(len(percentages) - 1)
        ]
        for variation, percentage in zip(document["variations"], percentages, strict=True):
            variation["percentage"] = percentage

    return _changed(change)


def _audience(kind: str = "content/onsiteEdits", **fields: Any) -> Callable[[], Doc]:
    return _with(kind, audience={"enabled": True} | fields)


def _device(value: str) -> list[dict[str, Any]]:
    return [{"query": {"type": "device", "key": "device", "filter": "equals", "value": value}}]


def _metrics(*metrics: dict[str, Any]) -> Callable[[], Doc]:
    return _with(experienceKeyMetrics=list(metrics))


def _shipping(rate_filter: dict[str, Any] | None) -> Callable[[], Doc]:
    return _variant(
        "personalization/offer",
        offer=offer(
            discountApplicationType="freeShipping",
            shippingDiscount={"discountType": "percentage", "unitDiscount": 100, "rateFilter": rate_filter},
        ),
    )


A_UUID = "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c"

# (rule, fixture breaking it, field path reported, words of the message)
FAILING: list[tuple[str, Callable[[], Doc], str, str]] = [
    ("unknown field", _with(percentge=5), "$.percentge", "not a field here"),
    ("unknown field hint", _variant(percentge=5), "$.variations[1].percentge", "did you mean 'percentage'"),
    ("order is the list position", _variant(order=1), "$.variations[1].order", "the position in the list"),
    ("no nested ids", _variant(id=A_UUID), "$.variations[1].id", "a file never holds one"),
    ("required field", _changed(lambda d: d.pop("status")), "$.status", "required field 'status' is missing"),
    (
        "wrong type",
        _variant(percentage="50"),
        "$.variations[1].percentage",
        "expected a number, found the text",
    ),
    ("wrong type bool", _variant(isControl="yes"), "$.variations[1].isControl", "expected true or false"),
    ("enum", _with(status="running"), "$.status", "not one of 'draft', 'started', 'paused', 'ended'"),
    ("enum hint", _with(status="strated"), "$.status", "did you mean 'started'"),
    (
        "long enum",
        _metrics({"standardEventId": "conversion", "isPrimary": True}),
        "$.experienceKeyMetrics[0].standardEventId",
        "did you mean 'conversionRate'",
    ),
    (
        "type the API can create",
        _with(type="pricing"),
        "$.type",
        "cannot be created through the Intelligems API",
    ),
    ("unknown type", _with(type="content/onsiteEdit"), "$.type", "did you mean 'content/onsiteEdits'"),
    ("id is a UUID", _with(id="1234"), "$.id", "not a UUID"),
    ("percentage bounds", _split(150, -50), "$.variations[0].percentage", "above the maximum of 100"),
    ("name not empty", _with(name=""), "$.name", "must not be empty"),
    ("variation name length", _variant(name="x" * 256), "$.variations[1].name", "at most 255"),
    ("at least one variation", _with(variations=[]), "$.variations", "at least one entry"),
    ("percentages total 100", _split(50, 40), "$.variations", "add up to 90, not 100"),
    ("percentages total 100 (to 0.01)", _split(33.33, 33.33, 33.32), "$.variations", "add up to 99.98"),
    (
        "a control",
        _changed(lambda d: d["variations"][0].pop("isControl")),
        "$.variations",
        "no variation is the control",
    ),
    ("only one control", _variant(isControl=True), "$.variations[1].isControl", "a second control"),
    (
        "unique variation names",
        _variant(name="Control"),
        "$.variations[1].name",
        "already used by $.variations[0]",
    ),
    (
        "winner needs ended",
        _with(status="started", winner="Variant"),
        "$.winner",
        "only declared with status: ended",
    ),
    ("winner is a variation", _with(status="ended", winner="Variantt"), "$.winner", "did you mean 'Variant'"),
    (
        "onsite edits need a change",
        _variant(onsiteEdits=[]),
        "$.variations[1]",
        "lacks onsiteEdits or an onsiteInjection",
    ),
    (
        "advanced needs code",
        _variant("content/advanced", onsiteInjection={"customCss": ""}),
        "$.variations[1]",
        "lacks an onsiteInjection with customCss or customJs",
    ),
    ("url needs redirects", _variant("content/url", redirects=[]), "$.variations[1]", "lacks redirects"),
    (
        "theme needs theme redirects",
        _variant("content/theme", redirects=[redirect()]),
        "$.variations[1]",
        "lacks redirects with isThemeTest: true",
    ),
    (
        "template needs template redirects",
        _variant("content/template", redirects=[redirect()]),
        "$.variations[1]",
        "lacks redirects with isTemplateTest: true",
    ),
    (
        "personalization needs a change",
        _variant("personalization", onsiteEdits=[]),
        "$.variations[1]",
        "lacks onsiteEdits, an onsiteInjection or redirects",
    ),
    (
        "offer needs an offer",
        _variant("personalization/offer", offer=None),
        "$.variations[1]",
        "lacks an offer",
    ),
    (
        "offer required fields",
        _variant("personalization/offer", offer={"name": "x"}),
        "$.variations[1].offer.discountApplicationType",
        "required field",
    ),
    (
        "full redirect needs destination",
        _variant("content/url", redirects=[redirect(destinationUrl=None)]),
        "$.variations[1].redirects[0].destinationUrl",
        "needs a destinationUrl",
    ),
    (
        "partial redirect needs find",
        _variant("content/url", redirects=[redirect(redirectType="partialReplacement")]),
        "$.variations[1].redirects[0].find",
        "needs find",
    ),
    (
        "template redirect needs template",
        _variant("content/template", redirects=[redirect(isTemplateTest=True)]),
        "$.variations[1].redirects[0].isTemplateTest",
        "needs a templateType",
    ),
    (
        "redirect flag matches type",
        _variant("content/url", redirects=[redirect(isThemeTest=True)]),
        "$.variations[1].redirects[0].isThemeTest",
        "belongs to content/theme experiences",
    ),
    (
        "timeout mode needs timeout",
        _variant(
            "content/advanced", onsiteInjection={"customJs": "x()", "jsInjectionMode": {"type": "timeout"}}
        ),
        "$.variations[1].onsiteInjection.jsInjectionMode",
        "needs a timeout",
    ),
    (
        "shipping discount only for free shipping",
        _variant(
            "personalization/offer",
            offer=offer(shippingDiscount={"discountType": "percentage", "unitDiscount": 100}),
        ),
        "$.variations[1].offer.shippingDiscount",
        "freeShipping",
    ),
    (
        "one primary metric",
        _metrics({"standardEventId": "conversionRate"}),
        "$.experienceKeyMetrics",
        "0 key metrics have isPrimary",
    ),
    (
        "not two primary metrics",
        _metrics(
            {"standardEventId": "conversionRate", "isPrimary": True},
            {"standardEventId": "addToCartRate", "isPrimary": True},
        ),
        "$.experienceKeyMetrics",
        "2 key metrics have isPrimary",
    ),
    ("metric names one event", _metrics({"isPrimary": True}), "$.experienceKeyMetrics[0]", "exactly one of"),
    (
        "metric names only one event",
        _metrics(
            {"isPrimary": True, "standardEventId": "conversionRate", "experienceCustomMetricId": A_UUID}
        ),
        "$.experienceKeyMetrics[0]",
        "exactly one of",
    ),
    (
        "else index is a variation",
        _audience(elseVariationIndex="2"),
        "$.audience.elseVariationIndex",
        "not the position of a variation (0 to 1)",
    ),
    (
        "assignVariation needs an index",
        _audience(elseAction="assignVariation"),
        "$.audience.elseAction",
        "needs elseVariationIndex",
    ),
    (
        "experienceInclude is for personalizations",
        _audience(filters=[{"priority": 0, "filterType": "utm", "action": "experienceInclude"}]),
        "$.audience.filters[0].action",
        "experienceInclude is for personalizations",
    ),
    (
        "audience device values",
        _audience(
            filters=[
                {
                    "priority": 0,
                    "filterType": "device",
                    "action": "randomVariation",
                    "expression": _device("tablet"),
                }
            ]
        ),
        "$.audience.filters[0].expression[0].query.value",
        "compares with 'any', 'mobile', 'desktop'",
    ),
    (
        "page device values",
        _with(experiencePageTargeting=[{"expression": _device("phone")}]),
        "$.experiencePageTargeting[0].expression[0].query.value",
        "not 'phone'",
    ),
    (
        "rule variation is a variation",
        _audience(
            filters=[
                {"priority": 0, "filterType": "utm", "action": "assignVariation", "variation": "Variant B"}
            ]
        ),
        "$.audience.filters[0].variation",
        "did you mean 'Variant'",
    ),
    (
        "assignVariation rule needs a variation",
        _audience(filters=[{"priority": 0, "filterType": "utm", "action": "assignVariation"}]),
        "$.audience.filters[0].action",
        "needs variation",
    ),
    (
        "components stay in the dashboard",
        _variant(components=[]),
        "$.variations[1].components",
        "kept as it is set in the dashboard",
    ),
    ("ids are never in files", _audience(id=A_UUID), "$.audience.id", "a file never holds one"),
    (
        "one product scope",
        _variant(includeProducts=True, excludeProducts=True),
        "$.variations[1].includeProducts",
        "exclude each other",
    ),
    (
        "name rate filter needs rules",
        _shipping({"type": "name"}),
        "$.variations[1].offer.shippingDiscount.rateFilter",
        "needs rules",
    ),
    (
        "amount rate filter has no rules",
        _shipping({"type": "amount", "amount": 5, "rules": []}),
        "$.variations[1].offer.shippingDiscount.rateFilter.rules",
        "belongs to a rateFilter of type name",
    ),
    (
        "name rate filter has no amount",
        _shipping({"type": "name", "rules": [], "amount": 5}),
        "$.variations[1].offer.shippingDiscount.rateFilter.amount",
        "belongs to a rateFilter of type amount",
    ),
]

PASSING: list[tuple[str, Callable[[], Doc]]] = [
    *[(f"minimal {kind}", _with(kind)) for kind in TYPES],
    ("three-way split within 0.01", _split(33.33, 33.33, 33.33)),
    ("float split", _split(12.5, 87.5)),
    ("winner of an ended test", _with(status="ended", winner="Variant")),
    ("ended without a winner", _with(status="ended")),
    ("pinned id", _with(id=A_UUID)),
    ("CSS alongside edits", _variant(onsiteInjection={"customCss": "h1 { color: red; }"})),
    ("control without changes in a url test", _with("content/url")),
    (
        "partial redirect with find",
        _variant(
            "content/url",
            redirects=[redirect(redirectType="partialReplacement", find="/a", destinationUrl=None)],
        ),
    ),
    (
        "timeout mode with timeout",
        _variant(
            "content/advanced",
            onsiteInjection={"customJs": "x()", "jsInjectionMode": {"type": "timeout", "timeout": 500}},
        ),
    ),
    (
        "free shipping offer",
        _variant(
            "personalization/offer",
            offer=offer(
                discountApplicationType="freeShipping",
                shippingDiscount={"discountType": "percentage", "unitDiscount": 100},
            ),
        ),
    ),
    (
        "one primary metric",
        _metrics(
            {"standardEventId": "conversionRate", "isPrimary": True}, {"experienceCustomMetricId": A_UUID}
        ),
    ),
    ("assign by index", _audience(elseAction="assignVariation", elseVariationIndex="1")),
    (
        "experienceInclude in a personalization",
        _audience(
            "personalization", filters=[{"priority": 0, "filterType": "utm", "action": "experienceInclude"}]
        ),
    ),
    (
        "device values",
        _audience(
            filters=[
                {
                    "priority": 0,
                    "filterType": "device",
                    "action": "randomVariation",
                    "expression": _device("mobile"),
                }
            ]
        ),
    ),
    ("page device values", _with(experiencePageTargeting=[{"expression": _device("desktop")}])),
    ("nullable fields", _with(description=None, previewPath=None, currency=None)),
    (
        "assign a variation by name",
        _audience(
            filters=[
                {"priority": 0, "filterType": "utm", "action": "assignVariation", "variation": "Variant"}
            ]
        ),
    ),
    ("rates by name", _shipping({"type": "name", "rules": [{"operator": "contains", "name": "Express"}]})),
    ("rates by amount", _shipping({"type": "amount", "amount": 10})),
    (
        "pricing fields",
        _variant(
            priceChange="-10",
            priceChangeUnit="percent",
            priceRoundingType="nearest",
            priceRoundingAmount=".99",
            includeProducts=True,
        ),
    ),
]


@pytest.mark.parametrize(("rule", "build", "path", "words"), FAILING, ids=[case[0] for case in FAILING])
def test_rule_violation_is_reported_at_its_field(
    rule: str, build: Callable[[], Doc], path: str, words: str
) -> None:
    document = build()
    result = check(document)
    assert result.errors, f"{rule}: no error"
    matching = [error for error in result.errors if error.field == path and words in error.message]
    assert matching, f"{rule}: expected {path}: ...{words}..., got {messages(result)}"
    error = matching[0]
    assert error.message.endswith(".")
    if _written(document, error.path) and isinstance(error.path[-1], str):
        line = dump(document).splitlines()[error.position.line - 1]
        assert line.lstrip(" -").startswith(f"{error.path[-1]}:"), (error, line)


def _written(document: Any, path: tuple[str | int, ...]) -> bool:
    for part in path:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


@pytest.mark.parametrize(("case", "build"), PASSING, ids=[case[0] for case in PASSING])
def test_valid_fixture_passes(case: str, build: Callable[[], Doc]) -> None:
    result = check(build())
    assert not result.errors, messages(result)
    assert result.experience is not None


def test_experience_keeps_igops_fields_apart_from_the_api_body() -> None:
    result = check(experience("content/url", status="ended", winner="Variant", id=A_UUID, description="d"))
    desired = result.experience
    assert desired is not None
    assert (desired.key, desired.status, desired.winner) == ("example", "ended", "Variant")
    assert desired.id == A_UUID
    assert set(desired.body) == {"name", "type", "variations", "description"}
    assert desired.position_of(("variations", 1, "redirects", 0, "originUrl")).line > 1
    assert desired.position_of(("variations", 9, "missing")) == desired.position_of(("variations",))


def test_schema_errors_are_all_reported_together() -> None:
    document = experience(status="running", percentge=1)
    document["variations"][1]["percentage"] = "half"
    fields = {error.field for error in check(document).errors}
    assert fields == {"$.status", "$.percentge", "$.variations[1].percentage"}
