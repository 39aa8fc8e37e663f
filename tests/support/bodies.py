"""Write-shape experience bodies, as igops or the dashboard would send them: one per creatable type, one
with every field, and helpers that compare a write with what a read gives back or turn a read into a write."""

from __future__ import annotations

import copy
import uuid
from typing import Any


def _control(**extra: Any) -> dict[str, Any]:
    return {"name": "Control", "percentage": 50, "isControl": True, "order": 0, **extra}


def _challenger(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "percentage": 50, "isControl": False, "order": 1, **extra}


def _experience(name: str, kind: str, variations: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "description": f"{name}: sandbox fixture",
        "experienceAnalysis": {"analyticsViewType": "test_orders_only"},
        "previewPath": "/",
        "variations": variations,
        "experienceKeyMetrics": [{"order": 0, "isPrimary": True, "standardEventId": "conversionRate"}],
        **extra,
    }


def onsite_edits(name: str = "Hero headline") -> dict[str, Any]:
    edit = {
        "find": "Shop the collection",
        "replace": "Free shipping on every order",
        "querySelectors": ["h1.hero__title"],
        "onsiteEditType": "text",
        "insertType": None,
    }
    return _experience(
        name,
        "content/onsiteEdits",
        [_control(), _challenger("Benefit headline", onsiteEdits=[edit])],
        experiencePageTargeting=[
            {"expression": [{"query": {"key": "path", "value": "/", "filter": "equals", "type": "url"}}]}
        ],
    )


def _redirect(origin: str, destination: str, **flags: Any) -> dict[str, Any]:
    return {
        "group": 0,
        "originUrl": origin,
        "destinationUrl": destination,
        "skip": False,
        "isThemeTest": flags.get("theme", False),
        "isTemplateTest": flags.get("template", False),
        "templateType": flags.get("template_type"),
        "templateSuffixes": flags.get("suffixes", []),
    }


def url_redirect(name: str = "New landing page") -> dict[str, Any]:
    return _experience(
        name,
        "content/url",
        [_control(), _challenger("Landing v2", redirects=[_redirect("/pages/sale", "/pages/sale-v2")])],
    )


def theme(name: str = "Dawn refresh") -> dict[str, Any]:
    redirect = _redirect("/", "/?preview_theme_id=1234567", theme=True)
    return _experience(
        name, "content/theme", [_control(), _challenger("Refreshed theme", redirects=[redirect])]
    )


def template(name: str = "Long product page") -> dict[str, Any]:
    redirect = _redirect(
        "/products/tee", "/products/tee", template=True, template_type="product", suffixes=["long"]
    )
    return _experience(
        name, "content/template", [_control(), _challenger("Long template", redirects=[redirect])]
    )


def advanced(name: str = "Sticky add to cart") -> dict[str, Any]:
    injection = {
        "customCss": ".atc { position: sticky; bottom: 0 }",
        "customJs": "document.body.classList.add('sticky-atc')",
        "jsInjectionMode": {"type": "onWindowLoad"},
    }
    return _experience(
        name, "content/advanced", [_control(), _challenger("Sticky", onsiteInjection=injection)]
    )


def personalization(name: str = "Mobile visitors") -> dict[str, Any]:
    edit = {"find": "Welcome", "replace": "Welcome back", "insertType": None, "onsiteEditType": "text"}
    audience = {
        "enabled": True,
        "audienceType": "custom",
        "elseAction": "experienceExclude",
        "filters": [
            {
                "priority": 0,
                "action": "experienceInclude",
                "filterType": "device",
                "expression": [
                    {"query": {"key": "device", "value": "mobile", "filter": "equals", "type": "device"}}
                ],
            }
        ],
        "excludeCurrency": {"exclude": False, "currency": None},
    }
    variations = [
        {**_control(), "percentage": 10},
        {**_challenger("Personalized", onsiteEdits=[edit]), "percentage": 90},
    ]
    return _experience(name, "personalization", variations, audience=audience)


def offer(name: str = "Spend more, save more") -> dict[str, Any]:
    deal = {
        "name": "Tiered discount",
        "enabled": True,
        "unitType": "dollar",
        "discountType": "percentage",
        "tiers": [
            {"minimumUnits": 50, "maximumUnits": 99, "unitDiscount": 10, "discountTitle": "10% off"},
            {"minimumUnits": 100, "maximumUnits": 1000, "unitDiscount": 15, "discountTitle": "15% off"},
        ],
        "discountApplicationType": "tieredDiscount",
        "discountApplicationMethod": "perOrder",
        "combinesWithIntelligems": False,
        "combinesWithShopify": True,
        "shouldRejectCodes": False,
        "shippingDiscount": None,
    }
    audience = {"enabled": False, "elseAction": None}
    return _experience(
        name, "personalization/offer", [_control(), _challenger("Tiered", offer=deal)], audience=audience
    )


def cart_rule(key: str, filter: str, value: Any) -> dict[str, Any]:
    """A cart-targeting rule of one condition, with the id the client mints."""
    query = {"key": key, "type": key, "filter": filter, "value": value}
    return {"id": str(uuid.uuid4()), "expression": [{"query": query}]}


def variant_picks(inclusion: str = "include") -> dict[str, list[dict[str, str]]]:
    """A cart or targeting value that picks product variants, grouped by product."""
    return {
        "gid://shopify/Product/1": [
            {"variantId": "gid://shopify/ProductVariant/11", "inclusionType": inclusion}
        ]
    }


def upsell(variation_id: str, *rules: dict[str, Any], **config: Any) -> dict[str, Any]:
    """An onsite-upsell component: the required config, `config` on top, and a minted id.

    `variation_id` names the parent variation; on create, where it has no id yet, any uuid.
    """
    return {
        "id": str(uuid.uuid4()),
        "variationId": variation_id,
        "config": {
            "type": "onsiteUpsell",
            "placement": {
                "selector": "form[action='/cart/add']",
                "insertType": "afterend",
                "location": "pdp",
            },
            "template": "<ul>{{#each products}}<li>{{product.title}}</li>{{/each}}</ul>",
            "maxProductLimit": 3,
            "rules": list(rules),
            **config,
        },
    }


def upsell_rule(rule_id: str, targeting: dict[str, Any], *action: dict[str, Any]) -> dict[str, Any]:
    """Show Shopify's recommendations (or `action`) when `targeting` matches."""
    recommended = {"query": {"key": "shopifyRecommendations", "type": "shopifyRecommendations"}}
    return {"id": rule_id, "priority": 0, "action": list(action) or [recommended], "targeting": targeting}


def upsold_product() -> dict[str, Any]:
    """An upsell action's product, every optional field set."""
    return {
        "order": 0,
        "productId": "gid://shopify/Product/2",
        "productTitle": "Socks",
        "handle": "socks",
        "productImage": None,
        "description": "Warm",
        "options": [{"name": "Size", "values": ["M", "L"]}],
        "variants": [
            {
                "variantId": "gid://shopify/ProductVariant/21",
                "variantTitle": "M",
                "variantImage": None,
                "price": 9.5,
                "compareAtPrice": 12,
                "currencyCode": "USD",
                "availableForSale": True,
                "sig": None,
                "inclusionType": "include",
                "variantOptions": [{"name": "Size", "value": "M"}],
            }
        ],
    }


def shipping_discount(rate_filter: dict[str, Any] | None) -> dict[str, Any]:
    """An offer's shipping discount, with the id the client mints."""
    return {
        "id": str(uuid.uuid4()),
        "discountType": "dollar",
        "unitDiscount": 5,
        "rateFilter": rate_filter,
        "countryFilter": {"allow": ["US"], "exclude": []},
        "discountLabel": "Cheaper shipping",
    }


CREATABLE = {
    "content/onsiteEdits": onsite_edits,
    "content/url": url_redirect,
    "content/theme": theme,
    "content/template": template,
    "content/advanced": advanced,
    "personalization": personalization,
    "personalization/offer": offer,
}


def every_field(name: str = "Every field") -> dict[str, Any]:
    """A create body that sets every field the create schema defines, nulls included.

    Where a field takes one of several shapes, the control and the challenger take different
    ones, so every shape is written at least once.
    """
    body = personalization(name)
    body["currency"] = {
        "code": "EUR",
        "symbol": "€",
        "country": "DE",
        "suffix": " EUR",
        "options": {"a": [1]},
    }
    body["productVariantAction"] = {"type": "price", "location": {"bucket": "prices", "key": "variants.json"}}
    body["experiencePageTargeting"] = [
        {"expression": None},
        {
            "expression": [
                {"query": {"key": "utm_source", "value": "mail", "filter": "startsWith", "type": "utm"}},
                {"operator": "or"},
                {"query": {"key": "path", "value": "", "filter": "isNotNull", "type": "landingPage"}},
            ]
        },
    ]
    body["experienceKeyMetrics"].append(
        {
            "order": 1,
            "isPrimary": False,
            "standardEventId": None,
            "experienceCustomMetricId": str(uuid.uuid4()),
        }
    )
    body["audience"].update(
        elseExcludeFromAnalytics=True,
        evaluationFrequency=3,
        elseVariationIndex="0",
        excludeCurrency={
            "exclude": True,
            "currency": "EUR",
            "country": "DE",
            "region": "BE",
            "city": "Berlin",
        },
    )
    # A create cannot name a variation (none has an id yet): null is the only value it may send.
    body["audience"]["filters"][0].update(
        expressionType="custom", excludeFromAnalytics=True, variationId=None
    )
    body["audience"]["filters"][0]["expression"] += [
        {"operator": "and"},
        {"query": {"key": "country", "value": "DE", "filter": "equals", "type": "country"}},
    ]
    control, challenger = body["variations"]
    in_stock = {"query": {"key": "inventory", "type": "inventory", "filter": "greaterThan", "value": 0}}
    tagged = {"query": {"key": "tag", "type": "tag", "filter": "includes", "value": "gift"}}
    vip_or_bulk = cart_rule("tag", "includes", "vip")
    bulk = {"key": "cartItemCount", "type": "cartItemCount", "filter": "between", "value": "3-9"}
    vip_or_bulk["expression"] += [{"operator": "or"}, {"query": bulk}]
    control.update(
        cartTargeting=[vip_or_bulk],
        components=[
            upsell(
                str(uuid.uuid4()),
                upsell_rule(
                    "by-product", {"type": "product", "expression": [in_stock, {"operator": "and"}, tagged]}
                ),
            )
        ],
        offer={
            **offer()["variations"][1]["offer"],
            "discountApplicationType": "freeShipping",
            "shippingDiscount": shipping_discount({"type": "amount", "amount": 50}),
        },
    )
    picked = {
        "query": {"key": "productId", "type": "productId", "filter": "includes", "value": variant_picks()}
    }
    socks = {
        "query": {"key": "productId", "type": "productId", "filter": "includes", "value": [upsold_product()]}
    }
    challenger.update(
        priceChange="10",
        priceChangeUnit="percent",
        priceRoundingType="nearest",
        priceRoundingAmount="0.99",
        excludeProducts=True,
        includeProducts=False,
        cartTargeting=[
            cart_rule("productId", "includes", variant_picks("exclude")),
            cart_rule("cartSubtotal", "greaterThan", 25),
        ],
        components=[
            upsell(
                str(uuid.uuid4()),
                upsell_rule("by-cart", {"type": "cart", "expression": [picked]}, socks, {"operator": "or"}),
                excludeOutOfStock=False,
                excludeItemsInCart=False,
                discount={
                    "discountType": "percentage",
                    "discountValue": 10,
                    "compareAtPriceDisplay": "regularPrice",
                },
            )
        ],
        onsiteInjection={
            "customCss": None,
            "customJs": "void 0",
            "jsInjectionMode": {"type": "timeout", "timeout": 500},
            "source": "ai",
        },
        redirects=[
            {
                "group": 1,
                "originUrl": "/a",
                "destinationUrl": None,
                "queryParams": [{"key": "ref", "value": "ig"}],
                "skip": True,
                "isThemeTest": False,
                "isTemplateTest": False,
                "templateType": None,
                "templateSuffixes": None,
                "redirectOnce": True,
                "filter": "matchesRegex",
                "find": "^/a$",
                "redirectType": "partialReplacement",
            }
        ],
        offer={
            **offer()["variations"][1]["offer"],
            "isTest": True,
            "isArchived": False,
            "maximumDollarDiscount": 25,
            "requireSameItem": True,
            "subscriptionApplicationType": "oneTimeAndFirstSub",
            "discountApplicationType": "freeShipping",
            "shippingDiscount": shipping_discount(
                {"type": "name", "rules": [{"id": "r1", "operator": "contains", "name": "Std"}]}
            ),
        },
    )
    challenger["offer"]["tiers"][0].update(
        isFreeShipping=True,
        isGiftWithPurchase=True,
        giftWithPurchaseTitle="Free tote",
        giftWithPurchaseProductId="gid://shopify/Product/3",
        giftWithPurchaseVariantId="gid://shopify/ProductVariant/31",
        giftWithPurchaseVariantIds=["gid://shopify/ProductVariant/31"],
        autoAddGiftWithPurchase=True,
        giftWithPurchaseHandle="tote",
    )
    challenger["onsiteEdits"][0].update(
        querySelectors=["main h1", "main h2"],
        title="Greeting",
        isRegex=True,
        skip=False,
        remove=False,
        groupId="g1",
        insertType="afterbegin",
        imageSearchUrl=None,
        source="ai",
        onsiteEditType="html",
    )
    return body


def every_field_revised(read: dict[str, Any]) -> dict[str, Any]:
    """A replacement for an `every_field` experience that changes what the API keeps as given.

    Cart rules and components are kept by id (and changed), dropped, and added with fresh ids;
    filters and the else-branch name variations, which they may now that variations have ids.
    """
    body = as_write(read)
    control, challenger = body["variations"]
    kept_rule = challenger["cartTargeting"][0]
    kept_rule["expression"][0]["query"]["value"] = variant_picks("include")
    challenger["cartTargeting"] = [kept_rule, cart_rule("cartItemCount", "greaterThanOrEqual", 2)]
    challenger["components"][0]["config"]["template"] = "<ol></ol>"
    priced = {"query": {"key": "price", "type": "price", "filter": "greaterThan", "value": 10}}
    summer = {"query": {"key": "collection", "type": "collection", "filter": "includes", "value": "summer"}}
    targeting = {"type": "product", "expression": [priced, {"operator": "and"}, summer]}
    challenger["components"].append(upsell(challenger["id"], upsell_rule("summer", targeting)))
    control["components"] = []
    challenger.update(
        priceChange="-5",
        priceChangeUnit="dollar",
        priceRoundingType="down",
        priceRoundingAmount="0.95",
        excludeProducts=False,
        includeProducts=True,
    )
    discount = challenger["offer"]["shippingDiscount"]
    discount["discountLabel"] = "Free shipping"
    discount["rateFilter"]["rules"].append({"id": "r2", "operator": "is", "name": "Express"})
    body["productVariantAction"] = {"type": "offer", "location": {"bucket": "offers", "key": "v2.json"}}
    audience = body["audience"]
    audience.update(
        elseVariationIndex="1",
        excludeCurrency={
            "exclude": True,
            "currency": "USD",
            "country": "US",
            "region": "CA",
            "city": "Oakland",
        },
    )
    audience["filters"][0].update(action="assignVariation", variationId=control["id"])
    return body


def unread_fields(written: dict[str, Any], read: dict[str, Any]) -> list[str]:
    """Where a GET answer does not hold what the write body set, in the read shape.

    Read names differ for two fields (`onsiteInjection`, `elseVariationIndex`), components
    name their variation by its id, and `productVariantAction` is never read back at all.
    """
    expected = copy.deepcopy(written)
    problems = ["productVariantAction: read back"] if "productVariantAction" in read else []
    expected.pop("productVariantAction", None)
    variation_ids = [variation["id"] for variation in read["variations"]]
    for variation, variation_id in zip(expected["variations"], variation_ids, strict=False):
        if "onsiteInjection" in variation:
            variation["onsiteInjections"] = variation.pop("onsiteInjection")
        for component in variation.get("components", []):
            component["variationId"] = variation_id
    audience = expected.get("audience")
    if audience and "elseVariationIndex" in audience:
        audience["elseVariationId"] = variation_ids[int(audience.pop("elseVariationIndex"))]
    return problems + _unread(expected, read, "")


def _unread(expected: Any, actual: Any, path: str) -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [
            problem
            for key, value in expected.items()
            for problem in (
                _unread(value, actual[key], f"{path}.{key}") if key in actual else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            problem
            for index, (item, read) in enumerate(zip(expected, actual, strict=True))
            for problem in _unread(item, read, f"{path}.{index}")
        ]
    return [] if expected == actual else [f"{path}: wrote {expected!r}, read {actual!r}"]


def as_write(read: dict[str, Any]) -> dict[str, Any]:
    """A PUT body from a GET answer, the way a client turns the read shape back into a write."""
    read = copy.deepcopy(read)
    variations = read["variations"]

    def variation(v: dict[str, Any]) -> dict[str, Any]:
        return {
            **{
                key: v[key]
                for key in (
                    "id",
                    "name",
                    "percentage",
                    "isControl",
                    "order",
                    "priceChange",
                    "priceChangeUnit",
                    "priceRoundingType",
                    "priceRoundingAmount",
                    "excludeProducts",
                    "includeProducts",
                    "redirects",
                    "offer",
                    "cartTargeting",
                    "components",
                )
            },
            "onsiteEdits": [
                {
                    k: value
                    for k, value in edit.items()
                    if k not in ("isHtml", "isImage", "createdAtTs", "createdAtUrl")
                }
                for edit in v["onsiteEdits"]
            ],
            "onsiteInjection": v["onsiteInjections"],
        }

    body = {
        key: read[key]
        for key in ("id", "name", "description", "type", "experienceAnalysis", "previewPath", "currency")
    }
    body["variations"] = [variation(v) for v in variations]
    body["experiencePageTargeting"] = [
        {"id": t["id"], "expression": t["expression"]} for t in read["experiencePageTargeting"]
    ]
    body["experienceKeyMetrics"] = [
        {
            key: metric[key]
            for key in ("id", "order", "isPrimary", "standardEventId", "experienceCustomMetricId")
        }
        for metric in read["experienceKeyMetrics"]
    ]
    audience = read["audience"]
    if audience is not None:
        else_id = audience.pop("elseVariationId")
        for key in ("experienceId", "wholesale"):
            audience.pop(key)
        if else_id is not None:
            audience["elseVariationIndex"] = str([v["id"] for v in variations].index(else_id))
        body["audience"] = audience
    return body


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
