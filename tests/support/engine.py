"""Building desired experiences and running plans against an in-process emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from igops.api import IntelligemsClient, Secret
from igops.engine.importing import file_document
from igops.engine.pipeline import make_plan
from igops.files import check_text
from igops.files.writer import experience_text
from igops.model import DesiredExperience, Plan
from igops.normalize import canonical_desired, create_payload
from igops.sandbox import Sandbox
from support.emulator import TOKEN
from support.files import dump

T = TypeVar("T")


def desired(document: dict[str, Any], key: str = "example") -> DesiredExperience:
    """A checked DesiredExperience from a file document; fails the test if the document is invalid."""
    return _checked(dump(document), key)


def imported(document: dict[str, Any], key: str = "imported") -> DesiredExperience:
    """The file `import` writes for a live experience, read back as plan reads it."""
    return _checked(experience_text(file_document(document), Path("experiences"), None), key)


def _checked(text: str, key: str) -> DesiredExperience:
    result = check_text(text, Path(f"experiences/{key}.yaml"))
    assert not result.errors, [str(error) for error in result.errors]
    assert result.experience is not None
    return result.experience


def with_client(sandbox: Sandbox, work: Callable[[IntelligemsClient], Awaitable[T]]) -> T:
    async def session() -> T:
        transport = sandbox.transport()
        async with IntelligemsClient(Secret(TOKEN), "http://sandbox", transport=transport) as client:
            return await work(client)

    return asyncio.run(session())


def plan(sandbox: Sandbox, experiences: Sequence[DesiredExperience], **options: Any) -> Plan:
    return with_client(sandbox, lambda client: make_plan(client, experiences, **options))


async def create_as_igops(client: IntelligemsClient, experience: DesiredExperience) -> dict[str, Any]:
    """Create the experience the way apply will, then walk it to the file's status."""
    created = await client.create_experience(create_payload(canonical_desired(experience.body)))
    steps = {"draft": [], "started": ["start"], "paused": ["start", "pause"], "ended": ["start", "end"]}
    for action in steps[experience.status]:
        winner = None
        if action == "end" and experience.winner is not None:
            winner = next(v["id"] for v in created["variations"] if v["name"] == experience.winner)
        created = await client.act(created["id"], action, variation_id=winner)
    return await client.get_experience(created["id"])
