"""Experience files generated from schemas/experience.schema.json itself, every optional block included.

`values(node)` turns any node of the schema into a Hypothesis strategy (types, enums, bounds,
required and optional properties, nested definitions), so a block the schema gains is generated
without touching this module. `conform` then settles what the schema cannot say (the semantic
rules: one control, percentages adding up to 100, the parts each type needs, ...), so that every
document drawn is one `igops validate` accepts. `every_block` is the deterministic complement:
one document per type with every optional property of every block present.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from igops.experience_types import PERSONALIZATION_TYPES
from igops.files.rules import DEVICE_VALUES, RATE_FILTER_FIELDS
from igops.model import IGOPS_FIELDS
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

SCHEMA = load_schema(EXPERIENCE_SCHEMA)
TYPES: tuple[str, ...] = tuple(SCHEMA["properties"]["type"]["enum"])

# Printable, YAML-safe text (see strategies.py for why line separators are left out).
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
_text = st.text(_chars, min_size=1, max_size=12)
_LIST_SIZE = 2
# The field that carries what a non-control variation of each type needs (igops.experience_types).
TYPE_PART = {
    "content/onsiteEdits": "onsiteEdits",
    "personalization": "onsiteEdits",
    "content/advanced": "onsiteInjection",
    "personalization/offer": "offer",
    "content/url": "redirects",
    "content/theme": "redirects",
    "content/template": "redirects",
}


def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def _types(node: Mapping[str, Any]) -> list[str]:
    declared = node.get("type", ["string", "number", "object"])
    return [declared] if isinstance(declared, str) else list(declared)


def values(node: Mapping[str, Any], *, nulls: bool = True) -> st.SearchStrategy[Any]:
    """Any value `node` accepts (null only when `nulls` and the node allows it)."""
    node = resolve(node)
    options = [_of_type(node, kind) for kind in _types(node) if kind != "null"]
    if nulls and "null" in _types(node):
        options.append(st.none())
    return st.one_of(options)


def _of_type(node: Mapping[str, Any], kind: str) -> st.SearchStrategy[Any]:
    if "enum" in node:
        allowed = [value for value in node["enum"] if value is not None and _is(value, kind)]
        return st.sampled_from(allowed) if allowed else st.nothing()
    if kind == "string":
        if "pattern" in node:
            return st.uuids(version=4).map(str)
        return st.text(
            _chars, min_size=max(1, node.get("minLength", 1)), max_size=min(12, node.get("maxLength", 12))
        )
    if kind in ("number", "integer"):
        low, high = max(node.get("minimum", -1000), -1000), min(node.get("maximum", 1000), 1000)
        whole = st.integers(int(low), int(high))
        return (
            whole
            if kind == "integer"
            else whole | whole.map(lambda number: number + 0.5).filter(lambda number: number <= high)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(
            values(node.get("items", {"type": "string"})),
            min_size=node.get("minItems", 0),
            max_size=_LIST_SIZE,
        )
    if "properties" in node:
        properties = node["properties"]
        required = set(node.get("required", ()))
        return st.fixed_dictionaries(
            {key: values(properties[key]) for key in properties if key in required},
            optional={key: values(sub) for key, sub in properties.items() if key not in required},
        )
    extra = node.get("additionalProperties")
    return st.dictionaries(_text, values(extra) if isinstance(extra, dict) else _text, max_size=2)


def _is(value: Any, kind: str) -> bool:
    checks = {"string": str, "number": (int, float), "integer": int, "boolean": bool}
    return isinstance(value, checks.get(kind, object))


def _api_fields() -> dict[str, Any]:
    return {key: node for key, node in SCHEMA["properties"].items() if key not in IGOPS_FIELDS}


@st.composite
def schema_experiences(draw: st.DrawFn) -> dict[str, Any]:
    """A valid experience file: drawn from the schema, then settled to the semantic rules."""
    kind = draw(st.sampled_from(TYPES))
    variation = resolve(SCHEMA["$defs"]["variation"])
    count = draw(st.integers(2, 3))
    part = TYPE_PART[kind]
    variations = []
    for _ in range(count):
        drawn = draw(values(variation))
        drawn[part] = draw(values({**variation["properties"][part], "minItems": 1}, nulls=False))
        variations.append(drawn)
    optional = {key: node for key, node in _api_fields().items() if key not in ("name", "type", "variations")}
    document = draw(st.fixed_dictionaries({}, optional={key: values(node) for key, node in optional.items()}))
    document |= {
        "name": draw(_text),
        "type": kind,
        "variations": variations,
        "status": draw(st.sampled_from(SCHEMA["properties"]["status"]["enum"])),
    }
    return conform(document)


def conform(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the semantic rules settled; the schema's own constraints are left as drawn."""
    document = copy.deepcopy(document)
    kind = document["type"]
    variations = document["variations"]
    share, rest = divmod(100, len(variations))
    for index, variation in enumerate(variations):
        variation["name"] = f"{variation['name']} {index}"
        variation["percentage"] = share + (rest if index == 0 else 0)
        variation["isControl"] = index == 0
        if variation.get("includeProducts"):
            variation["excludeProducts"] = False
        for position, redirect in enumerate(variation.get("redirects", [])):
            _conform_redirect(redirect, kind, position)
        injection = variation.get("onsiteInjection")
        if injection is not None:
            mode = injection.get("jsInjectionMode") or {}
            if mode.get("type") == "timeout":
                mode.setdefault("timeout", 500)
            if kind == "content/advanced":
                injection["customCss"] = injection.get("customCss") or ".hero { color: red; }"
        _conform_offer(variation.get("offer") or {})
    _conform_metrics(document.get("experienceKeyMetrics") or [])
    _conform_audience(document, [variation["name"] for variation in variations])
    for target in document.get("experiencePageTargeting") or []:
        _conform_devices(target.get("expression") or [])
    if document["status"] != "ended":
        document.pop("winner", None)
    return document


def _conform_redirect(redirect: dict[str, Any], kind: str, position: int) -> None:
    redirect["isThemeTest"] = kind == "content/theme"
    redirect["isTemplateTest"] = kind == "content/template"
    if redirect["isTemplateTest"]:
        redirect["templateType"] = redirect.get("templateType") or "product"
        redirect["templateSuffixes"] = redirect.get("templateSuffixes") or ["alternate"]
    if redirect.get("redirectType") == "partialReplacement":
        redirect["find"] = redirect.get("find") or f"/old-{position}"
    else:
        redirect["destinationUrl"] = redirect.get("destinationUrl") or f"/new-{position}"


def _conform_offer(offer: dict[str, Any]) -> None:
    shipping = offer.get("shippingDiscount")
    if shipping is not None:
        offer["discountApplicationType"] = "freeShipping"
        rate_filter = shipping.get("rateFilter") or {}
        for kind, field in RATE_FILTER_FIELDS.items():
            if rate_filter.get("type") != kind:
                rate_filter.pop(field, None)
        if rate_filter.get("type") == "name":
            rate_filter.setdefault("rules", [])


def _conform_metrics(metrics: list[dict[str, Any]]) -> None:
    for index, metric in enumerate(metrics):
        metric["isPrimary"] = index == 0
        if metric.get("standardEventId") is not None:
            metric.pop("experienceCustomMetricId", None)
        elif metric.get("experienceCustomMetricId") is None:
            metric["standardEventId"] = "conversionRate"


def _conform_audience(document: dict[str, Any], names: list[str]) -> None:
    audience = document.get("audience")
    if audience is None:
        return
    personalization = document["type"] in PERSONALIZATION_TYPES
    if "elseVariationIndex" in audience or audience.get("elseAction") == "assignVariation":
        audience["elseVariationIndex"] = str(len(audience.get("elseVariationIndex", "")) % len(names))
    if audience.get("elseAction") == "experienceInclude" and not personalization:
        audience["elseAction"] = "randomVariation"
    for position, rule in enumerate(audience.get("filters", [])):
        if rule.get("action") == "experienceInclude" and not personalization:
            rule["action"] = "randomVariation"
        if "variation" in rule or rule.get("action") == "assignVariation":
            rule["variation"] = names[position % len(names)]
        _conform_devices(rule.get("expression") or [])


def _conform_devices(expression: list[dict[str, Any]]) -> None:
    for node in expression:
        query = node.get("query") or {}
        if query.get("type") == "device":
            query["value"] = DEVICE_VALUES[len(query.get("value", "")) % len(DEVICE_VALUES)]


def every_block(kind: str) -> dict[str, Any]:
    """One valid document of type `kind` in which every optional property of every block is set."""
    variations = [_fullest(SCHEMA["$defs"]["variation"]) for _ in range(2)]
    document = {key: _fullest(node) for key, node in _api_fields().items()}
    document |= {
        "name": f"Every block of {kind}",
        "type": kind,
        "status": "started",
        "variations": variations,
    }
    return conform(document)


def _fullest(node: Mapping[str, Any], depth: int = 0) -> Any:
    """The first value of each kind, with every property present and every list holding one item."""
    node = resolve(node)
    kinds = [kind for kind in _types(node) if kind != "null"]
    if "object" in kinds and "properties" in node:
        return {key: _fullest(sub, depth + 1) for key, sub in node["properties"].items()}
    if "array" in kinds:
        return [_fullest(node.get("items", {"type": "string"}), depth + 1)]
    if "enum" in node:
        return next(value for value in node["enum"] if value)
    if "default" in node and node["default"] is not None and not isinstance(node["default"], bool):
        return node["default"]
    kind = kinds[0]
    if kind == "string":
        return "00000000-0000-4000-8000-000000000001" if "pattern" in node else f"text {depth}"
    if kind in ("number", "integer"):
        return max(node.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    return {}
