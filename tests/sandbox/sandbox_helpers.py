"""Calling the in-process emulator from plain (sync) tests, and realistic write bodies."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx

from igops.sandbox import Faults, Sandbox, SandboxConfig

TOKEN = "sandbox-test-token-4f2a"
PREFIX = "/v25-10-beta"


def new_sandbox(**options: Any) -> Sandbox:
    options.setdefault("token", TOKEN)
    options.setdefault("rate_limits", False)
    options.setdefault("faults", Faults())
    return Sandbox(SandboxConfig(**options))


async def acall(
    sandbox: Sandbox, method: str, path: str, *, token: str | None = TOKEN, **kwargs: Any
) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["intelligems-access-token"] = token
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as client:
        return await client.request(method, PREFIX + path, headers=headers, **kwargs)


def call(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return asyncio.run(acall(sandbox, method, path, **kwargs))


def create(sandbox: Sandbox, experience: dict[str, Any]) -> dict[str, Any]:
    response = call(sandbox, "POST", "/experiences", json={"experience": experience})
    assert response.status_code == 200, response.text
    return response.json()["experience"]


def get(sandbox: Sandbox, experience_id: str) -> dict[str, Any]:
    response = call(sandbox, "GET", f"/experiences/{experience_id}")
    assert response.status_code == 200, response.text
    return response.json()["experience"]


def act(sandbox: Sandbox, experience_id: str, action: str, **body: Any) -> httpx.Response:
    return call(sandbox, "POST", f"/experiences/{experience_id}/actions/{action}", json=body)


def put(sandbox: Sandbox, experience_id: str, experience: dict[str, Any]) -> httpx.Response:
    return call(sandbox, "PUT", f"/experiences/{experience_id}", json={"experience": experience})


def field_errors(response: httpx.Response) -> dict[str, list[str]]:
    """The 400 envelope's per-field messages; asserts the envelope's shape on the way."""
    body = response.json()
    assert set(body) == {"errors", "properties"}, body
    return {path: entry["errors"] for path, entry in body["properties"].items()}


# Write bodies, one per creatable type.


def _control(**extra: Any) -> dict[str, Any]:
    return {"name": "Control", "percentage": 50, "isControl": True, "order": 0, **extra}


def _challenger(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "percentage": 50, "isControl": False, "order": 1, **extra}


def _experience(name: str, kind: str, variations: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "description": f"{name}: sandbox fixture",
        "experienceAnalysis": {"analyticsViewType": "test_orders_only"},
        "previewPath": "/",
        "variations": variations,
        "experienceKeyMetrics": [{"order": 0, "isPrimary": True, "standardEventId": "conversionRate"}],
        **extra,
    }


def onsite_edits(name: str = "Hero headline") -> dict[str, Any]:
    edit = {
        "find": "Shop the collection",
        "replace": "Free shipping on every order",
        "querySelectors": ["h1.hero__title"],
        "onsiteEditType": "text",
        "insertType": None,
    }
    return _experience(
        name,
        "content/onsiteEdits",
        [_control(), _challenger("Benefit headline", onsiteEdits=[edit])],
        experiencePageTargeting=[
            {"expression": [{"query": {"key": "path", "value": "/", "filter": "equals", "type": "url"}}]}
        ],
    )


def _redirect(origin: str, destination: str, **flags: Any) -> dict[str, Any]:
    return {
        "group": 0,
        "originUrl": origin,
        "destinationUrl": destination,
        "skip": False,
        "isThemeTest": flags.get("theme", False),
        "isTemplateTest": flags.get("template", False),
        "templateType": flags.get("template_type"),
        "templateSuffixes": flags.get("suffixes", []),
    }


def url_redirect(name: str = "New landing page") -> dict[str, Any]:
    return _experience(
        name,
        "content/url",
        [_control(), _challenger("Landing v2", redirects=[_redirect("/pages/sale", "/pages/sale-v2")])],
    )


def theme(name: str = "Dawn refresh") -> dict[str, Any]:
    redirect = _redirect("/", "/?preview_theme_id=1234567", theme=True)
    return _experience(
        name, "content/theme", [_control(), _challenger("Refreshed theme", redirects=[redirect])]
    )


def template(name: str = "Long product page") -> dict[str, Any]:
    redirect = _redirect(
        "/products/tee", "/products/tee", template=True, template_type="product", suffixes=["long"]
    )
    return _experience(
        name, "content/template", [_control(), _challenger("Long template", redirects=[redirect])]
    )


def advanced(name: str = "Sticky add to cart") -> dict[str, Any]:
    injection = {
        "customCss": ".atc { position: sticky; bottom: 0 }",
        "customJs": "document.body.classList.add('sticky-atc')",
        "jsInjectionMode": {"type": "onWindowLoad"},
    }
    return _experience(
        name, "content/advanced", [_control(), _challenger("Sticky", onsiteInjection=injection)]
    )


def personalization(name: str = "Mobile visitors") -> dict[str, Any]:
    edit = {"find": "Welcome", "replace": "Welcome back", "insertType": None, "onsiteEditType": "text"}
    audience = {
        "enabled": True,
        "audienceType": "custom",
        "elseAction": "experienceExclude",
        "filters": [
            {
                "priority": 0,
                "action": "experienceInclude",
                "filterType": "device",
                "expression": [
                    {"query": {"key": "device", "value": "mobile", "filter": "equals", "type": "device"}}
                ],
            }
        ],
        "excludeCurrency": {"exclude": False, "currency": None},
    }
    variations = [
        {**_control(), "percentage": 10},
        {**_challenger("Personalized", onsiteEdits=[edit]), "percentage": 90},
    ]
    return _experience(name, "personalization", variations, audience=audience)


def offer(name: str = "Spend more, save more") -> dict[str, Any]:
    deal = {
        "name": "Tiered discount",
        "enabled": True,
        "unitType": "dollar",
        "discountType": "percentage",
        "tiers": [
            {"minimumUnits": 50, "maximumUnits": 99, "unitDiscount": 10, "discountTitle": "10% off"},
            {"minimumUnits": 100, "maximumUnits": 1000, "unitDiscount": 15, "discountTitle": "15% off"},
        ],
        "discountApplicationType": "tieredDiscount",
        "discountApplicationMethod": "perOrder",
        "combinesWithIntelligems": False,
        "combinesWithShopify": True,
        "shouldRejectCodes": False,
        "shippingDiscount": None,
    }
    audience = {"enabled": False, "elseAction": None}
    return _experience(
        name, "personalization/offer", [_control(), _challenger("Tiered", offer=deal)], audience=audience
    )


CREATABLE = {
    "content/onsiteEdits": onsite_edits,
    "content/url": url_redirect,
    "content/theme": theme,
    "content/template": template,
    "content/advanced": advanced,
    "personalization": personalization,
    "personalization/offer": offer,
}


def as_write(read: dict[str, Any]) -> dict[str, Any]:
    """A PUT body from a GET answer, the way a client turns the read shape back into a write."""
    read = copy.deepcopy(read)
    variations = read["variations"]

    def variation(v: dict[str, Any]) -> dict[str, Any]:
        return {
            **{
                key: v[key]
                for key in (
                    "id",
                    "name",
                    "percentage",
                    "isControl",
                    "order",
                    "priceChange",
                    "priceChangeUnit",
                    "priceRoundingType",
                    "priceRoundingAmount",
                    "excludeProducts",
                    "includeProducts",
                    "redirects",
                    "offer",
                )
            },
            "onsiteEdits": [
                {
                    k: value
                    for k, value in edit.items()
                    if k not in ("isHtml", "isImage", "createdAtTs", "createdAtUrl")
                }
                for edit in v["onsiteEdits"]
            ],
            "onsiteInjection": v["onsiteInjections"],
        }

    body = {
        key: read[key]
        for key in ("id", "name", "description", "type", "experienceAnalysis", "previewPath", "currency")
    }
    body["variations"] = [variation(v) for v in variations]
    body["experiencePageTargeting"] = [
        {"id": t["id"], "expression": t["expression"]} for t in read["experiencePageTargeting"]
    ]
    body["experienceKeyMetrics"] = [
        {
            key: metric[key]
            for key in ("id", "order", "isPrimary", "standardEventId", "experienceCustomMetricId")
        }
        for metric in read["experienceKeyMetrics"]
    ]
    audience = read["audience"]
    if audience is not None:
        else_id = audience.pop("elseVariationId")
        for key in ("experienceId", "wholesale"):
            audience.pop(key)
        if else_id is not None:
            audience["elseVariationIndex"] = str([v["id"] for v in variations].index(else_id))
        body["audience"] = audience
    return body
