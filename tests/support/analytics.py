"""Shared by the analytics tests: the fixed clock and experiences in the API's read shape."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

DAY = 86_400
NOW = 1_752_000_000  # 2025-07-08T18:40:00Z: the fixed clock every analytics test runs at


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def make_experience(
    seed: int,
    *,
    variations: int = 2,
    status: str = "started",
    started_days_ago: float = 30,
    live_days: float | None = None,
    percentages: list[float] | None = None,
    primary: str | None = None,
) -> dict[str, Any]:
    """An experience in the API's read shape, as the emulator stores it."""
    rng = random.Random(seed)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    experience_id = new_id()
    shares = percentages or [
        100 // variations + (100 % variations if i == 0 else 0) for i in range(variations)
    ]
    started = None if status == "pending" else (NOW - started_days_ago * DAY) * 1000
    stopped = None if started is None or live_days is None else started + live_days * DAY * 1000
    return {
        "id": experience_id,
        "name": f"Experience {seed}",
        "status": status,
        "type": "content/advanced",
        "category": "experiment",
        "createdAtTs": (NOW - 60 * DAY) * 1000,
        "startedAtTs": started,
        "pausedAtTs": stopped if status == "paused" else None,
        "endedAtTs": stopped if status == "ended" else None,
        "experienceKeyMetrics": [
            {
                "id": new_id(),
                "experienceId": experience_id,
                "order": 0,
                "isPrimary": True,
                "standardEventId": primary,
                "experienceCustomMetricId": None,
            }
        ]
        if primary
        else [],
        "variations": [
            {
                "id": new_id(),
                "experienceId": experience_id,
                "name": "Control" if i == 0 else f"Variant {chr(65 + i)}",
                "isControl": i == 0,
                "percentage": share,
                "order": i,
                "onsiteEdits": [],
                "functionSyncError": False,
            }
            for i, share in enumerate(shares)
        ],
    }
