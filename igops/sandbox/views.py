"""What the read endpoints answer: the full experience, and the reduced list item."""

from __future__ import annotations

from typing import Any

from .changelog import MAX_ENTRIES
from .store import Record

_DETAIL_ONLY = frozenset(
    {
        "experienceCustomMetrics",
        "experienceIntegrations",
        "experienceKeyMetrics",
        "shippingTestMethodDefinitions",
        "shippingCarrierProvider",
    }
)


def detail(record: Record, *, include_change_log: bool = False) -> dict[str, Any]:
    experience = dict(record.experience)
    if include_change_log:
        experience["changeLog"] = record.change_log[:MAX_ENTRIES]
    return {"experience": experience}


def list_item(record: Record) -> dict[str, Any]:
    experience = record.experience
    item = {key: value for key, value in experience.items() if key not in _DETAIL_ONLY}
    item.update(
        # List items resolve no performers, and always carry a preview path string.
        experienceActions=[
            {key: value for key, value in action.items() if key != "performedBy"}
            for action in experience["experienceActions"]
        ],
        previewPath=experience["previewPath"] or "",
        hasSchedule=False,
        history=record.history,
        variations=[_list_variation(variation) for variation in experience["variations"]],
    )
    return item


def _list_variation(variation: dict[str, Any]) -> dict[str, Any]:
    offer = variation["offer"]
    return {
        "id": variation["id"],
        "experienceId": variation["experienceId"],
        "name": variation["name"],
        "percentage": variation["percentage"],
        "isControl": variation["isControl"],
        "order": variation["order"],
        "functionSyncError": variation["functionSyncError"],
        "testExperienceId": variation["testExperienceId"],
        "offerId": variation["offerId"],
        "redirects": variation["redirects"],
        "checkoutBlockTypes": [],
        "offerDiscountApplicationType": offer["discountApplicationType"] if offer else None,
        "offerDiscountApplicationMethod": offer["discountApplicationMethod"] if offer else None,
    }
