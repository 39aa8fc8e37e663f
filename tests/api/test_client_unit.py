"""The client's retry, error and fallback rules, against scripted answers (no server)."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.emulator import TOKEN

from igops import __version__
from igops.api import (
    AmbiguousCreate,
    ConnectionFailed,
    IntelligemsClient,
    NotFound,
    RateLimited,
    RetryPolicy,
    Secret,
    ServerError,
    Unauthorized,
    ValidationFailed,
)

FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005, rng=random.Random(1))
EXPERIENCE = {
    "id": "e1",
    "name": "Hero",
    "type": "content/onsiteEdits",
    "status": "pending",
    "lastUpdateTs": 1767225600000,
    "variations": [{"id": "v1", "name": "Control"}],
}

Answer = httpx.Response | Exception


class Script:
    """Answers requests in order from a list; records what was asked."""

    def __init__(self, *answers: Answer | Callable[[httpx.Request], Answer]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer) and not isinstance(answer, httpx.Response | Exception):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=body)


def run(script: Script, call: Callable[[IntelligemsClient], Any]) -> Any:
    async def scenario() -> Any:
        client = IntelligemsClient(
            Secret(TOKEN), "https://api.example.test", transport=httpx.MockTransport(script), retry=FAST
        )
        async with client:
            return await call(client)

    return asyncio.run(scenario())


def test_requests_carry_token_header_user_agent_and_version_prefix() -> None:
    script = Script(ok({"experience": EXPERIENCE}))
    assert run(script, lambda c: c.get_experience("e1")) == EXPERIENCE
    request = script.requests[0]
    assert request.url.path == "/v25-10-beta/experiences/e1"
    assert request.headers["intelligems-access-token"] == TOKEN
    assert request.headers["user-agent"] == f"igops/{__version__}"


def test_get_is_retried_on_500_and_429_and_connection_errors() -> None:
    script = Script(
        httpx.Response(500),
        httpx.Response(429),
        httpx.ConnectError("refused"),
        ok({"experience": EXPERIENCE}),
    )
    assert run(script, lambda c: c.get_experience("e1")) == EXPERIENCE
    assert len(script.requests) == 4


def test_retries_are_bounded_and_end_in_a_typed_error() -> None:
    script = Script(httpx.Response(503))
    with pytest.raises(ServerError, match="HTTP 503") as caught:
        run(script, lambda c: c.get_experience("e1"))
    assert len(script.requests) == FAST.max_attempts
    assert "after 4 attempt(s)" in str(caught.value)

    with pytest.raises(RateLimited):
        run(Script(httpx.Response(429)), lambda c: c.get_experience("e1"))
    with pytest.raises(ConnectionFailed, match=r"did not answer GET /experiences/e1 within 30s \(4 attempt"):
        run(Script(httpx.ReadTimeout("slow")), lambda c: c.get_experience("e1"))


def test_create_is_never_retried_after_the_request_may_have_arrived() -> None:
    for answer, reason in [
        (httpx.Response(500), "HTTP 500"),
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.RemoteProtocolError("dropped"), "dropped"),
    ]:
        script = Script(answer, ok({"experience": EXPERIENCE}))
        with pytest.raises(AmbiguousCreate, match=reason) as caught:
            run(script, lambda c: c.create_experience({"name": "Hero"}))
        assert caught.value.name == "Hero"
        assert "look it up by name" in str(caught.value)
        assert len(script.requests) == 1


def test_create_is_retried_when_the_request_certainly_never_arrived() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(429), ok({"experience": EXPERIENCE}))
    assert run(script, lambda c: c.create_experience({"name": "Hero"})) == EXPERIENCE
    assert len(script.requests) == 3
    assert json.loads(script.requests[0].content) == {"experience": {"name": "Hero"}}


def test_client_errors_are_typed_and_not_retried() -> None:
    envelope = {"errors": [], "properties": {"variations": {"errors": ["percentages must sum to 100"]}}}
    script = Script(httpx.Response(400, json=envelope))
    with pytest.raises(ValidationFailed) as caught:
        run(script, lambda c: c.update_experience("e1", {"name": "Hero"}))
    assert caught.value.field_errors == {"variations": ["percentages must sum to 100"]}
    assert "variations: percentages must sum to 100" in str(caught.value)
    assert len(script.requests) == 1

    with pytest.raises(Unauthorized, match="INTELLIGEMS_API_TOKEN"):
        run(Script(httpx.Response(401, json={"error": "Unauthorized"})), lambda c: c.get_experience("e1"))
    with pytest.raises(NotFound, match="check the id"):
        run(Script(httpx.Response(404)), lambda c: c.get_experience("e1"))


def test_a_404_on_a_path_without_an_id_blames_the_api_url() -> None:
    with pytest.raises(NotFound) as caught:
        run(Script(httpx.Response(404)), lambda c: c.list_page())
    assert str(caught.value) == (
        "Nothing found at GET /experiences-list (404): the API URL https://api.example.test is probably "
        "wrong; it should be the API's root, such as https://api.intelligems.io, to which igops adds "
        "/v25-10-beta."
    )


def test_an_answer_slower_than_the_timeout_is_a_failed_attempt_and_says_how_long_it_tried() -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)  # far beyond the timeout: the attempt is cut short, not waited for
        return ok({})

    retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01)

    async def scenario() -> tuple[list[str], float]:
        async with IntelligemsClient(
            Secret(TOKEN),
            "https://api.example.test",
            timeout=0.2,
            retry=retry,
            transport=httpx.MockTransport(never),
        ) as client:
            seen: list[str] = []

            async def watch() -> None:
                while True:
                    waiting = client.waiting()
                    if waiting is not None:
                        seen.append(waiting.describe(time.monotonic()))
                    await asyncio.sleep(0.05)

            watcher = asyncio.create_task(watch())
            began = time.monotonic()
            with pytest.raises(ConnectionFailed) as caught:
                await client.list_page()
            watcher.cancel()
            assert client.waiting() is None, "a request that ended is still listed as waited for"
            assert re.fullmatch(
                r"The Intelligems API at https://api.example.test did not answer GET /experiences-list "
                r"within 0\.2s \(2 attempt\(s\) over 0\.[4-9]s\): check the API URL and the network, or "
                r"allow more time \(--timeout, or timeout in igops\.yaml\)\.",
                str(caught.value),
            )
            return seen, time.monotonic() - began

    seen, took = asyncio.run(scenario())
    assert took < 1.5
    for attempt in (1, 2):
        wanted = f"GET /experiences-list (attempt {attempt} of 2, giving up in 0."
        assert any(text.startswith(wanted) for text in seen), seen


def test_actions_send_the_winner_and_return_the_experience() -> None:
    script = Script(ok({"experience": {**EXPERIENCE, "status": "ended"}}))
    result = run(script, lambda c: c.act("e1", "end", variation_id="v2"))
    assert result["status"] == "ended"
    assert script.requests[0].url.path.endswith("/experiences/e1/actions/end")
    assert json.loads(script.requests[0].content) == {"variationId": "v2"}


def test_list_experiences_reads_every_page_once() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        items = [
            {"id": f"e{i}", "name": f"E{i}", "type": "content/url", "status": "started"}
            for i in range((number - 1) * limit, min(number * limit, 7))
        ]
        return ok({"experiencesList": items, "page": number, "limit": limit, "total": 7, "totalPages": 3})

    script = Script(page)
    items = run(script, lambda c: c.list_experiences(page_size=3))
    assert [item["id"] for item in items] == [f"e{i}" for i in range(7)]
    assert sorted(r.url.params["page"] for r in script.requests) == ["1", "2", "3"]


def test_analytics_falls_back_to_the_deprecated_get_form_and_remembers() -> None:
    script = Script(httpx.Response(405), ok({"metrics": []}), ok({"metrics": [{"variation_id": "v1"}]}))

    async def twice(client: IntelligemsClient) -> list[Any]:
        first = await client.experience_analytics(
            "e1",
            {
                "startTs": "1700000000",
                "endTs": "1700086400",
                "view": "overview",
                "topN": 5,
                "testResult": True,
                "graphs": {"ids": ["conversion_rate", "net_revenue_per_visitor"], "outputFormat": "base64"},
            },
        )
        second = await client.experience_analytics("e1", {"startTs": "1700000001"})
        return [first, second]

    assert run(script, twice) == [{"metrics": []}, {"metrics": [{"variation_id": "v1"}]}]
    assert [r.method for r in script.requests] == ["POST", "GET", "GET"]
    # Only the GET form's documented parameters, under its own names.
    assert dict(script.requests[1].url.params) == {
        "start": "1700000000",
        "end": "1700086400",
        "view": "overview",
        "graphs": "conversion_rate,net_revenue_per_visitor",
        "graphOutput": "base64",
    }
    assert dict(script.requests[2].url.params) == {"start": "1700000001"}


def test_sitewide_falls_back_from_snapshot_to_the_older_path() -> None:
    script = Script(httpx.Response(404), ok({"rpv": 1}))
    assert run(script, lambda c: c.sitewide_analytics({"start": "a"})) == {"rpv": 1}
    assert [r.url.path for r in script.requests] == [
        "/v25-10-beta/analytics/sitewide/snapshot",
        "/v25-10-beta/analytics/sitewide",
    ]


def test_token_never_appears_in_reprs_or_error_messages() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in str(secret)
    client_repr = run(Script(ok({})), lambda c: asyncio.sleep(0, repr(c)))
    assert TOKEN not in client_repr
    for answer in (httpx.Response(401), httpx.Response(500), httpx.ConnectError("x")):
        with pytest.raises(Exception) as caught:
            run(Script(answer), lambda c: c.get_experience("e1"))
        assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_without_rate_limit_headers_requests_go_out_as_many_at_once_as_allowed() -> None:
    in_flight = [0]
    peak = [0]

    async def headerless(request: httpx.Request) -> httpx.Response:
        in_flight[0] += 1
        peak[0] = max(peak[0], in_flight[0])
        await asyncio.sleep(0.001)
        in_flight[0] -= 1
        return ok({"experience": EXPERIENCE})

    async def scenario() -> None:
        async with IntelligemsClient(
            Secret(TOKEN),
            "https://api.example.test",
            max_in_flight=4,
            transport=httpx.MockTransport(headerless),
            retry=FAST,
        ) as client:
            await asyncio.gather(*(client.get_experience("e1") for _ in range(40)))

    asyncio.run(scenario())
    assert peak[0] == 4


def test_a_cancelled_request_gives_its_slot_back() -> None:
    async def hangs_once(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/hangs"):
            await asyncio.Event().wait()
        return ok({"experience": EXPERIENCE})

    async def scenario() -> None:
        async with IntelligemsClient(
            Secret(TOKEN),
            "https://api.example.test",
            max_in_flight=1,
            transport=httpx.MockTransport(hangs_once),
            retry=FAST,
        ) as client:
            stuck = asyncio.create_task(client.get_experience("hangs"))
            await asyncio.sleep(0.01)
            stuck.cancel()
            assert await asyncio.wait_for(client.get_experience("e1"), 5) == EXPERIENCE
            assert client.pacer.state("experiences").in_flight == 0

    asyncio.run(scenario())


def test_a_create_answered_with_something_unusable_may_have_happened() -> None:
    for answer in (
        httpx.Response(200, content=b"not json"),
        ok({"experience": {"id": "e1"}}),
        httpx.Response(201, content=b"x", headers={"content-encoding": "gzip"}),
    ):
        script = Script(answer)
        with pytest.raises(
            AmbiguousCreate,
            match=r"may or may not have happened \(the API answered "
            "something igops cannot use: ",
        ) as caught:
            run(script, lambda c: c.create_experience({"name": "Hero"}))
        assert caught.value.name == "Hero" and len(script.requests) == 1
