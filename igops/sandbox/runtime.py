"""Everything one sandbox's endpoints share."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import SandboxConfig
from .faults import FaultDice
from .journal import RecordedRequest, RecordedWrite
from .late import LateCommits
from .ratelimit import RateLimiter
from .store import Store


@dataclass
class Runtime:
    config: SandboxConfig
    store: Store
    limiter: RateLimiter | None  # None when rate limits are off
    dice: FaultDice
    writes: list[RecordedWrite] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    late: LateCommits = field(default_factory=LateCommits)
