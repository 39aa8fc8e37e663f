"""Desired and live experiences -> one canonical, comparable form; canonical -> API payloads.

The canonical form is the experience file's own shape (the API's write shape without ids or
`order`), driven by the experience schema: every field the schema knows, with the API's
default filled in where the value is absent or null, and nothing else. Both sides pass
through the same projection, so a field the server adds, renames or reorders can never show
up as a difference. Lists keep their order: variations and key metrics by `order`, edits and
redirects by position.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from igops.model import IGOPS_FIELDS
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

Canonical = dict[str, Any]


def canonical_desired(body: Mapping[str, Any]) -> Canonical:
    """A file's API fields, defaults filled in."""
    return _project_experience(body)


def canonical_live(document: Mapping[str, Any]) -> Canonical:
    """A GET experience in the file's shape: read-only fields dropped, read names mapped to write names."""
    written = dict(document)
    written["variations"] = [
        _rename(variation, "onsiteInjections", "onsiteInjection")
        for variation in sorted(document.get("variations") or [], key=_order)
    ]
    written["experienceKeyMetrics"] = sorted(document.get("experienceKeyMetrics") or [], key=_order)
    return _project_experience(written)


def create_payload(canonical: Canonical) -> dict[str, Any]:
    """The POST body: list position becomes `order`; the server assigns every id."""
    payload = _project_experience(canonical, explicit_nulls=True)
    _number_orders(payload)
    return payload


def update_payload(
    canonical: Canonical, live: Mapping[str, Any], new_id: Callable[[], str] = lambda: str(uuid.uuid4())
) -> dict[str, Any]:
    """The PUT body: a full replacement in which every nested entity carries its id.

    Entities that exist live keep their ids (variations matched by name, the rest by
    position inside their parent); new ones get fresh UUIDs.
    """
    payload = _project_experience(canonical, explicit_nulls=True)
    _number_orders(payload)
    payload["id"] = live["id"]
    live_variations = {variation["name"]: variation for variation in live.get("variations") or []}
    for variation in payload["variations"]:
        match = live_variations.get(variation["name"], {})
        variation["id"] = match.get("id") or new_id()
        _identify_children(variation, match, new_id)
    _identify_list(payload.get("experienceKeyMetrics", []), sorted(
        live.get("experienceKeyMetrics") or [], key=_order), new_id)
    _identify_list(payload.get("experiencePageTargeting", []),
                   live.get("experiencePageTargeting") or [], new_id)
    if payload.get("audience") is not None:
        live_audience = live.get("audience") or {}
        payload["audience"]["id"] = live_audience.get("id") or new_id()
        _identify_list(payload["audience"].get("filters", []), live_audience.get("filters") or [], new_id)
    return payload


def _identify_children(variation: dict[str, Any], live: Mapping[str, Any], new_id: Callable[[], str]) -> None:
    """Give a variation's own entities their ids and their parent's id, as the PUT requires."""
    parent = variation["id"]
    for name in ("onsiteEdits", "redirects"):
        items = variation.get(name, [])
        _identify_list(items, live.get(name) or [], new_id)
        for item in items:
            item["variationId"] = parent
    for name, live_name in (("onsiteInjection", "onsiteInjections"), ("offer", "offer")):
        entity = variation.get(name)
        if entity is not None:
            entity["id"] = (live.get(live_name) or {}).get("id") or new_id()
            entity["variationId"] = parent
    offer = variation.get("offer")
    if offer is not None:  # tiers keep their ids, matched by position: an edit must not re-create them
        _identify_list(offer.get("tiers", []), (live.get("offer") or {}).get("tiers") or [], new_id)


def _identify_list(items: list[dict[str, Any]], live_items: list[Mapping[str, Any]],
                   new_id: Callable[[], str]) -> None:
    for index, item in enumerate(items):
        live_id = live_items[index].get("id") if index < len(live_items) else None
        item["id"] = live_id or new_id()


def _number_orders(payload: dict[str, Any]) -> None:
    for index, variation in enumerate(payload["variations"]):
        variation["order"] = index
    for index, metric in enumerate(payload.get("experienceKeyMetrics", [])):
        metric["order"] = index


def _order(item: Mapping[str, Any]) -> float:
    order = item.get("order")
    return order if isinstance(order, int | float) and not isinstance(order, bool) else 0


def _rename(item: Mapping[str, Any], read_name: str, write_name: str) -> dict[str, Any]:
    renamed = {key: value for key, value in item.items() if key != read_name}
    if read_name in item:
        renamed[write_name] = item[read_name]
    return renamed


@dataclass(frozen=True)
class _Projection:
    root: Mapping[str, Any]
    # Payloads spell out null for every nullable field left unset: the API requires some of
    # them to be present. The canonical form leaves them out, so null and absent compare equal.
    explicit_nulls: bool

    def value(self, value: Any, node: Mapping[str, Any]) -> Any:
        node = self.resolve(node)
        if isinstance(value, Mapping) and "properties" in node:
            return self.object(value, node["properties"])
        if isinstance(value, list) and "items" in node:
            return [self.value(item, node["items"]) for item in value]
        return _plain(value)

    def object(self, value: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
        projected = {}
        for key, node in properties.items():
            resolved = self.resolve(node)
            default = node.get("default", resolved.get("default"))
            # null, absent and the API's default mean the same thing to the API.
            if value.get(key) is not None:
                projected[key] = self.value(value[key], resolved)
            elif default is not None:
                projected[key] = self.value(copy.deepcopy(default), resolved)
            elif self.explicit_nulls and _nullable(node, resolved):
                projected[key] = None
        return projected

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            target: Any = self.root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def _project_experience(body: Mapping[str, Any], explicit_nulls: bool = False) -> Canonical:
    schema = load_schema(EXPERIENCE_SCHEMA)
    api_fields = {key: node for key, node in schema["properties"].items() if key not in IGOPS_FIELDS}
    return _Projection(schema, explicit_nulls).object(body, api_fields)


def _nullable(*nodes: Mapping[str, Any]) -> bool:
    for node in nodes:
        declared = node.get("type")
        if declared == "null" or (isinstance(declared, list) and "null" in declared):
            return True
    return False


def _plain(value: Any) -> Any:
    """Numbers compare as numbers: 50.0 from the API equals 50 in a file."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
