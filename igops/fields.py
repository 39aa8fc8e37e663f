"""Every field of the API's experience, in exactly one class: the table the canonical form follows.

A field is named by its path in the API's documents, list items written `[]`
(`variations[].onsiteEdits[].find`). The classes:

- modelled: in the experience file, compared, written. These are the fields of
  `schemas/experience.schema.json` (its defaults are the API's), so they are not listed here;
  a modelled field whose file name differs from the API's is listed under MAPPED.
- read-only: returned, never written (server ids of the parent, timestamps, status, summaries).
- mapped: written in one form and read in another; the table says how each read value
  becomes the file's value and how the file's value is written.
- write-only: accepted, never returned: sent on every create and update, never compared.
- id: never in a file; on an update kept from the live entity it is matched with, else minted.
  Some are required on create too (the API wants them from the client): those are minted there.
- parent id: the id of the enclosing variation, which an update must repeat.
- order: the entity's position in its list.
- passed through: returned and writable, not (yet) in the file: copied from the live experience
  into every update unchanged, because an update is a full replacement that resets what it omits.
  Fields the API adds later and this table does not know are passed through the same way.

A test walks the API description and fails on any field that is in none of these classes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FieldClass(StrEnum):
    MODELLED = "modelled"
    READ_ONLY = "read-only"
    MAPPED = "mapped"
    WRITE_ONLY = "write-only"
    ID = "id"
    PARENT_ID = "parent id"
    ORDER = "order"
    PASSED_THROUGH = "passed through"


@dataclass(frozen=True)
class VariationRef:
    """What a value that points at a variation can be translated with: its id and its name."""

    id: str | None
    name: str


# A conversion takes a value and the experience's variations in order, and returns the value in
# the other form, or None when it points at nothing.
Conversion = Callable[[Any, Sequence[VariationRef]], Any]


def _same(value: Any, variations: Sequence[VariationRef]) -> Any:
    return value


def _index_of_id(value: Any, variations: Sequence[VariationRef]) -> str | None:
    return next((str(index) for index, ref in enumerate(variations) if ref.id == value), None)


def _name_of_id(value: Any, variations: Sequence[VariationRef]) -> str | None:
    return next((ref.name for ref in variations if ref.id == value), None)


def _id_of_name(value: Any, variations: Sequence[VariationRef]) -> str | None:
    return next((ref.id for ref in variations if ref.name == value), None)


@dataclass(frozen=True)
class Mapped:
    """A modelled field whose read form, or whose file form, is not its write form."""

    file_path: str
    write_path: str
    read_path: str
    to_file: Conversion  # read value -> file value
    to_write: Conversion  # file value -> written value; None when it cannot be known yet

    @property
    def needs_variation_ids(self) -> bool:
        """Written as a variation id: on a create no variation has one yet."""
        return self.to_write is _id_of_name

    def read_to_write(self, value: Any, variations: Sequence[VariationRef]) -> Any:
        """A read value in its written form, by way of the file's form."""
        return self.to_write(self.to_file(value, variations), variations)


MAPPED: tuple[Mapped, ...] = (
    Mapped(
        "variations[].onsiteInjection",
        "variations[].onsiteInjection",
        "variations[].onsiteInjections",
        _same,
        _same,
    ),
    # Written as the variation's position (as text), read back as its id.
    Mapped(
        "audience.elseVariationIndex",
        "audience.elseVariationIndex",
        "audience.elseVariationId",
        _index_of_id,
        _same,
    ),
    # The file names the variation, the way `winner` does; the API takes and returns its id.
    Mapped(
        "audience.filters[].variation",
        "audience.filters[].variationId",
        "audience.filters[].variationId",
        _name_of_id,
        _id_of_name,
    ),
)

WRITE_ONLY: frozenset[str] = frozenset({"productVariantAction"})


@dataclass(frozen=True)
class Identity:
    path: str  # the id field
    on_create: bool = False  # the API wants it from the client on create as well


IDS: tuple[Identity, ...] = (
    Identity("id"),
    Identity("variations[].id"),
    Identity("variations[].onsiteEdits[].id"),
    Identity("variations[].onsiteInjection.id"),
    Identity("variations[].offer.id"),
    Identity("variations[].offer.tiers[].id"),
    Identity("variations[].offer.shippingDiscount.id", on_create=True),
    Identity("variations[].offer.shippingDiscount.rateFilter.rules[].id", on_create=True),
    Identity("variations[].redirects[].id"),
    Identity("variations[].cartTargeting[].id", on_create=True),
    Identity("audience.id"),
    Identity("audience.filters[].id"),
    Identity("experiencePageTargeting[].id"),
    Identity("experienceKeyMetrics[].id"),
)

PARENT_IDS: frozenset[str] = frozenset(
    {
        "variations[].onsiteEdits[].variationId",
        "variations[].onsiteInjection.variationId",
        "variations[].offer.variationId",
        "variations[].redirects[].variationId",
    }
)

ORDERS: frozenset[str] = frozenset({"variations[].order", "experienceKeyMetrics[].order"})

PASSED_THROUGH: frozenset[str] = frozenset({"variations[].components"})

# Whole subtrees: nothing under them is written.
READ_ONLY: frozenset[str] = frozenset(
    {
        "isPreview",
        "devicePreview",
        "organizationId",
        "category",
        "status",
        "testTypes",
        "experienceProductTargeting",
        "experienceActions",
        "experienceIntegrations",
        "experienceCustomMetrics",
        "createdAtTs",
        "isDeleted",
        "shippingTestMethodDefinitions",
        "shippingCarrierProvider",
        "lastUpdateTs",
        "isExternal",
        "startedAtTs",
        "pausedAtTs",
        "archivedAtTs",
        "requiresLink",
        "linkBaseUrl",
        "endedAtTs",
        "productVariantCount",
        "sourceExperienceId",
        "sourceAction",
        "changeLog",
        # Page-targeting read items summarize their expression's first condition.
        "experiencePageTargeting[].experienceId",
        "experiencePageTargeting[].filter",
        "experiencePageTargeting[].filterType",
        "experiencePageTargeting[].value",
        "experiencePageTargeting[].order",
        "experienceKeyMetrics[].experienceId",
        "variations[].experienceId",
        "variations[].offerId",
        "variations[].shippingRateGroups",
        "variations[].testExperienceId",
        "variations[].functionSyncError",
        "variations[].userInterfaces",
        "variations[].checkoutBlocks",
        "variations[].onsiteEdits[].isHtml",
        "variations[].onsiteEdits[].isImage",
        "variations[].onsiteEdits[].createdAtUrl",
        "variations[].onsiteEdits[].createdAtTs",
        "audience.experienceId",
        "audience.wholesale",
        # Only in list items: summaries of the experience and its history.
        "hasSchedule",
        "history",
        "variations[].checkoutBlockTypes",
        "variations[].offerDiscountApplicationType",
        "variations[].offerDiscountApplicationMethod",
    }
)


def classify(path: str) -> FieldClass | None:
    """The class the table gives an API path (write or read name), None when the table is silent."""
    for mapped in MAPPED:
        if path.startswith((mapped.read_path + ".", mapped.read_path + "[]")):
            path = mapped.write_path + path[len(mapped.read_path) :]
    for prefix in _prefixes(path):
        if prefix in READ_ONLY:
            return FieldClass.READ_ONLY
        if prefix in PASSED_THROUGH:
            return FieldClass.PASSED_THROUGH
        if prefix in WRITE_ONLY:
            return FieldClass.WRITE_ONLY
    if path in {identity.path for identity in IDS}:
        return FieldClass.ID
    if path in PARENT_IDS:
        return FieldClass.PARENT_ID
    if path in ORDERS:
        return FieldClass.ORDER
    if any(path in (mapped.write_path, mapped.read_path) for mapped in MAPPED):
        return FieldClass.MAPPED
    return None


def _prefixes(path: str) -> Iterator[str]:
    """`a[].b.c` -> `a`, `a[]`, `a[].b`, `a[].b.c`: the path and every ancestor."""
    end = 0
    while True:
        found = [index for index in (path.find(".", end), path.find("[]", end)) if index != -1]
        if not found:
            yield path
            return
        end = min(found)
        yield path[:end]
        end += 2 if path.startswith("[]", end) else 1


# Walking documents by table path.


def locations(document: Any, path: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """Every (object, key, concrete path) that `path` addresses in `document`, key present or not.

    Only objects that exist are visited: `variations[].offer.id` addresses nothing in a variation
    whose offer is null.
    """
    *parents, key = _steps(path)
    for holder, concrete in _walk(document, parents, ""):
        if isinstance(holder, dict):
            yield holder, key, f"{concrete}.{key}" if concrete else key


def detached(document: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """A copy of `document` in which the objects holding the keys `paths` address, and every list and
    object above them, are copies too; the rest is shared with `document`. Keys at `paths` can then
    be set or removed in the copy without touching `document`, at a fraction of a deep copy's cost."""
    spine: dict[str, Any] = {}
    for path in paths:
        branch = spine
        for step in _steps(path)[:-1]:
            branch = branch.setdefault(step, {})
    copied: dict[str, Any] = _copied_along(document, spine)
    return copied


def _copied_along(node: Any, spine: Mapping[str, Any]) -> Any:
    if isinstance(node, Mapping):
        copied = dict(node)
        for step, below in spine.items():
            if step in copied:
                copied[step] = _copied_along(copied[step], below)
        return copied
    if isinstance(node, list):
        return [_copied_along(item, spine["[]"]) for item in node] if "[]" in spine else list(node)
    return node


def _steps(path: str) -> list[str]:
    return [step for step in path.replace("[]", ".[]").split(".") if step]


def _walk(node: Any, steps: list[str], concrete: str) -> Iterator[tuple[Any, str]]:
    if not steps:
        yield node, concrete
        return
    step, rest = steps[0], steps[1:]
    if step == "[]":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, f"{concrete}[{index}]")
    elif isinstance(node, Mapping) and isinstance(node.get(step), dict | list):
        yield from _walk(node[step], rest, f"{concrete}.{step}" if concrete else step)


def minted_id(seed: str, concrete_path: str) -> str:
    """The same id for the same seed and place, so that a retried request sends the same body."""
    return str(uuid.uuid5(_NAMESPACE, f"{seed}\0{concrete_path}"))


_NAMESPACE = uuid.UUID("5f0c2b1e-7a43-4d7c-9a8e-0b6e4f0f3c21")


def variation_refs(variations: Sequence[Mapping[str, Any]]) -> list[VariationRef]:
    return [VariationRef(str(v["id"]) if v.get("id") else None, str(v.get("name"))) for v in variations]
