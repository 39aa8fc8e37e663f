"""How a sandbox is set up: token, state file, rate limits and injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Faults:
    """Injected misbehaviour. Mutable while the sandbox runs; every rate is a probability."""

    latency_ms: int = 0
    fail_rate: float = 0.0  # answer 500 without doing anything
    throttle_rate: float = 0.0  # answer a spurious 429 without doing anything
    drop_rate: float = 0.0  # writes only: commit, then drop the connection unanswered
    # Creates only, when above zero: every create the API would take is left unanswered (the
    # connection dropped) and commits this many seconds later, as a late commit does.
    commit_delay_s: float = 0.0
    seed: int | None = None  # deterministic fault sequence when set


@dataclass
class SandboxConfig:
    token: str = "sandbox-token"
    state_path: Path | None = None  # None keeps the state in memory only
    rate_limits: bool = True
    rate_scale: float = 1.0  # buckets refill this many times faster
    # Each bucket's refills counted from its first call rather than from the start: never sooner.
    refills_from_first_call: bool = False
    faults: Faults = field(default_factory=Faults)
    # The API lets two experiences share a name; True models an account that refuses it.
    unique_names: bool = False
    # Experience names -> the story the analytics tell for them (markers.py): the emulator's own.
    scenario: dict[str, str] = field(default_factory=dict)
