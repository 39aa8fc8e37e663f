"""The entities an experience holds, by kind: what ids a body may reuse, and what the store indexes."""

from __future__ import annotations

from typing import Any

ENTITY_KINDS = (
    "variation",
    "onsiteEdit",
    "redirect",
    "onsiteInjection",
    "offer",
    "tier",
    "shippingDiscount",
    "cartTargeting",
    "component",
    "keyMetric",
    "pageTargeting",
    "audience",
    "audienceFilter",
)


def ids_by_kind(experience: dict[str, Any] | None) -> dict[str, set[str]]:
    """The ids of a stored (read-shape) experience's entities, by kind; all empty for None."""
    ids: dict[str, set[str]] = {kind: set() for kind in ENTITY_KINDS}
    if experience is None:
        return ids
    ids["keyMetric"].update(metric["id"] for metric in experience["experienceKeyMetrics"])
    ids["pageTargeting"].update(target["id"] for target in experience["experiencePageTargeting"])
    for variation in experience["variations"]:
        ids["variation"].add(variation["id"])
        ids["onsiteEdit"].update(edit["id"] for edit in variation["onsiteEdits"])
        ids["redirect"].update(redirect["id"] for redirect in variation["redirects"])
        ids["cartTargeting"].update(rule["id"] for rule in variation["cartTargeting"])
        ids["component"].update(component["id"] for component in variation["components"])
        if variation["onsiteInjections"]:
            ids["onsiteInjection"].add(variation["onsiteInjections"]["id"])
        if variation["offer"]:
            ids["offer"].add(variation["offer"]["id"])
            ids["tier"].update(tier["id"] for tier in variation["offer"]["tiers"])
            if variation["offer"]["shippingDiscount"]:
                ids["shippingDiscount"].add(variation["offer"]["shippingDiscount"]["id"])
    if experience["audience"]:
        ids["audience"].add(experience["audience"]["id"])
        ids["audienceFilter"].update(f["id"] for f in experience["audience"]["filters"])
    return ids


def every_id(experience: dict[str, Any]) -> set[str]:
    """The experience's own id and its entities' ids: none of them may name anything elsewhere."""
    return {experience["id"]}.union(*ids_by_kind(experience).values())
