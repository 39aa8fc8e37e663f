"""The engine's error: an operation that could not be carried out, said in one sentence per line."""

from __future__ import annotations

from igops.errors import IgopsError


class EngineError(IgopsError):
    """An operation could not be carried out; the message says why and what to do (one line each)."""
