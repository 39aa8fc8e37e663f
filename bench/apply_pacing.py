"""How close `igops apply` comes to the update bucket's floor, against the emulator.

Makes N experiences live, edits every file once, then plans and applies the N updates with the
documented limits (time-scaled with --rate-scale), and prints the calls, the 429s, the wall time and
its ratio to the floor: max(0, N - burst) / refill_rate for the update bucket (burst 10, 10 per 60 s).

    python bench/apply_pacing.py --updates 30 --rate-scale 30
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from igops.api import DOCUMENTED_RATES, Group, IntelligemsClient, Secret
from igops.engine.apply import apply_plan
from igops.engine.pipeline import make_plan
from igops.files import check_text
from igops.files.yamldoc import dump
from igops.model import DesiredExperience
from igops.normalize import canonical_desired, create_payload
from igops.sandbox import Sandbox, SandboxConfig

TOKEN = "bench"
UPDATES = DOCUMENTED_RATES[Group.UPDATES]


def document(n: int, description: str) -> dict[str, Any]:
    return {
        "name": f"Bench experience {n:03}",
        "type": "content/advanced",
        "description": description,
        "status": "draft",
        "variations": [
            {"name": "Control", "isControl": True, "percentage": 50},
            {"name": "Challenger", "percentage": 50, "onsiteInjection": {"customCss": f".n{n} {{}}"}},
        ],
    }


def checked(body: dict[str, Any], n: int) -> DesiredExperience:
    result = check_text(dump(body), Path(f"experiences/bench-{n:03}.yaml"))
    assert result.experience is not None, [str(error) for error in result.errors]
    return result.experience


async def seed(state: Path, count: int) -> list[DesiredExperience]:
    """The experiences live as "before"; returns the files as edited ("after")."""
    sandbox = Sandbox(SandboxConfig(token=TOKEN, state_path=state, rate_limits=False))
    async with IntelligemsClient(Secret(TOKEN), "http://sandbox", transport=sandbox.transport()) as client:
        for n in range(count):
            before = checked(document(n, "before"), n)
            await client.create_experience(create_payload(canonical_desired(before.body)))
    return [checked(document(n, "after"), n) for n in range(count)]


async def measure(count: int, scale: float) -> None:
    with tempfile.TemporaryDirectory() as temp:
        state = Path(temp) / "account.db"
        edited = await seed(state, count)
        sandbox = Sandbox(SandboxConfig(token=TOKEN, state_path=state, rate_limits=True, rate_scale=scale))
        transport = sandbox.transport()
        async with IntelligemsClient(Secret(TOKEN), "http://sandbox", transport=transport) as client:
            began = time.monotonic()
            plan = await make_plan(client, edited)
            planned = time.monotonic() - began
            report = await apply_plan(client, plan)
            wall = time.monotonic() - began
    assert report.ok, report
    calls = Counter(request.method for request in sandbox.requests)
    throttled = Counter(request.method for request in sandbox.requests if request.status == 429)
    floor = UPDATES.floor_seconds(count, scale=scale)
    print(f"rate scale {scale:g} (real-time figures are these x{scale:g}); the emulator refills in steps,")
    print("so the first refill may come early and a run can beat the continuous floor by one interval")
    print(
        f"updates={count}  calls: GET={calls['GET']} PUT={calls['PUT']}  "
        f"429s: GET={throttled['GET']} PUT={throttled['PUT']}"
    )
    ratio = f"{wall / floor:.2f}x floor" if floor else "no floor (within burst)"
    print(f"plan={planned:.2f}s  plan+apply wall={wall:.2f}s  floor={floor:.2f}s  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--rate-scale", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(measure(args.updates, args.rate_scale))


if __name__ == "__main__":
    main()
