"""Checks a well-formed experience body must still pass: the rules the description states only
in prose, and no others (unique names are not one of them: only a sandbox configured to model a
stricter account refuses a name already taken)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .entities import ids_by_kind
from .shapes import Issues, join, natural
from .store import Reader
from .write_schema import CREATABLE_TYPES, VALUELESS_FILTERS

PERCENT_TOLERANCE = 0.01


def check_create(doc: dict[str, Any], state: Reader, *, unique_names: bool) -> Issues:
    issues = _check_common(doc, state, own_id=None, unique_names=unique_names)
    if doc["type"] not in CREATABLE_TYPES:
        issues.add("experience.type", f"Type '{doc['type']}' cannot be created through the API")
    _IdCheck(None, state, issues).run(doc)
    return issues


def check_replace(
    doc: dict[str, Any], existing: dict[str, Any], state: Reader, *, unique_names: bool
) -> Issues:
    issues = _check_common(doc, state, own_id=existing["id"], unique_names=unique_names)
    if doc["id"] != existing["id"]:
        issues.add("experience.id", "Must match the experience id in the path")
    if doc["type"] != existing["type"]:
        issues.add("experience.type", f"type is immutable (currently '{existing['type']}')")
    _IdCheck(existing, state, issues).run(doc)
    return issues


def _check_common(doc: dict[str, Any], state: Reader, own_id: str | None, unique_names: bool) -> Issues:
    issues = Issues()
    variations = doc["variations"]
    total = sum(variation["percentage"] for variation in variations)
    if abs(total - 100) > PERCENT_TOLERANCE:
        issues.add("experience.variations", f"Percentages must sum to 100 (got {total:g})")
    controls = sum(1 for variation in variations if variation["isControl"])
    if controls != 1:
        issues.add("experience.variations", f"Exactly one variation must be the control (got {controls})")
    if unique_names and state.name_taken(doc["name"], other_than=own_id):
        issues.add("experience.name", f"An experience named '{doc['name']}' already exists")
    for path, metric in _indexed(doc["experienceKeyMetrics"], "experience.experienceKeyMetrics"):
        if (metric["standardEventId"] is None) == (metric["experienceCustomMetricId"] is None):
            issues.add(path, "Set exactly one of standardEventId and experienceCustomMetricId")
    for path, expression in _expressions(doc):
        for item_path, item in _indexed(expression, path):
            query = item.get("query")
            if query and query["filter"] not in (None, *VALUELESS_FILTERS) and not query["value"]:
                issues.add(join(item_path, "query.value"), f"Filter '{query['filter']}' needs a value")
    _check_audience_references(doc, issues)
    return issues


def _check_audience_references(doc: dict[str, Any], issues: Issues) -> None:
    audience = doc.get("audience")
    if audience is None:
        return
    index = audience.get("elseVariationIndex")
    position = None if index is None else natural(index)
    if index is not None and (position is None or position >= len(doc["variations"])):
        issues.add("experience.audience.elseVariationIndex", "Must index one of the variations")
    # Variation ids exist only once the experience does, so a create cannot name one.
    variation_ids = {variation.get("id") for variation in doc["variations"]} - {None}
    for path, audience_filter in _indexed(audience["filters"], "experience.audience.filters"):
        if audience_filter["variationId"] not in (None, *variation_ids):
            issues.add(join(path, "variationId"), "Must be one of this experience's variation ids")


def _expressions(doc: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    targets = _indexed(doc["experiencePageTargeting"], "experience.experiencePageTargeting")
    filters = _indexed((doc.get("audience") or {}).get("filters", []), "experience.audience.filters")
    for path, holder in (*targets, *filters):
        if holder["expression"]:
            yield join(path, "expression"), holder["expression"]


def _indexed(items: Sequence[Any], prefix: str) -> list[tuple[str, Any]]:
    return [(join(prefix, index), item) for index, item in enumerate(items)]


# A variation's lists of entities that name their parent: (key, entity kind).
_CHILD_LISTS = (("onsiteEdits", "onsiteEdit"), ("redirects", "redirect"), ("components", "component"))


class _IdCheck:
    """Ids in a create or replacement body.

    Every id names one entity: one of this experience's to keep that entity (on a
    replacement), or a new one, used nowhere else, to add it. Ids a body may leave out are
    checked when present; on create only the client-minted ones are. A variation's own
    entities (edits, redirects, injection, offer, components) must also name their parent
    variation, once it has an id.
    """

    def __init__(self, existing: dict[str, Any] | None, state: Reader, issues: Issues) -> None:
        self.own = ids_by_kind(existing)
        self.state = state
        self.experience_id = existing["id"] if existing else None
        self.issues = issues
        self.seen: set[str] = set()

    def run(self, doc: dict[str, Any]) -> None:
        for path, variation in _indexed(doc["variations"], "experience.variations"):
            self.entity("variation", variation, path)
            self.children(variation, path)
        for path, metric in _indexed(doc["experienceKeyMetrics"], "experience.experienceKeyMetrics"):
            self.entity("keyMetric", metric, path)
        for path, target in _indexed(doc["experiencePageTargeting"], "experience.experiencePageTargeting"):
            self.entity("pageTargeting", target, path)
        audience = doc.get("audience")
        if audience is not None:
            self.entity("audience", audience, "experience.audience")
            for path, audience_filter in _indexed(audience["filters"], "experience.audience.filters"):
                self.entity("audienceFilter", audience_filter, path)

    def children(self, variation: dict[str, Any], path: str) -> None:
        parent = variation.get("id")
        for key, kind in _CHILD_LISTS:
            for child_path, child in _indexed(variation[key], join(path, key)):
                self.child(kind, child, parent, child_path)
        for rule_path, rule in _indexed(variation["cartTargeting"], join(path, "cartTargeting")):
            self.entity("cartTargeting", rule, rule_path)
        if variation["onsiteInjection"] is not None:
            self.child("onsiteInjection", variation["onsiteInjection"], parent, join(path, "onsiteInjection"))
        offer = variation["offer"]
        if offer is not None:
            self.child("offer", offer, parent, join(path, "offer"))
            for tier_path, tier in _indexed(offer["tiers"], join(path, "offer.tiers")):
                self.entity("tier", tier, tier_path)
            if offer["shippingDiscount"] is not None:
                discount_path = join(path, "offer.shippingDiscount")
                self.entity("shippingDiscount", offer["shippingDiscount"], discount_path)

    def child(self, kind: str, entity: dict[str, Any], parent: str | None, path: str) -> None:
        if parent is not None and entity["variationId"] != parent:
            self.issues.add(join(path, "variationId"), "Must match the parent variation's id")
        self.entity(kind, entity, path)

    def entity(self, kind: str, entity: dict[str, Any], path: str) -> None:
        if "id" in entity:
            self.maybe_new(kind, entity["id"], join(path, "id"))

    def maybe_new(self, kind: str, entity_id: str, path: str) -> None:
        if not self.fresh_in_body(entity_id, path) or entity_id in self.own[kind]:
            return
        other_kinds = (ids for other, ids in self.own.items() if other != kind)
        if any(entity_id in ids for ids in other_kinds) or self.state.id_taken(
            entity_id, other_than=self.experience_id
        ):
            self.issues.add(path, "Id already belongs to another entity")

    def fresh_in_body(self, entity_id: str, path: str) -> bool:
        if entity_id in self.seen:
            self.issues.add(path, "Duplicate id")
            return False
        self.seen.add(entity_id)
        return True
