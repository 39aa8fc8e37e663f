"""The client against the emulator, in-process and over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
from support.bodies import onsite_edits_experience, with_ids
from support.emulator import TOKEN, last_month, new_sandbox, serve_over_http
from support.openapi import path_template, request_validator, require_spec, response_validator, schema_errors
from support.processes import free_port

from igops.api import (
    AmbiguousCreate,
    ConnectionFailed,
    IntelligemsClient,
    ListFilters,
    NotFound,
    RateLimited,
    RetryPolicy,
    Secret,
    ServerError,
    Unauthorized,
    ValidationFailed,
)
from igops.config import DEFAULT_PROJECT, ConfigError, ProjectConfig, Settings
from igops.engine.connect import open_client
from igops.sandbox import Faults, Sandbox

FAST = RetryPolicy(max_attempts=5, base_delay=0.002, max_delay=0.02, rng=random.Random(3))
MODES = ["in-process", "http"]


@dataclass
class Exchange:
    method: str
    path: str
    request_body: Any
    status: int
    response_body: Any


@dataclass
class RecordingTransport(httpx.AsyncBaseTransport):
    """Keeps every request and answer that passes through, for conformance checks."""

    inner: httpx.AsyncBaseTransport
    exchanges: list[Exchange] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                _json_or_none(request.content),
                response.status_code,
                _json_or_none(content),
            )
        )
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


ClientFactory = Callable[..., IntelligemsClient]


@contextmanager
def clients(sandbox: Sandbox, mode: str, recorder: list[Exchange] | None = None) -> Iterator[ClientFactory]:
    """A factory of clients talking to `sandbox` the way `mode` says."""

    def wrap(transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if recorder is None:
            return transport
        recording = RecordingTransport(transport)
        recording.exchanges = recorder
        return recording

    if mode == "http":
        with serve_over_http(sandbox) as url:
            yield lambda token=TOKEN, retry=FAST: IntelligemsClient(
                Secret(token), url, transport=wrap(httpx.AsyncHTTPTransport()), retry=retry
            )
    else:
        yield lambda token=TOKEN, retry=FAST: IntelligemsClient(
            Secret(token), "http://sandbox", transport=wrap(sandbox.transport()), retry=retry
        )


def run_with(
    factory: ClientFactory, scenario: Callable[[IntelligemsClient], Awaitable[Any]], **options: Any
) -> Any:
    async def main() -> Any:
        async with factory(**options) as client:
            return await scenario(client)

    return asyncio.run(main())


async def full_lifecycle(client: IntelligemsClient) -> dict[str, Any]:
    """Every endpoint igops uses, in the order a real run would use them."""
    written = onsite_edits_experience("Homepage hero headline")
    created = await client.create_experience(written)
    assert created["status"] == "pending" and created["isPreview"] is True
    fetched = await client.get_experience(created["id"])
    assert fetched["id"] == created["id"]
    assert {v["name"] for v in fetched["variations"]} == {"Control", "Free shipping headline"}
    listed = await client.list_experiences()
    assert [item["id"] for item in listed] == [created["id"]]

    updated = await client.update_experience(
        created["id"], with_ids({**written, "description": "Sharper copy"}, fetched)
    )
    assert updated["description"] == "Sharper copy"
    assert updated["lastUpdateTs"] > fetched["lastUpdateTs"]
    assert [v["id"] for v in updated["variations"]] == [v["id"] for v in fetched["variations"]]

    started = await client.act(created["id"], "start")
    assert (started["status"], started["isPreview"]) == ("started", False)
    assert (await client.act(created["id"], "pause"))["status"] == "paused"
    assert (await client.act(created["id"], "start"))["status"] == "started"
    results = await client.experience_analytics(created["id"], {})
    assert isinstance(results, dict) and results
    sitewide = await client.sitewide_analytics(last_month())
    assert sitewide["All"]["n_visitors"]["value"] > 0
    winner = next(v["id"] for v in fetched["variations"] if not v["isControl"])
    ended = await client.act(created["id"], "end", variation_id=winner)
    assert ended["status"] == "ended"
    return ended


@pytest.mark.parametrize("mode", MODES)
def test_every_endpoint_through_a_whole_lifecycle(mode: str) -> None:
    sandbox = new_sandbox()
    with clients(sandbox, mode) as factory:
        ended = run_with(factory, full_lifecycle)
    assert sandbox.experiences()[0]["status"] == ended["status"] == "ended"


def test_client_traffic_conforms_to_the_published_spec() -> None:
    require_spec()
    exchanges: list[Exchange] = []
    with clients(new_sandbox(), "in-process", exchanges) as factory:
        run_with(factory, full_lifecycle)
    checked = 0
    for exchange in exchanges:
        template = path_template(exchange.path)
        if template is None:
            continue
        if exchange.method in ("POST", "PUT") and exchange.request_body is not None:
            errors = schema_errors(request_validator(exchange.method, template), exchange.request_body)
            assert not errors, f"request {exchange.method} {exchange.path}: {errors}"
        if exchange.status == 200:
            errors = schema_errors(response_validator(exchange.method, template), exchange.response_body)
            assert not errors, f"response {exchange.method} {exchange.path}: {errors}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("mode", MODES)
def test_pagination_and_filters_beyond_one_page(mode: str) -> None:
    async def scenario(client: IntelligemsClient) -> None:
        created = await asyncio.gather(
            *(client.create_experience(onsite_edits_experience(f"Test {n:02d}")) for n in range(25))
        )
        for experience in created[:3]:
            await client.act(experience["id"], "start")
        first = await client.list_page(1, 10)
        assert (first.total, first.total_pages, len(first.items)) == (25, 3, 10)
        everything = await client.list_experiences(page_size=10)
        assert sorted(item["name"] for item in everything) == [f"Test {n:02d}" for n in range(25)]
        started = await client.list_experiences(ListFilters(status="started"), page_size=2)
        assert sorted(item["id"] for item in started) == sorted(e["id"] for e in created[:3])

    with clients(new_sandbox(), mode) as factory:
        run_with(factory, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_each_error_type(mode: str) -> None:
    sandbox = new_sandbox()
    bad_split = onsite_edits_experience("Bad split")
    bad_split["variations"][0]["percentage"] = 70
    with clients(sandbox, mode) as factory:
        with pytest.raises(Unauthorized):
            run_with(factory, lambda c: c.list_page(), token="not-the-token")
        with pytest.raises(Unauthorized):
            run_with(factory, lambda c: c.list_page(), token="")
        with pytest.raises(ValidationFailed) as refused:
            run_with(factory, lambda c: c.create_experience(bad_split))
        assert refused.value.field_errors
        with pytest.raises(NotFound):
            run_with(factory, lambda c: c.get_experience("00000000-0000-4000-8000-000000000000"))

        sandbox.faults.throttle_rate = 1.0
        with pytest.raises(RateLimited):
            run_with(factory, lambda c: c.list_page())
        sandbox.faults.throttle_rate = 0.0
        sandbox.faults.fail_rate = 1.0
        with pytest.raises(ServerError):
            run_with(factory, lambda c: c.list_page())
        sandbox.faults.fail_rate = 0.0

        sandbox.faults.drop_rate = 1.0
        with pytest.raises(AmbiguousCreate):
            run_with(factory, lambda c: c.create_experience(onsite_edits_experience("Dropped")))
        sandbox.faults.drop_rate = 0.0
        # The create was committed although its answer was lost: exactly one, found by name.
        named = [e for e in run_with(factory, lambda c: c.list_experiences()) if e["name"] == "Dropped"]
        assert len(named) == 1


def test_unreachable_api_is_a_connection_error() -> None:
    closed_port = free_port()

    async def scenario() -> None:
        async with IntelligemsClient(Secret(TOKEN), f"http://127.0.0.1:{closed_port}", retry=FAST) as client:
            await client.list_page()

    with pytest.raises(ConnectionFailed, match="Could not reach"):
        asyncio.run(scenario())


@pytest.mark.parametrize("mode", MODES)
def test_retries_ride_out_random_server_failures(mode: str) -> None:
    sandbox = new_sandbox(faults=Faults(seed=11))

    async def scenario(client: IntelligemsClient) -> None:
        created = await client.create_experience(onsite_edits_experience("Flaky"))
        sandbox.faults.fail_rate = 0.3
        fetched = await asyncio.gather(*(client.get_experience(created["id"]) for _ in range(40)))
        assert {e["id"] for e in fetched} == {created["id"]}

    with clients(sandbox, mode) as factory:
        run_with(factory, scenario)
    failures = [r for r in sandbox.requests if r.status == 500]
    assert len(failures) >= 3, "the fault injection did not fail anything; the test proves nothing"


@pytest.mark.parametrize("mode", MODES)
def test_pacing_spends_three_bursts_with_few_429s(mode: str) -> None:
    # 150 reads = 3x the documented burst of 50; refills are 30x faster than real.
    sandbox = new_sandbox(rate_limits=True, rate_scale=30.0)

    async def scenario(client: IntelligemsClient) -> None:
        created = await client.create_experience(onsite_edits_experience("Popular"))
        fetched = await asyncio.gather(*(client.get_experience(created["id"]) for _ in range(149)))
        assert len(fetched) == 149

    with clients(sandbox, mode) as factory:
        run_with(factory, scenario, retry=RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=1.0))
    statuses = [r.status for r in sandbox.requests]
    assert statuses.count(200) == 150
    assert statuses.count(429) <= 3


def test_sandbox_url_runs_the_emulator_in_process(tmp_path: Any) -> None:
    state = tmp_path / "account.json"

    async def create_then_list() -> list[str]:
        settings = Settings.resolve(api=f"sandbox:{state}", environ={})
        async with open_client(settings) as client:
            await client.create_experience(onsite_edits_experience("Persisted"))
        async with open_client(settings) as client:
            return [item["name"] for item in await client.list_experiences()]

    assert asyncio.run(create_then_list()) == ["Persisted"]
    assert state.is_file()

    async def temporary() -> int:
        async with open_client(Settings.resolve(api="sandbox:", environ={})) as client:
            return len(await client.list_experiences())

    assert asyncio.run(temporary()) == 0


@pytest.mark.parametrize("mode", MODES)
def test_token_never_appears_in_logs_or_errors(
    mode: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = new_sandbox(faults=Faults(seed=5))
    texts: list[str] = []
    caplog.set_level(logging.DEBUG)
    with clients(sandbox, mode) as factory:
        run_with(factory, full_lifecycle)
        sandbox.faults.fail_rate = 0.5
        for call in (
            lambda c: c.list_page(),
            lambda c: c.get_experience("nope"),
            lambda c: c.create_experience({"name": ""}),
        ):
            try:
                run_with(factory, call)
            except Exception as exc:
                texts += [str(exc), repr(exc), repr(exc.__cause__), repr(exc.__context__)]
        sandbox.faults.fail_rate = 0.0
        for token in ("wrong-token", TOKEN + "x"):
            with pytest.raises(Unauthorized) as caught:
                run_with(factory, lambda c: c.list_page(), token=token)
            texts += [str(caught.value), repr(caught.value)]
    captured = capsys.readouterr()
    texts += [record.getMessage() for record in caplog.records]
    texts += [captured.out, captured.err, repr(sandbox.requests), repr(sandbox.writes)]
    assert len(caplog.records) > 0, "nothing was logged: the check would prove nothing"
    leaks = [text for text in texts if TOKEN in text]
    assert not leaks


def test_settings_take_the_flag_then_the_environment_then_igops_yaml() -> None:
    env = {"IGOPS_API_URL": "http://from-env", "MY_TOKEN": "t"}

    def project_with(**account: str) -> ProjectConfig:
        return replace(DEFAULT_PROJECT, accounts=(replace(DEFAULT_PROJECT.account, **account),))

    project = project_with(token_env="MY_TOKEN")
    assert Settings.resolve("http://flag", env, project=project).api_url == "http://flag"
    assert Settings.resolve(None, env, project=project).api_url == "http://from-env"
    configured = Settings.resolve(
        None, {"MY_TOKEN": "t"}, project=project_with(token_env="MY_TOKEN", api_url="http://yaml")
    )
    assert configured.api_url == "http://yaml" and configured.token.reveal() == "t"
    with pytest.raises(ConfigError, match="MY_TOKEN is not set"):
        Settings.resolve(None, {}, project=project)
    with pytest.raises(ConfigError, match=r"neither an http\(s\) URL"):
        Settings.resolve("ftp://x", env, project=project)
    assert Settings.resolve("sandbox:", {}).token.reveal() == "sandbox-token"
