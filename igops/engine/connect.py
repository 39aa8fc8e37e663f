"""Settings -> a ready API client, over HTTP or against the in-process sandbox.

The one place that knows both the client and the emulator, so that neither knows the other.
"""

from __future__ import annotations

from pathlib import Path

from igops.api import IntelligemsClient, RetryPolicy
from igops.config import SANDBOX_SCHEME, SCENARIO_ENV, Settings
from igops.engine.errors import EngineError
from igops.files.targets import write_problem
from igops.sandbox import Sandbox, SandboxConfig, ScenarioError, StateFileError, load_scenario

SANDBOX_BASE_URL = "http://sandbox"


def open_client(
    settings: Settings, *, retry: RetryPolicy | None = None, max_in_flight: int = 8
) -> IntelligemsClient:
    """A client for `settings.api_url`; `sandbox:` and `sandbox:PATH` run the emulator in-process."""
    if not settings.uses_sandbox:
        return IntelligemsClient(
            settings.token,
            settings.api_url,
            timeout=settings.timeout,
            token_env=settings.account.token_env,
            retry=retry,
            max_in_flight=max_in_flight,
        )
    state = settings.api_url[len(SANDBOX_SCHEME) :].strip()
    # The emulator keeps its state there (and its journal beside it): a new path or a regular file only.
    problem = write_problem(Path(state)) if state else None
    if problem is not None:
        raise StateFileError(Path(state), problem)
    try:
        scenario = load_scenario(settings.sandbox_scenario) if settings.sandbox_scenario else {}
    except ScenarioError as exc:
        raise EngineError(f"{exc}: fix the file {SCENARIO_ENV} names, or unset it.") from None
    sandbox = Sandbox(
        SandboxConfig(
            token=settings.token.reveal(), state_path=Path(state) if state else None, scenario=scenario
        )
    )
    return IntelligemsClient(
        settings.token,
        SANDBOX_BASE_URL,
        transport=sandbox.transport(),
        timeout=settings.timeout,
        token_env=settings.account.token_env,
        retry=retry,
        max_in_flight=max_in_flight,
    )
