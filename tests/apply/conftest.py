"""Fixtures of the apply tests: a copy of the example repository with an empty account."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import prepare_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repository as the working directory; its account is empty."""
    return prepare_project(tmp_path, monkeypatch)
