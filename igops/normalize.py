"""Desired and live experiences -> one canonical, comparable form; canonical -> API payloads.

The canonical form is the experience file's own shape, driven by the experience schema: every
field the schema knows, with the API's default filled in where the value is absent or null, and
nothing else. A live experience gets there through the field table (igops.fields): read forms
become file forms (`onsiteInjections` -> `onsiteInjection`, a variation id -> its position or its
name), then the same projection drops everything the file does not model. Both sides pass
through that projection, so a field the server adds, renames or reorders can never show up as a
difference.

Payloads go the other way. A create is the canonical form with `order` numbered and the ids the
API wants from the client minted. An update is a full replacement, so it starts from the live
experience: every field the file models comes from the file, every other writable field (passed
through, or unknown to igops) is copied from live unchanged, and entities keep their ids.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from igops.fields import (
    IDS,
    MAPPED,
    PARENT_IDS,
    READ_ONLY,
    WRITE_ONLY,
    Conversion,
    VariationRef,
    detached,
    locations,
    minted_id,
    variation_refs,
)
from igops.model import IGOPS_FIELDS
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

Canonical = dict[str, Any]


def canonical_desired(body: Mapping[str, Any]) -> Canonical:
    """A file's API fields, defaults filled in."""
    return _project_experience(body)


def canonical_live(document: Mapping[str, Any]) -> Canonical:
    """A GET experience in the file's shape: read forms mapped to file forms, the rest dropped."""
    # Only the objects holding a read form change here; the projection copies everything it keeps.
    readable = _in_order(detached(document, (mapped.read_path for mapped in MAPPED)))
    refs = variation_refs(readable["variations"])
    for mapped in MAPPED:
        _move(readable, mapped.read_path, mapped.file_path, mapped.to_file, refs)
    return _project_experience(readable)


def comparable(canonical: Mapping[str, Any]) -> Canonical:
    """What a plan compares: the canonical form without the fields the API never returns."""
    return {key: value for key, value in canonical.items() if key not in WRITE_ONLY}


def write_only_fields(canonical: Mapping[str, Any]) -> tuple[str, ...]:
    """The write-only fields a file sets: sent on every write, their live value unknowable."""
    return tuple(sorted(key for key in WRITE_ONLY if canonical.get(key) is not None))


def needs_variation_ids(canonical: Mapping[str, Any]) -> bool:
    """Whether the file points at variations by id-valued fields, which a create cannot carry:
    variations get their ids from the server, so an update right after the create sets them."""
    for mapped in MAPPED:
        if mapped.needs_variation_ids:
            key = _last(mapped.file_path)
            if any(holder.get(key) is not None for holder, _, _ in locations(canonical, mapped.file_path)):
                return True
    return False


def create_payload(canonical: Mapping[str, Any]) -> dict[str, Any]:
    """The POST body: list position becomes `order`; ids the API wants from the client are minted."""
    payload = _project_experience(canonical, explicit_nulls=True)
    _number_orders(payload)
    seed = _digest(payload)
    _write_mapped(payload)
    for identity in IDS:
        if identity.on_create:
            for holder, key, concrete in locations(payload, identity.path):
                holder[key] = minted_id(seed, concrete)
    return payload


def update_payload(canonical: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    """The PUT body: a full replacement of `live` that changes only what the file models.

    Entities that exist live keep their ids (variations matched by name, the rest by position
    inside their parent); new ones get ids minted from the live version and the file, so a
    retried update sends the same body.
    """
    desired = _project_experience(canonical, explicit_nulls=True)
    payload: dict[str, Any] = _merge(desired, _writable_live(live), _schema(), "")
    _number_orders(payload)
    seed = _digest([live.get("id"), live.get("lastUpdateTs"), dict(canonical)])
    for identity in IDS:
        for holder, key, concrete in locations(payload, identity.path):
            if not holder.get(key):
                holder[key] = minted_id(seed, concrete)
    for variation in payload["variations"]:
        for path in PARENT_IDS:
            for holder, key, _ in locations(variation, path.removeprefix("variations[].")):
                holder[key] = variation["id"]
    _write_mapped(payload)
    return payload


def _writable_live(live: Mapping[str, Any]) -> dict[str, Any]:
    """The live experience in the write shape: read-only fields dropped, read forms made write forms."""
    writable = _in_order(_copied(live))
    refs = variation_refs(writable["variations"])
    for mapped in MAPPED:
        if _last(mapped.file_path) != _last(mapped.write_path):
            # Modelled under another name: the file's value replaces it, never the live one.
            _drop(writable, mapped.read_path)
        else:
            _move(writable, mapped.read_path, mapped.write_path, mapped.read_to_write, refs)
    for path in READ_ONLY:
        _drop(writable, path)
    return writable


def _write_mapped(payload: dict[str, Any]) -> None:
    """File forms -> write forms, once every variation that has an id has it."""
    refs = variation_refs(payload["variations"])
    for mapped in MAPPED:
        if mapped.file_path != mapped.write_path:
            _move(payload, mapped.file_path, mapped.write_path, mapped.to_write, refs)


def _move(
    document: dict[str, Any], source: str, target: str, convert: Conversion, refs: Sequence[VariationRef]
) -> None:
    """Rename the field at `source` to `target` (same parent) in every place, converting non-null values."""
    target_key = _last(target)
    for holder, key, _ in locations(document, source):
        if key in holder:
            value = holder.pop(key)
            holder[target_key] = None if value is None else convert(value, refs)


def _drop(document: dict[str, Any], path: str) -> None:
    for holder, key, _ in locations(document, path):
        holder.pop(key, None)


def _last(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _in_order(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (a copy, changed in place) with variations and key metrics in their `order`, the
    order the file lists them in."""
    document["variations"] = sorted(document.get("variations") or [], key=_order)
    document["experienceKeyMetrics"] = sorted(document.get("experienceKeyMetrics") or [], key=_order)
    return document


def _merge(desired: Any, live: Any, node: Mapping[str, Any], path: str) -> Any:
    """`desired` where the file models a field, `live` for every other field of the same entity."""
    node = _resolve(node)
    if isinstance(desired, dict) and "properties" in node:
        live_object = live if isinstance(live, dict) else {}
        merged = {key: _copied(value) for key, value in live_object.items() if key not in node["properties"]}
        for key, value in desired.items():
            child = f"{path}.{key}" if path else key
            merged[key] = _merge(value, live_object.get(key), node["properties"][key], child)
        return merged
    if isinstance(desired, list) and "items" in node:
        live_items = live if isinstance(live, list) else []
        if path == "variations":
            by_name = {item.get("name"): item for item in live_items if isinstance(item, dict)}
            matches = [by_name.get(item.get("name")) for item in desired]
        else:
            matches = [
                live_items[index] if index < len(live_items) else None for index in range(len(desired))
            ]
        return [
            _merge(item, match, node["items"], f"{path}[]")
            for item, match in zip(desired, matches, strict=True)
        ]
    return desired


def _copied(value: Any) -> Any:
    """A copy of a JSON value, down to its scalars (which nothing changes in place). copy.deepcopy
    does the same many times slower: it looks for shared and recursive parts, which JSON has none of."""
    if isinstance(value, Mapping):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _number_orders(payload: dict[str, Any]) -> None:
    for index, variation in enumerate(payload["variations"]):
        variation["order"] = index
    for index, metric in enumerate(payload.get("experienceKeyMetrics", [])):
        metric["order"] = index


def _order(item: Mapping[str, Any]) -> float:
    order = item.get("order")
    return order if isinstance(order, int | float) and not isinstance(order, bool) else 0


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@functools.cache
def _schema() -> dict[str, Any]:
    schema = load_schema(EXPERIENCE_SCHEMA)
    api_fields = {key: node for key, node in schema["properties"].items() if key not in IGOPS_FIELDS}
    return {"type": "object", "properties": api_fields}


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = _referenced(node["$ref"])
    return node


@functools.cache
def _referenced(ref: str) -> Mapping[str, Any]:
    target: Mapping[str, Any] = load_schema(EXPERIENCE_SCHEMA)
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


@dataclass(frozen=True)
class _Projection:
    # Payloads spell out null for every nullable field left unset: the API requires some of
    # them to be present. The canonical form leaves them out, so null and absent compare equal.
    explicit_nulls: bool

    def value(self, value: Any, node: Mapping[str, Any]) -> Any:
        node = _resolve(node)
        if isinstance(value, Mapping) and "properties" in node:
            return self.object(value, node["properties"])
        if isinstance(value, list) and "items" in node:
            return [self.value(item, node["items"]) for item in value]
        return _plain(value)

    def object(self, value: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
        projected = {}
        for key, node in properties.items():
            resolved = _resolve(node)
            default = node.get("default", resolved.get("default"))
            # null, absent and the API's default mean the same thing to the API.
            if value.get(key) is not None:
                projected[key] = self.value(value[key], resolved)
            elif default is not None:
                # value() builds every list and object anew, so the schema's default is never shared.
                projected[key] = self.value(default, resolved)
            elif self.explicit_nulls and _nullable(node, resolved):
                projected[key] = None
        return projected


def _project_experience(body: Mapping[str, Any], explicit_nulls: bool = False) -> Canonical:
    return _Projection(explicit_nulls).object(body, _schema()["properties"])


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
