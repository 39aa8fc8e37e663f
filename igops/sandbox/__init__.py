"""The Intelligems emulator: a stateful stand-in for the External API v25-10-beta.

Serve `Sandbox(...).app` over HTTP (see `server.serve`) or talk to it in-process through
`Sandbox.transport()`. Validation errors name fields by dotted path from the body root,
list items by index: `experience.variations.1.percentage`.
"""

from __future__ import annotations

from typing import Any

import httpx

from .app import build_app
from .config import Faults, SandboxConfig
from .faults import FaultDice
from .journal import RecordedRequest, RecordedWrite
from .markers import ScenarioError, load_scenario
from .ratelimit import RateLimiter
from .runtime import Runtime
from .store import StateFileError, Store
from .transport import SandboxTransport

__all__ = [
    "Faults",
    "RecordedRequest",
    "RecordedWrite",
    "Sandbox",
    "SandboxConfig",
    "ScenarioError",
    "StateFileError",
    "load_scenario",
]


class Sandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.faults = self.config.faults
        limiter = (
            RateLimiter(self.config.rate_scale, from_first_call=self.config.refills_from_first_call)
            if self.config.rate_limits
            else None
        )
        self._runtime = Runtime(
            config=self.config,
            store=Store(self.config.state_path),
            limiter=limiter,
            dice=FaultDice(self.faults),
        )
        self.writes: list[RecordedWrite] = self._runtime.writes
        self.requests: list[RecordedRequest] = self._runtime.requests
        self.app = build_app(self._runtime)

    def transport(self) -> httpx.AsyncBaseTransport:
        """An in-process transport; a dropped connection raises httpx.RemoteProtocolError."""
        return SandboxTransport(self.app)

    def experiences(self) -> list[dict[str, Any]]:
        """The stored experiences in read shape, oldest first (copies: safe to change)."""
        with self._runtime.store.snapshot() as state:
            return [record.experience for record in state.records()]

    def close(self) -> None:
        """Release the state file; the sandbox answers no more requests, and creates it took
        that were to commit late never do."""
        self._runtime.late.close()
        self._runtime.store.close()
