"""The emulator's tests: the marker of the one that runs schemathesis, so that it can be deselected."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "schemathesis: schemathesis against the emulator over HTTP on 127.0.0.1, with the API description "
        "(a minute or two; deselect with -m 'not schemathesis')",
    )
