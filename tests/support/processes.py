"""Running igops as a separate process in tests: a free port for it, the emulator served by it, and stopping
it the way a user does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def interrupt(process: subprocess.Popen[Any]) -> None:
    """Ctrl-C the process and wait for it to end; killed when it has not within 10 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(state: Path, *options: str) -> Iterator[str]:
    """`igops sandbox serve --port 0 --state STATE [OPTIONS]`; yields the IGOPS_API_URL it announces."""
    log = state.with_suffix(".log")
    with open(log, "w", encoding="utf-8") as stderr:
        command = ["sandbox", "serve", "--port", "0", "--state", str(state), *options]
        process = subprocess.Popen(
            [sys.executable, "-m", "igops", *command],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "NO_COLOR": "1"},
        )
    try:
        deadline = time.monotonic() + 20
        while "IGOPS_API_URL=" not in log.read_text(encoding="utf-8"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"igops sandbox serve did not announce its port: {log.read_text('utf-8')}")
            time.sleep(0.05)
        yield log.read_text(encoding="utf-8").split("IGOPS_API_URL=", 1)[1].split()[0]
    finally:
        interrupt(process)
