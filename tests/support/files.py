"""Small valid experiences, one per creatable type, that tests break one field at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from igops.files import FileResult, check_text
from igops.files.yamldoc import dump

FILE = Path("experiences/example.yaml")


def redirect(**fields: Any) -> dict[str, Any]:
    return {
        "group": 1,
        "originUrl": "/pages/a",
        "destinationUrl": "/pages/b",
        "skip": False,
        "isThemeTest": False,
        "isTemplateTest": False,
    } | fields


def offer(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Two for one",
        "discountApplicationType": "tieredDiscount",
        "discountApplicationMethod": "perItem",
        "combinesWithIntelligems": False,
        "combinesWithShopify": True,
        "shouldRejectCodes": False,
        "tiers": [{"minimumUnits": 2, "maximumUnits": 2, "unitDiscount": 50}],
    } | fields


# What the non-control variation of each type carries to be valid.
TYPE_CHANGE: dict[str, dict[str, Any]] = {
    "content/onsiteEdits": {"onsiteEdits": [{"find": "Old", "replace": "New", "onsiteEditType": "text"}]},
    "content/advanced": {"onsiteInjection": {"customCss": ".hero { color: red; }"}},
    "content/url": {"redirects": [redirect()]},
    "content/theme": {"redirects": [redirect(isThemeTest=True, destinationUrl="/")]},
    "content/template": {
        "redirects": [redirect(isTemplateTest=True, templateType="product", templateSuffixes=["alternate"])]
    },
    "personalization": {"onsiteEdits": [{"find": "Hello", "replace": "Welcome back"}]},
    "personalization/offer": {"offer": offer()},
}
TYPES = tuple(TYPE_CHANGE)


def experience(kind: str = "content/onsiteEdits", **fields: Any) -> dict[str, Any]:
    """A valid two-variation experience of type `kind`, with `fields` set at the top level."""
    document = {
        "name": f"Example {kind}",
        "type": kind,
        "status": "draft",
        "variations": [
            {"name": "Control", "isControl": True, "percentage": 50},
            {"name": "Variant", "percentage": 50, **copy.deepcopy(TYPE_CHANGE[kind])},
        ],
    }
    return document | fields


def check(document: Any) -> FileResult:
    return check_text(dump(document), FILE)


def messages(result: FileResult) -> list[str]:
    return [f"{error.field}: {error.message}" for error in result.errors]
