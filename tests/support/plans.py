"""Hand-built plans for the renderer tests, and the golden-file check.

Regenerate the golden files after an intended change of output, then review the diff:

    IGOPS_UPDATE_GOLDEN=1 pytest tests/render
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from igops.engine.decide import plan_experience
from igops.engine.rules import DEFAULT_BOOK, PlanInputs, assess
from igops.model import (
    Change,
    ChangeKind,
    DesiredExperience,
    ExperiencePlan,
    FieldChange,
    Plan,
    PlanError,
    Schedule,
    UnmanagedExperience,
)
from igops.normalize import canonical_desired

GOLDEN = Path(__file__).resolve().parents[1] / "render" / "golden"
LONG_HTML_BEFORE = (
    '<div class="banner"><h2>Free shipping on every order over $50</h2>'
    "<p>Arrives in 2-4 business days. Returns are free for 30 days.</p></div>"
)
LONG_HTML_AFTER = LONG_HTML_BEFORE.replace("2-4 business days", "1-3 business days")
ODD_NAME = "Pricing copy <v2> | `beta` *bold* [link](https://example.com) & more"
STICKY_CSS = """\
@media (max-width: 749px) {
  .product-form__buttons {
    position: fixed; bottom: 0; left: 0; right: 0;
    z-index: 20; padding: 12px 16px; background: #fff;
    box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.12);
  }
}
"""
# The same rules with more around them, and one line changed and one added in the middle.
STICKY_CSS_BEFORE = (
    ".product-form { margin: 0; }\n.product-form__input { width: 100%; }\n"
    ".product-form__submit { min-height: 44px; }\n.product-form__error { color: #b00; }\n"
    + STICKY_CSS
    + ".footer { padding-bottom: 72px; }\n.footer__links { gap: 8px; }\n"
    ".footer__copyright { opacity: 0.7; }\n.footer__payment { display: none; }\n"
)
STICKY_CSS_AFTER = STICKY_CSS_BEFORE.replace(
    "    position: fixed; bottom: 0; left: 0; right: 0;\n",
    "    position: sticky; bottom: 0;\n    padding-bottom: env(safe-area-inset-bottom);\n",
)
# A canonical variation as igops plans it: the API's defaults filled in, which no plan should show.
VARIATION_DEFAULTS = {
    "isControl": False,
    "excludeProducts": False,
    "includeProducts": False,
    "cartTargeting": [],
    "onsiteEdits": [],
    "redirects": [],
}


def assert_golden(name: str, text: str) -> None:
    """`text` is what tests/render/golden/`name` holds (plus the file's final newline)."""
    path = GOLDEN / name
    if os.environ.get("IGOPS_UPDATE_GOLDEN") == "1":
        path.write_text(text + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text + "\n", (
        f"{name} differs from the rendered output; if the change is intended, "
        "regenerate with IGOPS_UPDATE_GOLDEN=1 pytest tests/render and review the diff"
    )


def experience(key: str, name: str, **overrides: Any) -> ExperiencePlan:
    """An existing, unchanged experience; `overrides` set the fields a test cares about."""
    fields: dict[str, Any] = {
        "key": key,
        "name": name,
        "path": f"experiences/{key}.yaml",
        "experience_id": f"exp-{key}",
        "live_status": "started",
        "desired_status": "started",
        "last_update_ts": 1_764_000_000_000,
        "changes": (),
        "desired": {"name": name, "type": "content/onsiteEdits", "variations": []},
    }
    return ExperiencePlan(**{**fields, **overrides})


def review_plan() -> Plan:
    """One of everything a reviewer may see: every rail among them."""
    experiences = (
        experience(
            "homepage-hero",
            "Homepage hero headline",
            experience_id=None,
            live_status=None,
            last_update_ts=None,
            changes=(Change(ChangeKind.CREATE), Change(ChangeKind.START)),
            desired={
                "name": "Homepage hero headline",
                "type": "content/onsiteEdits",
                "variations": [
                    {"name": "Control", "percentage": 50, "isControl": True},
                    {"name": "Benefit-led", "percentage": 50, "isControl": False},
                ],
            },
        ),
        experience(
            "checkout-banner",
            "Checkout banner",
            changes=(
                Change(
                    ChangeKind.UPDATE,
                    fields=(
                        FieldChange("description", None, "Does naming the free-shipping threshold lift AOV?"),
                        FieldChange(
                            "experienceKeyMetrics",
                            [{"standardEventId": "conversionRate", "isPrimary": True}],
                            [
                                {"standardEventId": "avgOrderValue", "isPrimary": True},
                                {"standardEventId": "conversionRate", "isPrimary": False},
                            ],
                        ),
                        FieldChange('variations["Control"].percentage', 50, 40),
                        FieldChange(
                            'variations["Free shipping headline"].onsiteEdits[0].html',
                            LONG_HTML_BEFORE,
                            LONG_HTML_AFTER,
                        ),
                        FieldChange('variations["Free shipping headline"].percentage', 50, 60),
                        FieldChange(
                            'variations["Old banner"]',
                            {"name": "Old banner", "isControl": False, "percentage": 0},
                            None,
                        ),
                    ),
                ),
            ),
        ),
        experience(
            "summer-sale",
            "Summer sale",
            desired_status="paused",
            changes=(Change(ChangeKind.PAUSE),),
        ),
        experience(
            "pdp-badges",
            "PDP badges",
            desired_status="ended",
            changes=(Change(ChangeKind.END, winner="Badge above price"),),
        ),
        experience(
            "cart-upsell",
            "Cart upsell",
            live_status="paused",
            desired_status="ended",
            changes=(Change(ChangeKind.END),),
            warnings=("the file was renamed from cart-upsell-v1.yaml without an id: pin.",),
        ),
        experience(
            "pricing-copy",
            ODD_NAME,
            live_status="paused",
            changes=(
                Change(ChangeKind.UPDATE, (FieldChange('variations["B"].isControl', False, True),)),
                Change(ChangeKind.START),
            ),
        ),
        experience(
            "spring-sale",
            "Spring sale",
            live_status="ended",
            desired_status="ended",
            notes=(
                "ended experiences cannot change: 1 difference(s) from the file ignored "
                '(variations["B"].percentage).',
            ),
        ),
        experience("footer-links", "Footer links", live_status="pending", desired_status="draft"),
    )
    return Plan(
        experiences=experiences,
        risks=assess(PlanInputs(experiences), DEFAULT_BOOK.with_option("max-changes", "max", 6).in_force()),
        unmanaged=(
            UnmanagedExperience(
                "4b8e1f0c-77aa-4e51-9a39-2f3b7c1d9e20", "Black Friday pricing", "pricing", "ended"
            ),
            UnmanagedExperience(
                "c1d2e3f4-0000-4abc-8def-123456789abc", "Post-purchase survey", "postPurchase", "started"
            ),
        ),
        files_hash="sha256:5f2b9c0d7e",
    )


def unchanged_plan() -> Plan:
    return Plan(
        experiences=(experience("footer-links", "Footer links"),),
        unmanaged=(UnmanagedExperience("4b8e1f0c", "Black Friday pricing", "pricing", "ended"),),
        files_hash="sha256:0a1b2c",
    )


def failing_plan() -> Plan:
    """Plan errors next to a change: the renderers show both."""
    return Plan(
        experiences=(
            experience(
                "homepage-hero",
                "Homepage hero headline",
                experience_id=None,
                live_status=None,
                last_update_ts=None,
                desired_status="draft",
                changes=(Change(ChangeKind.CREATE),),
            ),
        ),
        errors=(
            PlanError(
                "old-promo",
                "old-promo: status draft: the experience has already started, and the API cannot move it "
                "back to pending: set status: paused to stop it, or status: ended to end it.",
            ),
            PlanError(None, "two files are named 'Summer sale': each experience needs exactly one file."),
        ),
    )


def created_plan() -> Plan:
    """A new experience: every field it is created with, none of the defaults the canonical form fills in."""
    desired = {
        "name": "Sticky add-to-cart bar on mobile product pages",
        "type": "content/advanced",
        "description": "Keeps the add-to-cart button in view while shoppers scroll product pages on phones.",
        "experienceAnalysis": {"analyticsViewType": "none"},
        "variations": [
            {"name": "Control", "percentage": 50, **VARIATION_DEFAULTS, "isControl": True},
            {
                "name": "Sticky bar",
                "percentage": 50,
                **VARIATION_DEFAULTS,
                "onsiteInjection": {
                    "customCss": STICKY_CSS,
                    "customJs": 'document.body.classList.add("has-sticky-atc");\n',
                    "jsInjectionMode": {"type": "onWindowLoad"},
                },
            },
        ],
        "audience": {
            "enabled": True,
            "audienceType": "common",
            "elseAction": "experienceExclude",
            "elseExcludeFromAnalytics": False,
            "filters": [
                {
                    "priority": 0,
                    "action": "randomVariation",
                    "filterType": "device",
                    "expression": [
                        {"query": {"key": "device", "value": "mobile", "filter": "equals", "type": "device"}},
                    ],
                    "expressionType": "common",
                    "excludeFromAnalytics": False,
                }
            ],
            "excludeCurrency": {"exclude": False},
        },
        "experiencePageTargeting": [
            {
                "expression": [
                    {
                        "query": {
                            "key": "path",
                            "value": "/products/",
                            "filter": "startsWith",
                            "type": "urlPath",
                        }
                    }
                ]
            },
        ],
        "experienceKeyMetrics": [
            {"isPrimary": True, "standardEventId": "addToCartRate"},
            {"isPrimary": False, "standardEventId": "conversionRate"},
        ],
    }
    return Plan(
        (
            experience(
                "sticky-add-to-cart",
                desired["name"],
                experience_id=None,
                live_status=None,
                last_update_ts=None,
                changes=(Change(ChangeKind.CREATE), Change(ChangeKind.START)),
                desired=desired,
            ),
        )
    )


def added_variation_plan() -> Plan:
    """A third variation for a draft experience, as the engine's diff reports it: one whole object."""
    summer = {
        "name": "Summer theme",
        "percentage": 33,
        **VARIATION_DEFAULTS,
        "redirects": [
            {
                "group": 1,
                "originUrl": "/",
                "destinationUrl": "/",
                "queryParams": [{"key": "preview_theme_id", "value": "141203216548"}],
                "skip": False,
                "isThemeTest": True,
                "isTemplateTest": False,
                "templateSuffixes": [],
                "redirectOnce": False,
                "filter": "contains",
                "redirectType": "fullReplacement",
            }
        ],
    }
    fields = (
        FieldChange('variations["Live theme"].percentage', 50, 34),
        FieldChange('variations["Spring theme"].percentage', 50, 33),
        FieldChange('variations["Summer theme"]', None, summer),
    )
    return Plan(
        (
            experience(
                "spring-theme-refresh",
                "Spring theme refresh",
                live_status="pending",
                desired_status="draft",
                changes=(Change(ChangeKind.UPDATE, fields),),
            ),
        )
    )


def css_change_plan() -> Plan:
    """A stylesheet edited in its middle: a line diff, the unchanged lines far from it counted."""
    path = 'variations["Sticky bar"].onsiteInjection.customCss'
    return Plan(
        (
            experience(
                "sticky-add-to-cart",
                "Sticky add-to-cart bar on mobile product pages",
                live_status="paused",
                desired_status="paused",
                changes=(
                    Change(ChangeKind.UPDATE, (FieldChange(path, STICKY_CSS_BEFORE, STICKY_CSS_AFTER),)),
                ),
            ),
        )
    )


def many_plan(count: int) -> Plan:
    """`count` updated experiences, far more than one PR comment holds."""
    return Plan(
        experiences=tuple(
            experience(
                f"experience-{index:04d}",
                f"Experience {index}",
                changes=(
                    Change(
                        ChangeKind.UPDATE,
                        fields=(
                            FieldChange('variations["Control"].percentage', 50, 45),
                            FieldChange('variations["B"].percentage', 50, 55),
                        ),
                    ),
                    Change(ChangeKind.PAUSE),
                ),
            )
            for index in range(count)
        )
    )


def scheduled_plan() -> Plan:
    """A calendar at work, planned by the engine at a fixed clock: a start not yet due (created as a draft
    now), a start due and late, and an end the schedule holds back."""
    now = datetime.fromisoformat("2026-12-02T09:00:00+01:00").timestamp()
    body = {
        "name": "",
        "type": "content/advanced",
        "variations": [
            {"name": "Control", "percentage": 50, "isControl": True},
            {"name": "Sticky bar", "percentage": 50, "onsiteInjection": {"customCss": ".bar { top: 0; }"}},
        ],
    }

    def file(
        key: str, name: str, status: str, schedule: Schedule, winner: str | None = None
    ) -> DesiredExperience:
        return DesiredExperience(
            key,
            Path(f"experiences/{key}.yaml"),
            name,
            "content/advanced",
            status,
            winner,
            None,
            {**body, "name": name},
            schedule=schedule,
        )

    def live(id_: str, name: str, status: str) -> dict[str, Any]:
        return {
            **canonical_desired({**body, "name": name}),
            "id": id_,
            "status": status,
            "lastUpdateTs": 1,
            "createdAtTs": 1,
            "startedAtTs": None,
        }

    monday = Schedule(start=datetime.fromisoformat("2026-12-07T09:00:00+01:00"))
    late = Schedule(start=datetime.fromisoformat("2026-12-02T06:30:00+01:00"))
    holiday = Schedule(end=datetime.fromisoformat("2026-12-27T00:00:00-05:00"))
    planned = (
        plan_experience(file("pdp-sticky-bar", "PDP sticky bar", "started", monday), None, now=now),
        plan_experience(
            file("cart-upsell", "Cart upsell", "started", late),
            live("e-2", "Cart upsell", "pending"),
            now=now,
        ),
        plan_experience(
            file("holiday-offer", "Holiday offer", "ended", holiday, "Sticky bar"),
            live("e-3", "Holiday offer", "started"),
            now=now,
        ),
    )
    assert all(isinstance(item, ExperiencePlan) for item in planned), planned
    return Plan(
        experiences=tuple(p for p in planned if isinstance(p, ExperiencePlan)),
        files_hash="sha256:5ced",
        now=now,
    )
