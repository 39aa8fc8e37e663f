"""Process entry points for the shared-state tests (importable by spawned children)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sandbox_helpers import acall, new_sandbox, onsite_edits


def create_many(state_path: str, prefix: str, count: int) -> None:
    sandbox = new_sandbox(state_path=Path(state_path))

    async def run() -> None:
        for index in range(count):
            body = {"experience": onsite_edits(f"{prefix}-{index}")}
            response = await acall(sandbox, "POST", "/experiences", json=body)
            assert response.status_code == 200, response.text

    asyncio.run(run())
