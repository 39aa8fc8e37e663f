"""Serving the sandbox over HTTP with uvicorn."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import FrameType

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


class _Terminated(Exception):
    """SIGTERM, raised where the default action would end the process before the state is closed."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def _stopping_on_sigterm() -> Iterator[None]:
    """SIGTERM (kill, a service manager, a CI runner's cleanup) stops the server as Ctrl-C does.

    uvicorn shuts down gracefully on SIGTERM too, then raises it again under the handler it found:
    the default one would end the process there, leaving the WAL beside the state file.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals; its own handlers stay as they are
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with contextlib.suppress(_Terminated):
            yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    config: SandboxConfig,
    host: str = "127.0.0.1",
    port: int = 8787,
    on_listening: Callable[[int], None] | None = None,
) -> None:
    """Run the sandbox until interrupted; Ctrl-C or SIGTERM is the normal way out, not an error.

    `on_listening` is told the port bound (the one the system chose, for port 0). Raises
    StateFileError for a state file that is not a sandbox state, and OSError when the address
    cannot be bound (bound here, before uvicorn, so the caller can say so plainly).
    """
    sandbox = Sandbox(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it, each small answer on a kept-alive connection
        # waits about 40 ms for the client's delayed acknowledgement (Nagle's algorithm).
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind((host, port))
        # Listening before the port is announced: a client that connects at once is queued until
        # uvicorn accepts, not refused.
        listener.listen(2048)
        bound = int(listener.getsockname()[1])
        if on_listening is not None:
            on_listening(bound)
        server = make_server(sandbox, host, bound)
        # uvicorn shuts down gracefully, then re-raises the interrupt it captured.
        with _stopping_on_sigterm(), contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[listener])
    finally:
        listener.close()
        sandbox.close()  # leaves one self-contained state file behind
