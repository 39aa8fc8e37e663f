"""From a validated write body to the stored read shape, with server ids and timestamps.

The read shape differs from the write shape: nested entities gain `id` and their parent's
id, the variation's `onsiteInjection` becomes `onsiteInjections`, and many read-only
fields appear (test-type flags, category, lifecycle timestamps, empty integration lists).
The experience's `productVariantAction` is write-only: it is never part of the read shape.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from .taxonomy import category_of, test_types

# Page-targeting read items name one filter type, from a narrower list than expressions use.
_PAGE_FILTER_TYPES = frozenset(
    {
        "utm",
        "url",
        "device",
        "visitor",
        "jsExpression",
        "trafficSource",
        "country",
        "referrer",
        "cookie",
    }
)


def new_id() -> str:
    return str(uuid.uuid4())


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def stamp_after(previous_ms: int) -> int:
    """Now, but strictly later than `previous_ms`, so update stamps always move."""
    return max(now_ms(), previous_ms + 1)


def build_experience(
    doc: dict[str, Any],
    *,
    organization_id: str,
    previous: dict[str, Any] | None,
    stamp: int,
) -> dict[str, Any]:
    """The read shape for `doc`; `previous` is the stored experience a replacement keeps."""
    experience_id = previous["id"] if previous else new_id()
    created = _created_stamps(previous) if previous else {}
    variations = [_variation(v, experience_id, stamp, created) for v in doc["variations"]]
    audience = doc.get("audience")
    lifecycle = previous or {
        "status": "pending",
        "isPreview": True,
        "experienceActions": [],
        "createdAtTs": stamp,
        "startedAtTs": None,
        "pausedAtTs": None,
        "endedAtTs": None,
    }
    return {
        "id": experience_id,
        "name": doc["name"],
        "isPreview": lifecycle["isPreview"],
        "description": doc["description"],
        "devicePreview": None,
        "organizationId": organization_id,
        "type": doc["type"],
        "category": category_of(doc["type"]),
        "status": lifecycle["status"],
        "testTypes": test_types(doc["type"], variations),
        "experiencePageTargeting": [
            _page_target(target, experience_id, index)
            for index, target in enumerate(doc["experiencePageTargeting"])
        ],
        "experienceProductTargeting": [],
        "experienceActions": lifecycle["experienceActions"],
        "experienceIntegrations": [],
        "experienceCustomMetrics": [],
        "experienceKeyMetrics": [
            {**metric, "id": metric.get("id") or new_id(), "experienceId": experience_id}
            for metric in doc["experienceKeyMetrics"]
        ],
        "currency": doc["currency"],
        "variations": variations,
        "createdAtTs": lifecycle["createdAtTs"],
        "isDeleted": False,
        "shippingTestMethodDefinitions": [],
        "shippingCarrierProvider": "intelligems",
        "audience": _audience(audience, experience_id, variations, previous)
        if audience is not None
        else None,
        "lastUpdateTs": stamp,
        "previewPath": doc["previewPath"],
        "isExternal": False,
        "startedAtTs": lifecycle["startedAtTs"],
        "pausedAtTs": lifecycle["pausedAtTs"],
        "archivedAtTs": None,
        "requiresLink": False,
        "linkBaseUrl": None,
        "endedAtTs": lifecycle["endedAtTs"],
        "productVariantCount": 0,
        "sourceExperienceId": None,
        "sourceAction": None,
        "experienceAnalysis": doc["experienceAnalysis"],
    }


def _created_stamps(previous: dict[str, Any]) -> dict[str, Any]:
    """Creation stamps of the onsite edits a replacement may keep, by id."""
    return {
        edit["id"]: edit.get("createdAtTs")
        for variation in previous["variations"]
        for edit in variation["onsiteEdits"]
    }


def _variation(
    written: dict[str, Any], experience_id: str, stamp: int, created: dict[str, Any]
) -> dict[str, Any]:
    variation_id = written.get("id") or new_id()
    injection = written["onsiteInjection"]
    offer = written["offer"]
    if offer is not None:
        offer = {
            **offer,
            "id": offer.get("id") or new_id(),
            "variationId": variation_id,
            "tiers": [{**tier, "id": tier.get("id") or new_id()} for tier in offer["tiers"]],
        }
    return {
        "id": variation_id,
        "experienceId": experience_id,
        "name": written["name"],
        "percentage": written["percentage"],
        "isControl": written["isControl"],
        "order": written["order"],
        "priceChange": written["priceChange"],
        "priceChangeUnit": written["priceChangeUnit"],
        "priceRoundingType": written["priceRoundingType"],
        "priceRoundingAmount": written["priceRoundingAmount"],
        "onsiteEdits": [_onsite_edit(edit, variation_id, stamp, created) for edit in written["onsiteEdits"]],
        "onsiteInjections": None
        if injection is None
        else {**injection, "id": injection.get("id") or new_id(), "variationId": variation_id},
        "offer": offer,
        "offerId": offer["id"] if offer else None,
        "shippingRateGroups": [],
        "excludeProducts": written["excludeProducts"],
        "includeProducts": written["includeProducts"],
        "testExperienceId": None,
        "functionSyncError": False,
        "redirects": [
            {**redirect, "id": redirect.get("id") or new_id(), "variationId": variation_id}
            for redirect in written["redirects"]
        ],
        "userInterfaces": [],
        "checkoutBlocks": [],
        "cartTargeting": written["cartTargeting"],
        # A component belongs to the variation it is written under. On create that variation
        # has no id yet, so the variationId the client must send cannot name it; the stored
        # component names the server-assigned id instead, so the GET is consistent and can be
        # sent back as a PUT (which must name the parent variation: rules.py checks that).
        "components": [{**component, "variationId": variation_id} for component in written["components"]],
    }


def _onsite_edit(
    written: dict[str, Any], variation_id: str, stamp: int, created: dict[str, Any]
) -> dict[str, Any]:
    edit_id = written.get("id") or new_id()
    kind = written["onsiteEditType"]
    return {
        **written,
        "id": edit_id,
        "variationId": variation_id,
        "isHtml": kind == "html",
        "isImage": kind == "image",
        "createdAtTs": created.get(edit_id) or stamp,
    }


def _page_target(written: dict[str, Any], experience_id: str, order: int) -> dict[str, Any]:
    """Read items summarize their expression's first condition as filterType/value/filter."""
    expression = written["expression"]
    first = next((item["query"] for item in expression or [] if "query" in item), None)
    filter_type = first["type"] if first and first["type"] in _PAGE_FILTER_TYPES else "url"
    return {
        "id": written.get("id") or new_id(),
        "experienceId": experience_id,
        "filter": first["filter"] if first else None,
        "filterType": filter_type,
        "value": first["value"] if first else "",
        "order": order,
        "expression": expression,
    }


def _audience(
    written: dict[str, Any],
    experience_id: str,
    variations: list[dict[str, Any]],
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    kept = previous["audience"] if previous else None
    index = written.get("elseVariationIndex")
    audience = {
        "id": written.get("id") or (kept["id"] if kept else new_id()),
        "experienceId": experience_id,
        "enabled": written["enabled"],
        "excludeCurrency": written.get("excludeCurrency", {"exclude": False, "currency": None}),
        "wholesale": False,
        "elseAction": written["elseAction"],
        "elseVariationId": variations[int(index)]["id"] if index is not None else None,
        "elseExcludeFromAnalytics": written["elseExcludeFromAnalytics"],
        "filters": [{**f, "id": f.get("id") or new_id()} for f in written["filters"]],
        "evaluationFrequency": written["evaluationFrequency"],
    }
    if "audienceType" in written:
        audience["audienceType"] = written["audienceType"]
    return audience
