"""Sandbox markers: a way to make one experience tell a chosen story in the emulator's analytics.

An experience's `description` may carry one bracketed marker, `[sandbox DIRECTIVE, ...]` (or
`[sandbox: ...]`, which YAML wants quoted), that only the emulator reads (to the real API it is a few
words of description):

- `started N days ago`: a first start dates `startedAtTs` N days back, so it has N days of traffic;
- `sample ratio mismatch` (or `srm`): every challenger gets 15% fewer visitors than its share says;
- `conversion collapse` (or `collapse`): every challenger's shoppers who reach the checkout buy a
  third as often as the control's (a broken checkout): it converts at a third of the control's rate;
- `uplift +N%` (or `-N%`): every challenger's true add-to-cart rate, and so its conversion rate, is the
  control's times 1 + N/100.

Directives are case-insensitive; ones the emulator does not know are ignored. Tests and `igops demo`
use them; nothing else in the emulator depends on them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_MARKER = re.compile(r"\[sandbox(?::|\s)([^\]]*)\]", re.IGNORECASE)
_STARTED = re.compile(r"started\s+(\d{1,4}(?:\.\d+)?)\s+days?\s+ago")
_UPLIFT = re.compile(r"uplift\s+([+-]?\d{1,3}(?:\.\d+)?)\s*%")

SRM_SHARE = 0.85  # a challenger's visitors, as a share of what its percentage promises
COLLAPSE_CONVERSION = 1 / 3  # a challenger's purchase rate, as a share of the control's


@dataclass(frozen=True)
class Markers:
    """What an experience's sandbox marker asks for; the defaults ask for nothing."""

    started_days_ago: float = 0.0
    sample_ratio_mismatch: bool = False
    add_to_cart: float | None = None  # the challengers' add-to-cart rate multiplier, when forced
    purchase: float | None = None  # the challengers' purchase rate (at checkout) multiplier, when forced


def markers(experience: Mapping[str, Any]) -> Markers:
    """The directives of the experience's `[sandbox: ...]` marker."""
    description = experience.get("description")
    found = _MARKER.search(description) if isinstance(description, str) else None
    if found is None:
        return Markers()
    started, srm, cart, purchase = 0.0, False, None, None
    for directive in re.split(r"[,;]", found.group(1).lower()):
        words = " ".join(directive.split())
        if (days := _STARTED.fullmatch(words)) is not None:
            started = float(days.group(1))
        elif words in ("sample ratio mismatch", "srm"):
            srm = True
        elif words in ("conversion collapse", "collapse"):
            purchase = COLLAPSE_CONVERSION
        elif (uplift := _UPLIFT.fullmatch(words)) is not None:
            cart = max(0.0, 1 + float(uplift.group(1)) / 100)
    return Markers(started, srm, cart, purchase)
