"""Dice for injected faults: seeded, so a test can replay the same sequence of failures."""

from __future__ import annotations

import random

from .config import Faults


class FaultDice:
    """Rolls against the live `Faults` settings, which tests may change at any time."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._seed = faults.seed
        self._random = random.Random(faults.seed)

    def _roll(self, rate: float) -> bool:
        # A zero rate draws nothing: the sequence depends only on the faults switched on.
        if rate <= 0:
            return False
        if self.faults.seed != self._seed:
            self._seed = self.faults.seed
            self._random = random.Random(self._seed)
        return self._random.random() < rate

    def fail(self) -> bool:
        return self._roll(self.faults.fail_rate)

    def throttle(self) -> bool:
        return self._roll(self.faults.throttle_rate)

    def drop(self) -> bool:
        return self._roll(self.faults.drop_rate)

    @property
    def latency_s(self) -> float:
        return max(0, self.faults.latency_ms) / 1000

    @property
    def commit_delay_s(self) -> float:
        return max(0.0, self.faults.commit_delay_s)
