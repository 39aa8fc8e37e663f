"""What an experience's type implies: its category, its module, and its test-type flags."""

from __future__ import annotations

from typing import Any

CATEGORIES = ("experiment", "personalization")
MODULES = ("content", "checkout", "postPurchase", "pricing", "merchandising", "shipping")

# Offers are discounts, so they filter with the pricing module; everything else the API can
# create changes storefront content.
_MODULE_BY_TYPE = {
    "pricing": "pricing",
    "personalization/offer": "pricing",
    "shipping": "shipping",
    "checkoutBlock": "checkout",
    "postPurchase": "postPurchase",
    "onsiteUpsell": "merchandising",
}


def category_of(experience_type: str) -> str:
    return "personalization" if experience_type.startswith("personalization") else "experiment"


def module_of(experience_type: str) -> str:
    return _MODULE_BY_TYPE.get(experience_type, "content")


def test_types(experience_type: str, variations: list[dict[str, Any]]) -> dict[str, bool]:
    """The hasTest* flags, from the type and from what the variations actually change."""
    redirects = [r for v in variations for r in v["redirects"]]
    injected = any(
        v["onsiteInjections"] and (v["onsiteInjections"]["customCss"] or v["onsiteInjections"]["customJs"])
        for v in variations
    )
    flags = {
        "hasTestPricing": experience_type == "pricing",
        "hasTestShipping": experience_type == "shipping",
        "hasTestCampaign": experience_type == "personalization/offer" or any(v["offer"] for v in variations),
        "hasTestContentUrl": experience_type == "content/url"
        or any(not (r["isThemeTest"] or r["isTemplateTest"]) for r in redirects),
        "hasTestContentAdvanced": experience_type == "content/advanced" or injected,
        "hasTestContentOnsite": experience_type == "content/onsiteEdits"
        or any(v["onsiteEdits"] for v in variations),
        "hasTestContentTemplate": experience_type == "content/template"
        or any(r["isTemplateTest"] for r in redirects),
        "hasTestContentTheme": experience_type == "content/theme" or any(r["isThemeTest"] for r in redirects),
        "hasTestOnsiteInjections": injected,
        "hasTestCheckoutBlocks": experience_type == "checkoutBlock",
        "hasTestPostPurchase": experience_type == "postPurchase",
        "hasTestOnsiteUpsell": experience_type == "onsiteUpsell"
        or any(c["config"]["type"] == "onsiteUpsell" for v in variations for c in v["components"]),
    }
    flags["hasTestContent"] = any(
        flags[name]
        for name in (
            "hasTestContentUrl",
            "hasTestContentAdvanced",
            "hasTestContentOnsite",
            "hasTestContentTemplate",
            "hasTestContentTheme",
        )
    )
    # The schema lists the flags in this order; keep it for readable payloads.
    order = (
        "hasTestPricing",
        "hasTestShipping",
        "hasTestCampaign",
        "hasTestContent",
        "hasTestContentUrl",
        "hasTestContentAdvanced",
        "hasTestContentOnsite",
        "hasTestContentTemplate",
        "hasTestContentTheme",
        "hasTestOnsiteInjections",
        "hasTestCheckoutBlocks",
        "hasTestPostPurchase",
        "hasTestOnsiteUpsell",
    )
    return {name: flags[name] for name in order}
