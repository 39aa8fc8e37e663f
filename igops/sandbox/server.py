"""Serving the sandbox over HTTP with uvicorn."""

from __future__ import annotations

import contextlib
import logging

import uvicorn

from . import Sandbox, SandboxConfig

# uvicorn reports an answer left incomplete as an error; here it is the injected drop.
_DROP_MESSAGE = "ASGI callable returned without completing response."


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_MESSAGE


_QUIET_DROPS = _QuietDrops()


def make_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8787) -> uvicorn.Server:
    logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)  # idempotent
    config = uvicorn.Config(
        sandbox.app, host=host, port=port, log_level="warning", lifespan="off", access_log=False
    )
    return uvicorn.Server(config)


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8787) -> None:
    """Run the sandbox until interrupted; Ctrl-C is the normal way out, not an error."""
    server = make_server(Sandbox(config), host, port)
    # uvicorn shuts down gracefully, then re-raises the interrupt it captured.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
