"""Process entry points for the shared-state tests (importable by spawned children)."""

from __future__ import annotations

import asyncio
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from support.bodies import as_write, onsite_edits
from support.emulator import acall, new_sandbox


def write_many(state_path: str, prefix: str, count: int, shared: int, start: Barrier) -> None:
    """Create `count` experiences, edit and start each one, and between them try to create the
    first `shared` of the names the other process tries too: in an account where names are unique,
    each is taken by one of the two, the check and the write never split by the other's.

    Writing begins when every process passed `start`, once its sandbox is open.
    """
    sandbox = new_sandbox(state_path=Path(state_path), unique_names=True)
    start.wait()

    async def write(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await acall(sandbox, method, path, json=body)
        assert response.status_code == 200, response.text
        experience: dict[str, Any] = response.json()["experience"]
        return experience

    async def run() -> None:
        for index in range(count):
            created = await write("POST", "/experiences", {"experience": onsite_edits(f"{prefix}-{index}")})
            edited = {**as_write(created), "description": f"edited by {prefix}"}
            await write("PUT", f"/experiences/{created['id']}", {"experience": edited})
            await write("POST", f"/experiences/{created['id']}/actions/start", {})
            if index < shared:
                body = {"experience": onsite_edits(f"shared-{index}")}
                response = await acall(sandbox, "POST", "/experiences", json=body)
                assert response.status_code in (200, 400), response.text

    asyncio.run(run())
