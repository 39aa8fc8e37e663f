"""Every experience type an Intelligems account can hold, in one table.

For each: whether the API can create it (igops manages only those), whether it is a
personalization, and what every non-control variation must carry to be one of its kind. The
file schema's `type` enum, the lifecycle checks and the emulator agree with this table, as a
test checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Variation = Mapping[str, Any]


def _has_edits_or_code(variation: Variation) -> bool:
    return bool(variation.get("onsiteEdits")) or variation.get("onsiteInjection") is not None


def _has_code(variation: Variation) -> bool:
    injection = variation.get("onsiteInjection") or {}
    return bool(injection.get("customCss") or injection.get("customJs"))


def _has_redirects(flag: str | None) -> Callable[[Variation], bool]:
    def present(variation: Variation) -> bool:
        redirects = variation.get("redirects", [])
        return bool(redirects) and all(flag is None or redirect[flag] for redirect in redirects)

    return present


def _has_offer(variation: Variation) -> bool:
    return variation.get("offer") is not None


def _has_edits_code_or_redirects(variation: Variation) -> bool:
    return _has_edits_or_code(variation) or _has_redirects(None)(variation)


@dataclass(frozen=True)
class ExperienceType:
    name: str
    creatable: bool
    personalization: bool = False
    needs: str = ""  # what each non-control variation carries, in words
    present: Callable[[Variation], bool] | None = None  # whether a variation carries it
    redirect_flag: str | None = None  # the redirect flag that belongs to this type alone


EXPERIENCE_TYPES: tuple[ExperienceType, ...] = (
    ExperienceType(
        "content/onsiteEdits", True, needs="onsiteEdits or an onsiteInjection", present=_has_edits_or_code
    ),
    ExperienceType("content/url", True, needs="redirects", present=_has_redirects(None)),
    ExperienceType(
        "content/theme",
        True,
        needs="redirects with isThemeTest: true",
        present=_has_redirects("isThemeTest"),
        redirect_flag="isThemeTest",
    ),
    ExperienceType(
        "content/template",
        True,
        needs="redirects with isTemplateTest: true",
        present=_has_redirects("isTemplateTest"),
        redirect_flag="isTemplateTest",
    ),
    ExperienceType(
        "content/advanced", True, needs="an onsiteInjection with customCss or customJs", present=_has_code
    ),
    ExperienceType(
        "personalization",
        True,
        personalization=True,
        needs="onsiteEdits, an onsiteInjection or redirects",
        present=_has_edits_code_or_redirects,
    ),
    ExperienceType("personalization/offer", True, personalization=True, needs="an offer", present=_has_offer),
    # In accounts, but the API cannot create (or so update) them.
    ExperienceType("pricing", False),
    ExperienceType("checkoutBlock", False),
    ExperienceType("shipping", False),
    ExperienceType("sitewide", False),
    ExperienceType("postPurchase", False),
    ExperienceType("onsiteUpsell", False),
)

BY_NAME: dict[str, ExperienceType] = {kind.name: kind for kind in EXPERIENCE_TYPES}
CREATABLE_TYPES = frozenset(kind.name for kind in EXPERIENCE_TYPES if kind.creatable)
NOT_CREATABLE_TYPES = frozenset(kind.name for kind in EXPERIENCE_TYPES if not kind.creatable)
PERSONALIZATION_TYPES = frozenset(kind.name for kind in EXPERIENCE_TYPES if kind.personalization)
# A redirect flag belongs to exactly one experience type.
REDIRECT_FLAG_TYPES = {kind.redirect_flag: kind.name for kind in EXPERIENCE_TYPES if kind.redirect_flag}
