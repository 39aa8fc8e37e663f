"""Shared fixtures: a fresh emulator per test, configured by keyword."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from emulator_support import TOKEN

from igops.sandbox import Sandbox, SandboxConfig


@pytest.fixture
def make_sandbox() -> Callable[..., Sandbox]:
    def make(**options: object) -> Sandbox:
        options.setdefault("token", TOKEN)
        options.setdefault("rate_limits", False)
        return Sandbox(SandboxConfig(**options))  # type: ignore[arg-type]

    return make
