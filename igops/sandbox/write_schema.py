"""Experience writes as the emulator keeps them: the types, and what an omitted field becomes.

Which write bodies are valid is the description's to say (request_schemas.py, compiled by
operations.py). What it leaves unsaid is what the API keeps for an optional field a write leaves
out where the schema names no default: the read shape then shows null, or an empty list. A PUT
is a full replacement, so a replacement that leaves such a field out resets it the same way.
"""

from __future__ import annotations

from typing import Any

from .request_schemas import SCHEMAS

_WRITE = SCHEMAS["createExperience"]["body"]["properties"]["experience"]["properties"]
EXPERIENCE_TYPES: tuple[str, ...] = tuple(_WRITE["type"]["enum"])
# Pricing tests and checkout blocks appear in listings, but the API cannot create them.
CREATABLE_TYPES = frozenset(EXPERIENCE_TYPES) - {"pricing", "checkoutBlock"}
# Every match filter compares against a value except these two.
VALUELESS_FILTERS = frozenset({"isNull", "isNotNull"})

# Fields named as the request schemas nest them ("[]" for the items of a list).
_EXPERIENCE_OMITTED: dict[str, Any] = {
    "experience.description": None,
    "experience.currency": None,
    "experience.previewPath": None,
    "experience.audience.evaluationFrequency": None,
    "experience.audience.filters[].expression": None,
    "experience.audience.filters[].expression[].query.filter": None,
    "experience.audience.filters[].expressionType": None,
    "experience.audience.filters[].variationId": None,
    "experience.experienceKeyMetrics[].experienceCustomMetricId": None,
    "experience.experienceKeyMetrics[].standardEventId": None,
    "experience.experiencePageTargeting[].expression": None,
    "experience.experiencePageTargeting[].expression[].query.filter": None,
    "experience.variations[].priceChange": None,
    "experience.variations[].priceChangeUnit": None,
    "experience.variations[].priceRoundingAmount": None,
    "experience.variations[].priceRoundingType": None,
    "experience.variations[].onsiteEdits[].imageSearchUrl": None,
    "experience.variations[].onsiteEdits[].onsiteEditType": None,
    "experience.variations[].onsiteEdits[].source": None,
    "experience.variations[].onsiteEdits[].title": None,
    "experience.variations[].onsiteInjection": None,
    "experience.variations[].onsiteInjection.customCss": None,
    "experience.variations[].onsiteInjection.customJs": None,
    "experience.variations[].onsiteInjection.source": None,
    "experience.variations[].offer": None,
    "experience.variations[].offer.maximumDollarDiscount": None,
    "experience.variations[].offer.tiers": [],
    "experience.variations[].offer.tiers[].giftWithPurchaseHandle": None,
    "experience.variations[].offer.tiers[].giftWithPurchaseProductId": None,
    "experience.variations[].offer.tiers[].giftWithPurchaseVariantId": None,
    "experience.variations[].offer.tiers[].giftWithPurchaseVariantIds": [],
    "experience.variations[].redirects[].destinationUrl": None,
    "experience.variations[].redirects[].find": None,
    "experience.variations[].redirects[].templateType": None,
}
# By operation id: what the handlers of these operations may count on finding in a body.
OMITTED: dict[str, dict[str, Any]] = {
    "createExperience": _EXPERIENCE_OMITTED,
    "updateExperience": _EXPERIENCE_OMITTED,
    "performExperienceAction": {"variationId": None},
}
