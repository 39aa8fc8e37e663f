"""Scenarios: a way to make experiences tell chosen stories in the emulator's analytics.

A scenario file maps experience names to directives, and is the emulator's own
(`igops sandbox serve --scenario FILE`; `IGOPS_SANDBOX_SCENARIO` for `sandbox:` URLs):

    Homepage hero headline: started 14.5 days ago, sample ratio mismatch

so that no experience file carries the emulator's story to a real store. As a fallback for tests, an
experience the scenario does not name may carry the directives in its `description`, as one bracketed
marker `[sandbox DIRECTIVE, ...]` (or `[sandbox: ...]`, which YAML wants quoted). The directives:

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
from pathlib import Path
from typing import Any

import yaml

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


NO_STORY = Markers()


def markers(experience: Mapping[str, Any], scenario: Mapping[str, str] | None = None) -> Markers:
    """The story the scenario tells for the experience's name, else its description's `[sandbox: ...]`
    marker, else none."""
    told = (scenario or {}).get(str(experience.get("name")))
    if told is not None:
        return _directives(told)
    description = experience.get("description")
    found = _MARKER.search(description) if isinstance(description, str) else None
    return NO_STORY if found is None else _directives(found.group(1))


class ScenarioError(Exception):
    """A scenario file the emulator cannot use; the message completes "<path> ..."."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


def load_scenario(path: Path) -> dict[str, str]:
    """The scenario in `path`: a YAML mapping of experience names to directives."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    except yaml.YAMLError:
        raise ScenarioError(path, "is not valid YAML") from None
    if document is None:
        return {}
    if not isinstance(document, dict) or not all(
        isinstance(name, str) and isinstance(told, str) for name, told in document.items()
    ):
        raise ScenarioError(
            path, "is not a mapping of experience names to directives (Name: started 12 days ago, uplift +8%)"
        )
    return dict(document)


def _directives(text: str) -> Markers:
    started, srm, cart, purchase = 0.0, False, None, None
    for directive in re.split(r"[,;]", text.lower()):
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
