"""How close the client's pacing comes to the rate-limit floor, against the emulator.

Runs reads and full-replacement updates with the documented bucket sizes, time-scaled with
--rate-scale, and prints calls, 429s, wall time and the ratio to the floor, where the floor
for k calls in one bucket is max(0, k - burst) / refill_rate.

    python bench/client_pacing.py --reads 200 --updates 30 --rate-scale 20
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from igops.api import DOCUMENTED_RATES, Group, IntelligemsClient, RetryPolicy, Secret
from igops.sandbox import Sandbox, SandboxConfig

READS, UPDATES = DOCUMENTED_RATES[Group.EXPERIENCES], DOCUMENTED_RATES[Group.UPDATES]


def experience(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "content/advanced",
        "experienceAnalysis": {"analyticsViewType": "none"},
        "variations": [
            {"name": "Control", "isControl": True, "percentage": 50, "order": 0},
            {"name": "Challenger", "percentage": 50, "order": 1},
        ],
    }


async def measure(reads: int, updates: int, scale: float) -> None:
    sandbox = Sandbox(SandboxConfig(token="bench", rate_limits=True, rate_scale=scale))
    retry = RetryPolicy(max_attempts=10, base_delay=0.05, max_delay=2.0)
    async with IntelligemsClient(
        Secret("bench"), "http://sandbox", transport=sandbox.transport(), retry=retry
    ) as client:
        created = await client.create_experience(experience("Bench"))
        live = await client.get_experience(created["id"])
        sandbox.requests.clear()

        began = time.monotonic()
        await asyncio.gather(*(client.get_experience(created["id"]) for _ in range(reads)))
        read_wall = time.monotonic() - began
        read_429 = sum(1 for r in sandbox.requests if r.status == 429)

        body = {**experience("Bench"), "id": live["id"]}
        pairs = zip(body["variations"], live["variations"], strict=True)
        body["variations"] = [{**variation, "id": read["id"]} for variation, read in pairs]
        sandbox.requests.clear()
        began = time.monotonic()
        await asyncio.gather(
            *(client.update_experience(live["id"], {**body, "description": f"r{n}"}) for n in range(updates))
        )
        update_wall = time.monotonic() - began
        update_429 = sum(1 for r in sandbox.requests if r.status == 429)

    # The first reads spent 2 tokens of the read bucket before timing started.
    read_floor = READS.floor_seconds(reads + 2, scale=scale)
    update_floor = UPDATES.floor_seconds(updates, scale=scale)
    print(f"rate scale {scale:g} (real-time figures are these x{scale:g}); the emulator refills in steps,")
    print("so the first refill may come early and a run can beat the continuous floor by one interval")
    for label, calls, wall, floor, throttled in (
        ("reads", reads, read_wall, read_floor, read_429),
        ("updates", updates, update_wall, update_floor, update_429),
    ):
        ratio = f"{wall / floor:.2f}x floor" if floor else "no floor (within burst)"
        print(
            f"{label:8} calls={calls:4}  429s={throttled:3}  wall={wall:6.2f}s  floor={floor:6.2f}s  {ratio}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--rate-scale", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(measure(args.reads, args.updates, args.rate_scale))


if __name__ == "__main__":
    main()
