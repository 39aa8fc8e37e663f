"""Hypothesis strategies for valid experience documents, shared by the format and engine tests.

Enum values come from the schema itself, so the generators follow it when it changes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from igops.schemas import EXPERIENCE_SCHEMA, load_schema
from support.files import TYPES, offer, redirect

SCHEMA = load_schema(EXPERIENCE_SCHEMA)
DEFS = SCHEMA["$defs"]

# Printable text: PyYAML's emitter garbles line separators such as U+0085 inside quoted
# scalars, which would test the emitter rather than igops.
printable = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
text = st.text(printable, min_size=1, max_size=30)
# Code (CSS, JS, HTML) as people paste it: lines, tabs, CRLF, blank lines, trailing blanks, a final
# newline or none. An imported file must give back exactly this.
code = st.text(st.one_of(printable, st.sampled_from(" \t\n\r")), max_size=40)
url = st.from_regex(r"\A/[a-z0-9/_-]{0,20}\Z")


def _enum(definition: str, field: str) -> st.SearchStrategy[Any]:
    values = DEFS[definition]["properties"][field]["enum"]
    return st.sampled_from([value for value in values if value is not None])


def _edit() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"find": text, "replace": code},
        optional={
            "onsiteEditType": _enum("onsiteEdit", "onsiteEditType"),
            "querySelectors": st.lists(text, max_size=2),
            "insertType": _enum("onsiteEdit", "insertType"),
            "isRegex": st.booleans(),
            "title": text,
        },
    )


def _redirect(**flags: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda origin, destination, match: redirect(
            originUrl=origin, destinationUrl=destination, filter=match, **flags
        ),
        url,
        url,
        _enum("redirect", "filter"),
    )


def _template_redirect() -> st.SearchStrategy[dict[str, Any]]:
    kinds = _enum("redirect", "templateType").filter(bool)
    return st.builds(
        lambda kind, suffixes, base: base | {"templateType": kind, "templateSuffixes": suffixes},
        kinds,
        st.lists(text, min_size=1, max_size=2),
        _redirect(isTemplateTest=True),
    )


def _tier() -> st.SearchStrategy[dict[str, Any]]:
    amount = st.integers(0, 100)
    return st.fixed_dictionaries({"minimumUnits": amount, "maximumUnits": amount, "unitDiscount": amount})


CHANGES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "content/onsiteEdits": st.fixed_dictionaries({"onsiteEdits": st.lists(_edit(), min_size=1, max_size=3)}),
    "content/advanced": st.fixed_dictionaries(
        {
            "onsiteInjection": st.fixed_dictionaries(
                {"customCss": code.filter(bool)},
                optional={
                    "customJs": code,
                    "jsInjectionMode": st.fixed_dictionaries(
                        {"type": st.sampled_from(["immediately", "onWindowLoad"])}
                    ),
                },
            )
        }
    ),
    "content/url": st.fixed_dictionaries({"redirects": st.lists(_redirect(), min_size=1, max_size=2)}),
    "content/theme": st.fixed_dictionaries(
        {"redirects": st.lists(_redirect(isThemeTest=True), min_size=1, max_size=2)}
    ),
    "content/template": st.fixed_dictionaries(
        {"redirects": st.lists(_template_redirect(), min_size=1, max_size=2)}
    ),
    "personalization": st.fixed_dictionaries({"onsiteEdits": st.lists(_edit(), min_size=1, max_size=2)}),
    "personalization/offer": st.builds(
        lambda tiers, kind: {"offer": offer(tiers=tiers, discountType=kind)},
        st.lists(_tier(), max_size=3),
        _enum("offer", "discountType"),
    ),
}
assert set(CHANGES) == set(TYPES)


@st.composite
def experiences(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    count = draw(st.integers(1, 5))
    names = draw(st.lists(text, min_size=count, max_size=count, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    shares = [high - low for low, high in zip([0, *cuts], [*cuts, 100], strict=True)]
    control = draw(st.integers(0, count - 1))
    variations = [
        {"name": name, "percentage": share, "isControl": True}
        if index == control
        else {"name": name, "percentage": share, **draw(CHANGES[kind])}
        for index, (name, share) in enumerate(zip(names, shares, strict=True))
    ]
    status = draw(_enum_top("status"))
    document: dict[str, Any] = {"name": draw(text), "type": kind, "status": status, "variations": variations}
    if status == "ended" and draw(st.booleans()):
        document["winner"] = draw(st.sampled_from(names))
    if draw(st.booleans()):
        document["id"] = str(draw(st.uuids(version=4)))
    if draw(st.booleans()):
        document["description"] = draw(st.none() | st.text(printable, max_size=80))
    metrics = draw(st.lists(_enum("keyMetric", "standardEventId"), unique=True, max_size=3))
    if metrics:
        document["experienceKeyMetrics"] = [
            {"standardEventId": metric, **({"isPrimary": True} if index == 0 else {})}
            for index, metric in enumerate(metrics)
        ]
    if draw(st.booleans()):
        views = SCHEMA["properties"]["experienceAnalysis"]["properties"]["analyticsViewType"]["enum"]
        document["experienceAnalysis"] = {"analyticsViewType": draw(st.sampled_from(views))}
    return document


def _enum_top(field: str) -> st.SearchStrategy[str]:
    return st.sampled_from(SCHEMA["properties"][field]["enum"])
