"""The write shapes the API accepts: experience create/replace bodies and action/export bodies.

Derived from the v25-10-beta request schemas (field names, types, enums, defaults,
required-ness). A replacement (PUT) is the create shape plus the ids the API requires on
the experience and on every nested entity it preserves. Some nested entities carry ids the
client mints on create as well (cart-targeting rules, components, the shipping discount).
Only keys the API does not define are dropped; every defined field is checked.
"""

from __future__ import annotations

from .shapes import Arr, Bool, Const, Either, Freeform, Keyed, Num, Obj, Prop, Str, Tagged, opt, req, uuid

EXPERIENCE_TYPES = (
    "content/advanced",
    "content/onsiteEdits",
    "content/url",
    "content/theme",
    "content/template",
    "personalization",
    "personalization/offer",
    "pricing",
    "checkoutBlock",
)
CREATABLE_TYPES = frozenset(EXPERIENCE_TYPES) - {"pricing", "checkoutBlock"}
ACTIONS = ("start", "pause", "end")

TARGET_TYPES = (
    "utm",
    "url",
    "urlPath",
    "device",
    "visitor",
    "jsExpression",
    "trafficSource",
    "country",
    "referrer",
    "cookie",
    "klaviyo",
    "landingPage",
)
MATCH_FILTERS = (
    "equals",
    "contains",
    "startsWith",
    "endsWith",
    "doesNotEqual",
    "doesNotContain",
    "doesNotStartWith",
    "doesNotEndWith",
    "isNull",
    "isNotNull",
    "regex",
)
# Every match filter compares against a value except these two.
VALUELESS_FILTERS = frozenset({"isNull", "isNotNull"})
OPERATORS = ("and", "or", "start_paren", "end_paren")
AUDIENCE_ACTIONS = (
    "experienceInclude",
    "experienceExclude",
    "experienceUnassigned",
    "assignVariation",
    "randomVariation",
    "leaveUnassigned",
)
INSERT_TYPES = ("beforebegin", "afterbegin", "beforeend", "afterend")
STANDARD_EVENTS = (
    "conversionRate",
    "addToCartRate",
    "abandonedCartRate",
    "abandonedCheckoutRate",
    "checkoutBeginRate",
    "checkoutEnterContactInfoRate",
    "checkoutAddressSubmittedRate",
    "viewProductPageRate",
    "viewCollectionPageRate",
    "netRevenuePerVisitor",
    "netProductRevenuePerOrder",
    "netRevenuePerOrder",
    "avgUnitsPerOrder",
    "avgProductRevenuePerUnit",
    "profitPerVisitor",
    "profitPerOrder",
    "pctOrdersFreeShipping",
    "netShippingRevenuePerOrder",
    "subscriptionOrdersPerVisitor",
    "subscriptionRevenuePerVisitor",
    "subscriptionProfitPerVisitor",
    "subscriptionProductRevenuePerOrder",
    "avgDiscountPerDiscountedOrder",
    "avgDiscountPerAllOrders",
    "pctSubscriptionOrders",
    "subscriptionRevenuePerOrder",
    "pctOrdersWithPostPurchaseOffer",
    "netRevenueFromPostPurchaseOffer",
    "pctOrdersWithUpsell",
    "netRevenueFromUpsell",
)
EXPORT_TYPES = ("orders", "order_line_items", "order_reconciliation")
CART_KEYS = ("anything", "productId", "collection", "tag", "cartSubtotal", "cartItemCount", "subscription")
CART_FILTERS = (
    "includes",
    "doesNotInclude",
    "greaterThan",
    "lessThan",
    "equalTo",
    "greaterThanOrEqual",
    "lessThanOrEqual",
    "between",
)
PRODUCT_KEYS = ("productId", "collection", "tag", "price", "inventory")
PRODUCT_FILTERS = ("includes", "doesNotInclude", "greaterThan", "lessThan")
UPSELL_SOURCES = ("shopifyRecommendations", "productId", "collection", "tag")
INCLUSION_TYPES = ("include", "exclude")
PRODUCT_VARIANT_ACTIONS = ("analytics", "price", "offer")


def _nullable_str() -> Prop:
    return opt(Str(nullable=True), None)


def _flag() -> Prop:
    return opt(Bool(), False)


def _expression(query: Obj, *, nullable: bool = False) -> Arr:
    """A boolean expression: a list of nodes, each a condition (`query`) or an `operator`."""
    return Arr(Obj({"query": opt(query), "operator": opt(Str(enum=OPERATORS))}), nullable=nullable)


EXPRESSION = _expression(
    Obj(
        {
            "key": req(Str()),
            "value": req(Str()),
            "filter": opt(Str(enum=MATCH_FILTERS, nullable=True), None),
            "type": opt(Str(enum=TARGET_TYPES), "utm"),
        }
    ),
    nullable=True,
)

# Cart conditions compare a number or text, or pick product variants: variant lists by key.
CART_EXPRESSION = _expression(
    Obj(
        {
            "key": req(Str(enum=CART_KEYS)),
            "type": req(Str(enum=CART_KEYS)),
            "filter": req(Str(enum=CART_FILTERS)),
            "value": opt(
                Either(
                    Str(),
                    Num(),
                    Keyed(
                        Arr(
                            Obj(
                                {
                                    "variantId": req(Str()),
                                    "inclusionType": req(Str(enum=INCLUSION_TYPES)),
                                }
                            )
                        )
                    ),
                )
            ),
        }
    )
)

CART_RULE = Obj({"id": req(uuid()), "expression": req(CART_EXPRESSION)})

ONSITE_EDIT = Obj(
    {
        "onsiteEditType": opt(Str(enum=("html", "text", "image", "hide"), nullable=True), None),
        "find": req(Str(nullable=True)),
        "title": _nullable_str(),
        "isRegex": _flag(),
        "replace": opt(Str(), ""),
        "querySelectors": opt(Arr(Str()), [""]),
        "skip": _flag(),
        "remove": _flag(),
        "groupId": opt(Str()),
        "insertType": req(Str(enum=INSERT_TYPES, nullable=True)),
        "imageSearchUrl": _nullable_str(),
        "source": opt(Str(enum=("ai",), nullable=True), None),
    }
)

ONSITE_INJECTION = Obj(
    {
        "customCss": _nullable_str(),
        "customJs": _nullable_str(),
        "jsInjectionMode": req(
            Obj(
                {
                    "type": opt(Str(enum=("immediately", "onWindowLoad", "timeout")), "immediately"),
                    "timeout": opt(Either(Num(), Str())),
                }
            )
        ),
        "source": opt(Str(enum=("ai",), nullable=True), None),
    },
    nullable=True,
)

TIER = Obj(
    {
        "minimumUnits": opt(Num(minimum=0), 1),
        "maximumUnits": opt(Num(minimum=0), 1),
        "unitDiscount": opt(Num(minimum=0), 1),
        "discountTitle": _nullable_str(),
        "giftWithPurchaseTitle": _nullable_str(),
        "isFreeShipping": _flag(),
        "isGiftWithPurchase": _flag(),
        "giftWithPurchaseProductId": _nullable_str(),
        "giftWithPurchaseVariantId": _nullable_str(),
        "giftWithPurchaseVariantIds": opt(Arr(Str()), []),
        "autoAddGiftWithPurchase": _flag(),
        "giftWithPurchaseHandle": _nullable_str(),
    }
)

RATE_FILTER = Tagged(
    "type",
    Obj({"type": req(Const("amount")), "amount": opt(Num())}),
    Obj(
        {
            "type": req(Const("name")),
            "rules": req(
                Arr(
                    Obj(
                        {
                            "id": req(Str()),
                            "operator": req(
                                Str(
                                    enum=(
                                        "is",
                                        "contains",
                                        "isNot",
                                        "doesNotContain",
                                        "startsWith",
                                        "doesNotStartWith",
                                    )
                                )
                            ),
                            "name": req(Str()),
                        }
                    )
                )
            ),
        }
    ),
    nullable=True,
)

SHIPPING_DISCOUNT = Obj(
    {
        "id": req(uuid()),
        "discountType": req(Str(enum=("percentage", "dollar"))),
        "unitDiscount": req(Num()),
        "rateFilter": req(RATE_FILTER),
        "countryFilter": req(Obj({"allow": opt(Arr(Str())), "exclude": opt(Arr(Str()))}, nullable=True)),
        "discountLabel": req(Str(nullable=True)),
    },
    nullable=True,
)

OFFER = Obj(
    {
        "enabled": _flag(),
        "isTest": _flag(),
        "isArchived": _flag(),
        "name": req(Str()),
        "unitType": opt(Str(enum=("unit", "dollar")), "dollar"),
        "discountType": opt(Str(enum=("percentage", "dollar")), "dollar"),
        "tiers": opt(Arr(TIER), []),
        "maximumDollarDiscount": opt(Num(nullable=True), None),
        "discountApplicationType": req(
            Str(
                enum=(
                    "tieredDiscount",
                    "cartDiscount",
                    "freeGift",
                    "freeShipping",
                    "",
                )
            )
        ),
        "discountApplicationMethod": req(Str(enum=("perItem", "perOrder"))),
        "combinesWithIntelligems": req(Bool()),
        "combinesWithShopify": req(Bool()),
        "shouldRejectCodes": req(Bool()),
        "shippingDiscount": req(SHIPPING_DISCOUNT),
        "requireSameItem": _flag(),
        "subscriptionApplicationType": opt(
            Str(enum=("oneTime", "firstSub", "oneTimeAndFirstSub")), "oneTime"
        ),
    },
    nullable=True,
)

REDIRECT = Obj(
    {
        "group": req(Num()),
        "originUrl": req(Str()),
        "destinationUrl": _nullable_str(),
        "queryParams": opt(Arr(Obj({"key": req(Str()), "value": req(Str())})), []),
        "skip": req(Bool()),
        "isThemeTest": req(Bool()),
        "isTemplateTest": req(Bool()),
        "templateType": opt(
            Str(
                enum=(
                    "404",
                    "",
                    "article",
                    "blog",
                    "cart",
                    "collection",
                    "index",
                    "list-collections",
                    "page",
                    "password",
                    "product",
                    "search",
                ),
                nullable=True,
            ),
            None,
        ),
        "templateSuffixes": opt(Arr(Str(), nullable=True), []),
        "redirectOnce": _flag(),
        "filter": opt(
            Str(enum=("matchesExactly", "contains", "endsWith", "matchesRegex", "none")),
            "matchesExactly",
        ),
        "find": _nullable_str(),
        "redirectType": opt(Str(enum=("fullReplacement", "partialReplacement")), "fullReplacement"),
    }
)

AUDIENCE_FILTER = Obj(
    {
        "priority": req(Num(integer=True)),
        "action": req(Str(enum=AUDIENCE_ACTIONS, nullable=True)),
        "filterType": req(Str(enum=TARGET_TYPES)),
        "expression": opt(EXPRESSION, None),
        "expressionType": opt(Str(enum=("common", "custom"), nullable=True), None),
        "variationId": opt(uuid(nullable=True), None),
        "excludeFromAnalytics": _flag(),
    }
)

AUDIENCE = Obj(
    {
        "enabled": req(Bool()),
        "audienceType": opt(Str(enum=("common", "custom", "advanced"))),
        "elseAction": req(Str(enum=AUDIENCE_ACTIONS, nullable=True)),
        "elseExcludeFromAnalytics": _flag(),
        "filters": opt(Arr(AUDIENCE_FILTER), []),
        "evaluationFrequency": opt(Num(nullable=True), None),
        "elseVariationIndex": opt(Str()),
        "excludeCurrency": opt(
            Obj(
                {
                    "exclude": req(Bool()),
                    "currency": req(Str(nullable=True)),
                    "country": opt(Str()),
                    "region": opt(Str()),
                    "city": opt(Str()),
                }
            )
        ),
    }
)

UPSELL_PRODUCT = Obj(
    {
        "order": req(Num()),
        "productId": req(Str()),
        "productTitle": req(Str()),
        "handle": opt(Str(nullable=True)),
        "productImage": opt(Str(nullable=True)),
        "description": opt(Str(nullable=True)),
        "options": opt(Arr(Obj({"name": req(Str()), "values": req(Arr(Str()))}))),
        "variants": req(
            Arr(
                Obj(
                    {
                        "variantId": req(Str()),
                        "variantTitle": req(Str()),
                        "variantImage": opt(Str(nullable=True)),
                        "price": req(Num()),
                        "compareAtPrice": opt(Num(nullable=True)),
                        "currencyCode": opt(Str()),
                        "availableForSale": opt(Bool()),
                        "sig": opt(Str(nullable=True)),
                        "inclusionType": req(Str(enum=INCLUSION_TYPES)),
                        "variantOptions": opt(Arr(Obj({"name": req(Str()), "value": req(Str())}))),
                    }
                )
            )
        ),
    }
)

UPSELL_ACTION = _expression(
    Obj(
        {
            "key": req(Str(enum=UPSELL_SOURCES)),
            "type": req(Str(enum=UPSELL_SOURCES)),
            "filter": opt(Str(enum=("includes", "doesNotInclude"))),
            "value": opt(Either(Str(), Num(), Arr(UPSELL_PRODUCT))),
        }
    )
)

PRODUCT_EXPRESSION = _expression(
    Obj(
        {
            "key": req(Str(enum=PRODUCT_KEYS)),
            "value": req(Either(Str(), Num())),
            "filter": req(Str(enum=PRODUCT_FILTERS)),
            "type": req(Str(enum=PRODUCT_KEYS)),
        }
    )
)

UPSELL_RULE = Obj(
    {
        "id": req(Str()),
        "priority": req(Num(integer=True)),
        "action": req(UPSELL_ACTION),
        "targeting": req(
            Tagged(
                "type",
                Obj({"type": req(Const("cart")), "expression": req(CART_EXPRESSION)}),
                Obj({"type": req(Const("product")), "expression": req(PRODUCT_EXPRESSION)}),
            )
        ),
    }
)

ONSITE_UPSELL = Obj(
    {
        "type": req(Const("onsiteUpsell")),
        "placement": req(
            Obj(
                {
                    "selector": req(Str()),
                    "insertType": req(Str(enum=INSERT_TYPES)),
                    "location": req(Str(enum=("pdp", "cart"))),
                }
            )
        ),
        "template": req(Str()),
        "maxProductLimit": req(Num(integer=True)),
        "excludeOutOfStock": opt(Bool(), True),
        "excludeItemsInCart": opt(Bool(), True),
        "discount": opt(
            Obj(
                {
                    "discountType": opt(Str(enum=("none", "percentage", "fixed")), "none"),
                    "discountValue": opt(Num(nullable=True)),
                    "compareAtPriceDisplay": opt(
                        Str(enum=("none", "compareAtPrice", "regularPrice")), "none"
                    ),
                }
            )
        ),
        "rules": req(Arr(UPSELL_RULE)),
    }
)

# Required on create too, when the variation has no id yet: see build.py for what is stored.
COMPONENT = Obj({"id": req(uuid()), "variationId": req(uuid()), "config": req(Tagged("type", ONSITE_UPSELL))})

# Written, never returned: the API keeps no trace of it in any read shape.
PRODUCT_VARIANT_ACTION = Tagged(
    "type",
    *(
        Obj(
            {
                "type": req(Const(kind)),
                "location": req(Obj({"bucket": req(Str()), "key": req(Str())})),
            }
        )
        for kind in PRODUCT_VARIANT_ACTIONS
    ),
)

PAGE_TARGET = Obj({"expression": opt(EXPRESSION, None)})

KEY_METRIC = Obj(
    {
        "order": req(Num(integer=True, minimum=0)),
        "isPrimary": _flag(),
        "standardEventId": opt(Str(enum=STANDARD_EVENTS, nullable=True), None),
        "experienceCustomMetricId": opt(uuid(nullable=True), None),
    }
)

CURRENCY = Obj(
    {
        "code": opt(Str(), "USD"),
        "country": opt(Str()),
        "options": opt(Freeform(nullable=True)),
        "symbol": opt(Str(), "$"),
        "suffix": opt(Str()),
    },
    nullable=True,
)


def _variation(onsite_edit: Obj, injection: Obj, offer: Obj, redirect: Obj, extra: dict[str, Prop]) -> Obj:
    return Obj(
        {
            "name": req(Str(min_length=1, max_length=255)),
            "percentage": req(Num(minimum=0, maximum=100)),
            "isControl": _flag(),
            "order": req(Num(integer=True, minimum=0)),
            "priceChange": _nullable_str(),
            "priceChangeUnit": opt(Str(enum=("percent", "dollar"), nullable=True), None),
            "priceRoundingType": opt(Str(enum=("none", "nearest", "up", "down"), nullable=True), None),
            "priceRoundingAmount": _nullable_str(),
            "excludeProducts": _flag(),
            "includeProducts": _flag(),
            "onsiteEdits": opt(Arr(onsite_edit), []),
            "onsiteInjection": opt(injection, None),
            "offer": opt(offer, None),
            "redirects": opt(Arr(redirect), []),
            "cartTargeting": opt(Arr(CART_RULE), []),
            "components": opt(Arr(COMPONENT), []),
            **extra,
        }
    )


def _experience(
    variation: Obj, audience: Obj, page_target: Obj, key_metric: Obj, extra: dict[str, Prop]
) -> Obj:
    return Obj(
        {
            "experience": req(
                Obj(
                    {
                        "name": req(Str(min_length=1)),
                        "description": _nullable_str(),
                        "currency": opt(CURRENCY, None),
                        "previewPath": _nullable_str(),
                        "type": req(Str(enum=EXPERIENCE_TYPES)),
                        "experienceAnalysis": req(
                            Obj(
                                {
                                    "analyticsViewType": opt(
                                        Str(enum=("test_orders_only", "sitewide_orders", "none")), "none"
                                    ),
                                }
                            )
                        ),
                        "variations": req(Arr(variation, min_items=1)),
                        "audience": opt(audience),
                        "experiencePageTargeting": opt(Arr(page_target), []),
                        "experienceKeyMetrics": opt(Arr(key_metric), []),
                        "productVariantAction": opt(PRODUCT_VARIANT_ACTION),
                        **extra,
                    }
                )
            ),
        }
    )


def _owned(shape: Obj) -> Obj:
    """A variation child on PUT: it names itself and its parent variation."""
    return shape.extended({"id": req(uuid()), "variationId": req(uuid())})


CREATE_BODY = _experience(
    _variation(ONSITE_EDIT, ONSITE_INJECTION, OFFER, REDIRECT, {}),
    AUDIENCE,
    PAGE_TARGET,
    KEY_METRIC,
    {},
)

REPLACE_BODY = _experience(
    _variation(
        _owned(ONSITE_EDIT),
        _owned(ONSITE_INJECTION),
        _owned(OFFER.extended({"tiers": opt(Arr(TIER.extended({"id": opt(uuid())})), [])})),
        _owned(REDIRECT),
        {"id": req(uuid())},
    ),
    AUDIENCE.extended(
        {
            "id": opt(uuid()),
            "filters": opt(Arr(AUDIENCE_FILTER.extended({"id": opt(uuid())})), []),
        }
    ),
    PAGE_TARGET.extended({"id": req(uuid())}),
    KEY_METRIC.extended({"id": req(uuid())}),
    {"id": req(uuid())},
)

ACTION_BODY = Obj(
    {
        "variationId": opt(uuid(nullable=True), None),
        "updatePricesToVariation": opt(Bool()),
    }
)

EXPORT_BODY = Obj(
    {
        "exportType": req(Str(enum=EXPORT_TYPES)),
        "startTs": opt(Str()),
        "endTs": opt(Str()),
        "filters": opt(Freeform()),
    }
)
