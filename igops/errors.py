"""The one root of every error igops reports to its user as a sentence (or a few, one per line).

Each layer raises its own kind (ConfigError, ApiError, EngineError, ...), all of them IgopsErrors, so
that whoever runs a piece of igops catches one type, and a kind added later is caught without
touching a list. The emulator's errors are not among them: it stands alone.
"""

from __future__ import annotations


class IgopsError(Exception):
    """Something igops could not do; the message says why and what to do."""
