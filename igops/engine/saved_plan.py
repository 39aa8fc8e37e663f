"""Saved plans (`igops plan --out`): sealed so apply runs exactly what was reviewed, or nothing.

The plan document is signed with an HMAC: a file edited after it was written, or made with another
account's token, is refused. Apply also refuses a plan whose experience files or live experiences moved
since it was made. The HMAC's key is derived from the API token with scrypt and a random salt kept in the
plan, never the token itself: a saved plan is a CI artifact anyone with read access can download, and a
key that cheap to test would let them try token guesses offline at full speed; each scrypt derivation
costs about 0.1 s.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from igops.api import Secret
from igops.documents.plan import plan_document, plan_from_document
from igops.errors import IgopsError
from igops.model import Plan
from igops.moments import clock_text, utc_text

SAVED_PLAN_FORMAT = "igops-saved-plan/2"
# The first format's HMAC was keyed by the token itself.
_TOKEN_KEYED_FORMAT = "igops-saved-plan/1"
# scrypt's cost: about 0.1 s and 32 MiB a derivation. A plan names them, and only these are accepted, so
# that a crafted file cannot make apply spend minutes or gigabytes.
KDF = {"name": "scrypt", "n": 2**15, "r": 8, "p": 1}
_SALT_BYTES = 16
# A plan of a thousand new experiences is about 5 MB: a file far larger is not one igops wrote.
MAX_SAVED_PLAN_BYTES = 64 * 1024 * 1024


class SavedPlanError(IgopsError):
    """The file cannot be applied; the message says why and what to do."""


# Several stores' plans in one file: each store's section is sealed on its own, with its own token.
SAVED_STORES_FORMAT = "igops-saved-stores/1"


def save_plan(plan: Plan, api_url: str, token: Secret) -> str:
    """The saved plan's text: the plan document, for this API, sealed with a key derived from the token."""
    return json.dumps(_sealed(plan, api_url, token), indent=2, sort_keys=True) + "\n"


def save_store_plans(plans: Sequence[tuple[Plan, str, Secret]]) -> str:
    """The saved plans of several stores (each plan with its API and token) as one file: a section a store,
    each sealed as save_plan seals a plan."""
    stores = {plan.store: _sealed(plan, api_url, token) for plan, api_url, token in plans}
    return json.dumps({"format": SAVED_STORES_FORMAT, "stores": stores}, indent=2, sort_keys=True) + "\n"


def _sealed(plan: Plan, api_url: str, token: Secret) -> dict[str, Any]:
    kdf = {**KDF, "salt": os.urandom(_SALT_BYTES).hex()}
    body = {"format": SAVED_PLAN_FORMAT, "api_url": api_url, "kdf": kdf, "plan": plan_document(plan)}
    return {**body, "signature": _sign(body, token)}


def read_saved_plan(
    text: str, api_url: str | None, token: Secret, source: str, store: str | None = None
) -> Plan:
    """The plan inside a saved plan (its section for `store`, when the repository has several), once it is
    shown to be intact, for this API (any, with None), and well formed."""
    saved = _json(text, source)
    several = isinstance(saved, dict) and saved.get("format") == SAVED_STORES_FORMAT
    if store is None and several:
        raise SavedPlanError(
            f"{source} holds the plans of several stores, and this repository's igops.yaml has no stores: "
            "make a plan here with igops plan --out FILE."
        )
    if store is not None:
        if not several:
            raise SavedPlanError(
                f"{source} is not a plan of this repository's stores (igops.yaml has stores): make one with "
                "igops plan --out FILE."
            )
        sections = saved.get("stores") if isinstance(saved.get("stores"), dict) else {}
        if store not in sections:
            raise SavedPlanError(
                f"{source} holds no plan of the store {store} (it holds {', '.join(sections) or 'none'}): "
                f"make one with igops plan --store {store} --out FILE."
            )
        saved = sections[store]
    try:
        return plan_from_document(_unseal(saved, api_url, token, source))
    except ValueError as exc:
        raise SavedPlanError(f"{source}: {exc}") from None


def saved_stores(text: str, source: str) -> tuple[str, ...]:
    """The stores a saved plan holds a section for (none for one store's plan, or what is no saved plan)."""
    saved = _json(text, source)
    if isinstance(saved, dict) and saved.get("format") == SAVED_STORES_FORMAT:
        return tuple(saved.get("stores") or {})
    return ()


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SavedPlanError(
            f"{source} is not a saved igops plan (not JSON): make one with igops plan --out FILE."
        ) from None
    except RecursionError:
        raise SavedPlanError(
            f"{source} is not a saved igops plan (nested too deeply): make one with igops plan --out FILE."
        ) from None


def _unseal(saved: Any, api_url: str | None, token: Secret, source: str) -> dict[str, Any]:
    if isinstance(saved, dict) and saved.get("format") == _TOKEN_KEYED_FORMAT:
        raise SavedPlanError(
            f"{source} was saved by an older igops, whose seal this one no longer "
            "accepts: make a new plan with igops plan --out."
        )
    if not isinstance(saved, dict) or saved.get("format") != SAVED_PLAN_FORMAT:
        raise SavedPlanError(f"{source} is not a saved igops plan: make one with igops plan --out FILE.")
    body = {key: value for key, value in saved.items() if key != "signature"}
    # Checked before any derivation: a crafted cost would be paid in full.
    if not _derived_as_igops_derives(saved.get("kdf")):
        raise SavedPlanError(
            f"{source} is not sealed as igops seals plans (its key derivation is not "
            f"scrypt with n={KDF['n']}, r={KDF['r']}, p={KDF['p']} and a salt): make a new "
            "plan with igops plan --out."
        )
    if not hmac.compare_digest(str(saved.get("signature", "")), _sign(body, token)):
        raise SavedPlanError(
            f"{source} was changed after igops wrote it, or was made with another API "
            "token: make a new plan with igops plan --out."
        )
    if api_url is not None and saved.get("api_url") != api_url:
        raise SavedPlanError(
            f"{source} was made against {saved.get('api_url')}, not {api_url}: "
            "make a new plan against this API."
        )
    return dict(saved["plan"])


def stale_reasons(
    plan: Plan, files_hash: str, live_items: Sequence[Mapping[str, Any]], now: float | None = None
) -> list[str]:
    """What moved since the plan was made, for the experiences it changes, and the schedule boundaries
    passed between its clock and `now` (apply's) for every experience it covers; empty when still good."""
    reasons = []
    if plan.files_hash != files_hash:
        reasons.append("the experience files changed since the plan was made")
    reasons += _boundaries_passed(plan, now)
    by_id = {item["id"]: item for item in live_items}
    names = {item["name"] for item in live_items}
    for experience in plan.changed:
        if experience.experience_id is None:
            if experience.name in names:
                reasons.append(f"{experience.key}: an experience named {experience.name!r} now exists")
            continue
        live = by_id.get(experience.experience_id)
        if live is None:
            reasons.append(f"{experience.key}: the experience {experience.experience_id} is gone")
        elif live.get("lastUpdateTs") != experience.last_update_ts:
            reasons.append(
                f"{experience.key}: changed in the account since the plan (lastUpdateTs "
                f"{experience.last_update_ts} -> {live.get('lastUpdateTs')})"
            )
        elif live.get("status") != experience.live_status:
            reasons.append(
                f"{experience.key}: status moved from {experience.live_status} to {live.get('status')}"
            )
    return reasons


def _boundaries_passed(plan: Plan, now: float | None) -> list[str]:
    """A scheduled action that fell due between the plan's clock and apply's: the plan held it back, and
    applying it as made would do what the files no longer ask for at this hour."""
    if plan.now is None or now is None:
        return []
    earlier, later = sorted((plan.now, now))
    return [
        f"{experience.key}: its scheduled {action.kind} ({clock_text(action.due)}) fell due after the plan "
        f"was made ({utc_text(plan.now)})"
        for experience in plan.experiences
        for action in experience.scheduled
        if earlier < action.due.timestamp() <= later
    ]


def _derived_as_igops_derives(kdf: Any) -> bool:
    """Whether `kdf` names KDF's parameters and a salt of the size igops draws."""
    if not isinstance(kdf, dict) or {key: kdf.get(key) for key in KDF} != KDF:
        return False
    try:
        return isinstance(kdf.get("salt"), str) and len(bytes.fromhex(kdf["salt"])) == _SALT_BYTES
    except ValueError:
        return False


def _sign(body: Mapping[str, Any], token: Secret) -> str:
    """The HMAC of the body, keyed by scrypt(token, the body's salt)."""
    kdf = body["kdf"]
    key = hashlib.scrypt(
        token.reveal().encode(),
        salt=bytes.fromhex(kdf["salt"]),
        n=kdf["n"],
        r=kdf["r"],
        p=kdf["p"],
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()
