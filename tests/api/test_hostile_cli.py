"""Hostile settings and hostile API answers, through the CLI: each ends in one sentence, exit 1, no
traceback, no token, nothing written; and each is bounded in time.

The account is the emulator holding the example experiences, in-process; a test changes what it answers
on the way to igops (a server that misbehaves), or, for redirects, serves real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from support.cli import REPO, fast_retries, igops, prepare_project
from support.emulator import TOKEN, new_sandbox
from support.engine import create_as_igops, with_client

from igops.api import answers
from igops.cli import cli, main
from igops.cli.common import FiniteFloat
from igops.engine import connect
from igops.engine.refresh import CacheError, RefreshCache
from igops.files import load_experiences
from igops.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)

Change = Callable[[httpx.Request, httpx.Response], httpx.Response | None]
# Every command that saves something is asked to, so that "nothing written" means something.
PLAN = ("plan", "--api", "sandbox:", "--out", "plan.json", "--refresh-cache", "cache/refresh.json")


class Tampering(httpx.AsyncBaseTransport):
    """The emulator's answers, each passed through `change` (None: unchanged); counts the requests."""

    def __init__(self, inner: httpx.AsyncBaseTransport, change: Change) -> None:
        self.inner = inner
        self.change = change
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return self.change(request, response) or response


@pytest.fixture(scope="module")
def account() -> Iterator[Sandbox]:
    """The example experiences live, as their files say."""
    sandbox = new_sandbox()
    loaded = load_experiences([REPO / "experiences"])

    async def fill(client: Any) -> None:
        for experience in loaded.experiences:
            await create_as_igops(client, experience)

    with_client(sandbox, fill)
    yield sandbox
    sandbox.close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return prepare_project(tmp_path, monkeypatch)


@pytest.fixture
def server(account: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Callable[[Change], list[Tampering]]:
    """`server(change)`: `--api sandbox:` reaches the account through `change`; the transports made."""

    def serve(change: Change) -> list[Tampering]:
        made: list[Tampering] = []
        real = account.transport

        def transport() -> httpx.AsyncBaseTransport:
            made.append(Tampering(real(), change))
            return made[-1]

        monkeypatch.setattr(account, "transport", transport)
        monkeypatch.setattr(connect, "Sandbox", lambda config: account)
        return made

    return serve


def files_in(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def refused(project: Path, *args: str, says: str, secret: str = TOKEN) -> str:
    """Run igops; it must end in one sentence holding `says`, exit 1, without a traceback or `secret`,
    with stdout empty and every file as it was. Returns the sentence."""
    before = files_in(project)
    result = igops(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and secret not in result.output
    assert result.stdout == "", result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert says in lines[0], lines[0]
    assert files_in(project) == before, "a file was written"
    return lines[0]


def answering(
    path_part: str,
    body: Any = None,
    *,
    status: int = 200,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Change:
    """A change: requests whose path holds `path_part` get this answer instead."""

    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if path_part not in request.url.path:
            return None
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return change


def first_live(account: Sandbox) -> dict[str, Any]:
    (live,) = [item for item in account.experiences() if item["name"] == "Homepage hero headline"]
    return live


# 1. The token


@pytest.mark.parametrize(
    "token", ["tökén", "to\nken", "to ken", "to\tken", "to\x1bken", "to\u202eken", "to\rken"]
)
def test_a_token_no_header_can_carry_is_refused_before_any_request(
    project: Path, monkeypatch: pytest.MonkeyPatch, server: Callable[[Change], list[Tampering]], token: str
) -> None:
    made = server(lambda request, response: None)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", token)
    for api in ("sandbox:", "http://127.0.0.1:9"):
        refused(
            project,
            *PLAN[:2],
            api,
            *PLAN[3:],
            says="INTELLIGEMS_API_TOKEN holds a character an API key never has",
            secret=token,
        )
    assert sum(len(transport.requests) for transport in made) == 0


def test_a_token_with_spaces_around_it_is_used_without_them(
    project: Path, monkeypatch: pytest.MonkeyPatch, server: Callable[[Change], list[Tampering]]
) -> None:
    made = server(lambda request, response: None)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", f"  {TOKEN}\n")
    assert igops("plan", "--api", "sandbox:").exit_code == 0
    assert {request.headers["intelligems-access-token"] for request in made[0].requests} == {TOKEN}


def test_an_api_url_holding_a_control_character_is_refused(project: Path) -> None:
    for url in ("http://a\x1bb.test", "http://a.test/\u202e"):
        refused(project, "plan", "--api", url, says="it contains a control character")


# 2. Float options


def float_options(
    group: click.Group, above: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str, click.Parameter]]:
    """(command path, option, parameter) for every option of every command that takes a number with a
    fraction."""
    for name, command in group.commands.items():
        path = (*above, name)
        if isinstance(command, click.Group):
            yield from float_options(command, path)
        for parameter in command.params:
            if isinstance(parameter.type, click.types.FloatParamType):
                yield path, parameter.opts[0], parameter


FLOAT_OPTIONS = list(float_options(cli))


def test_the_walk_finds_the_float_options() -> None:
    assert {(path, option) for path, option, _ in FLOAT_OPTIONS} >= {
        (("plan",), "--timeout"),
        (("apply",), "--timeout"),
        (("sandbox", "serve"), "--rate-scale"),
    }


@pytest.mark.parametrize(
    ("path", "option", "parameter"),
    FLOAT_OPTIONS,
    ids=[" ".join((*path, option)) for path, option, _ in FLOAT_OPTIONS],
)
def test_every_float_option_refuses_nan_and_infinities_in_one_sentence(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: tuple[str, ...],
    option: str,
    parameter: click.Parameter,
) -> None:
    # Checked first: an option that took NaN would run its command (sandbox serve would serve forever).
    assert isinstance(parameter.type, FiniteFloat), f"{option} of igops {' '.join(path)} is not a FiniteFloat"
    for value in ("nan", "NaN", "inf", "-inf", "1e400", "-Infinity"):
        monkeypatch.setattr(sys, "argv", ["igops", *path, option, value])
        before = files_in(project)
        with pytest.raises(SystemExit) as exited:
            main()
        printed = capsys.readouterr()
        assert exited.value.code == 1 and printed.out == "" and "Traceback" not in printed.err
        # click's usage lines, then the one sentence.
        assert printed.err.strip().splitlines()[-1] == (
            f"Error: Invalid value for '{option}': {value} is not a finite number."
        ), printed.err
        assert files_in(project) == before


def test_a_finite_float_keeps_its_range() -> None:
    timeout = FiniteFloat(min=0.1)
    assert timeout.convert("2.5", None, None) == 2.5
    with pytest.raises(click.BadParameter, match=r"0\.05 is not in the range x>=0\.1"):
        timeout.convert("0.05", None, None)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_timeout_in_igops_yaml_that_is_not_finite_is_refused(project: Path, value: str) -> None:
    with (project / "igops.yaml").open("a") as config:
        config.write(f"timeout: {value}\n")
    refused(project, *PLAN, says="is not a finite number")


# 3. The refresh cache


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


CACHES = {
    "nested 100,000 deep": lambda path: path.write_text(nested(100_000)),
    "nested 70 deep": lambda path: path.write_text(
        json.dumps({"format": "igops-refresh-cache/1", "experiences": {"x": json.loads(nested(70))}})
    ),
    "NaN in it": lambda path: path.write_text('{"format": "igops-refresh-cache/1", "experiences": NaN}'),
    "not JSON": lambda path: path.write_text("not a refresh cache"),
    "over 64 MB": lambda path: path.open("wb").truncate(64 * 1024 * 1024 + 1),
}


@pytest.mark.parametrize("make", list(CACHES.values()), ids=list(CACHES))
def test_a_refresh_cache_igops_cannot_use_is_one_sentence_naming_it(
    project: Path, server: Callable[[Change], list[Tampering]], make: Callable[[Path], None]
) -> None:
    server(lambda request, response: None)
    (project / "cache").mkdir()
    make(project / "cache" / "refresh.json")
    sentence = refused(project, *PLAN, says="cache/refresh.json")
    assert len(sentence) < 300


def test_a_cached_read_the_api_could_not_have_answered_is_read_again(
    project: Path, account: Sandbox, server: Callable[[Change], list[Tampering]]
) -> None:
    live = first_live(account)
    made = server(lambda request, response: None)
    cache = project / "cache" / "refresh.json"
    cache.parent.mkdir()
    cache.write_text(
        json.dumps(
            {"format": "igops-refresh-cache/1", "experiences": {live["id"]: live | {"variations": [None, 5]}}}
        )
    )
    assert igops(*PLAN).exit_code == 0
    read_again = f"/v25-10-beta/experiences/{live['id']}"
    assert [request.url.path for request in made[0].requests].count(read_again) == 1
    assert json.loads(cache.read_text())["experiences"][live["id"]] == live


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_refresh_cache_that_is_no_regular_file_is_refused_unread(
    project: Path, server: Callable[[Change], list[Tampering]], special: str
) -> None:
    server(lambda request, response: None)
    if special == "fifo":
        os.mkfifo(project / "fifo")
    refused(project, "plan", "--api", "sandbox:", "--refresh-cache", special, says=f"{special} is a")


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_loading_a_refresh_cache_never_reads_a_device_nor_waits_on_a_fifo(
    tmp_path: Path, special: str
) -> None:
    path = Path(special) if special.startswith("/") else tmp_path / special
    if not path.exists():
        os.mkfifo(path)
    with pytest.raises(CacheError, match="is not a regular file, so it cannot be an igops refresh cache"):
        RefreshCache.load(path)


# 4. Hostile answers


def pages(**claims: Any) -> Change:
    """List pages claiming other counts than they hold."""

    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if not request.url.path.endswith("/experiences-list"):
            return None
        return httpx.Response(200, json=response.json() | claims)

    return change


def items(item: Any) -> Change:
    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if not request.url.path.endswith("/experiences-list"):
            return None
        page = response.json()
        return httpx.Response(200, json=page | {"experiencesList": [item, *page["experiencesList"][1:]]})

    return change


def read(edit: Callable[[dict[str, Any]], Any]) -> Change:
    """Full reads (GET /experiences/ID) changed by `edit`."""

    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.method != "GET" or "/experiences/" not in request.url.path:
            return None
        body = response.json()
        edit(body["experience"])
        return httpx.Response(200, json=body)

    return change


def big_list(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
    if not request.url.path.endswith("/experiences-list"):
        return None
    padding = "x" * (answers.ANSWER_LIMIT + 1)
    return httpx.Response(200, content=json.dumps(response.json() | {"padding": padding}).encode())


HOSTILE_ANSWERS: dict[str, tuple[Change, str]] = {
    "a list item that is a number": (items(5), "experiencesList[0] is a number, not an object"),
    "a list item that is null": (items(None), "experiencesList[0] is null, not an object"),
    "a list item without an id": (
        items({"name": "x", "type": "content/url", "status": "started"}),
        "experiencesList[0].id is missing",
    ),
    "a list item whose id is a path": (
        items({"id": "../../x", "name": "x", "type": "content/url", "status": "started"}),
        "experiencesList[0].id is a string that is not an id (letters",
    ),
    "a list item of an unknown status": (
        items({"id": "x", "name": "x", "type": "content/url", "status": "archived"}),
        "experiencesList[0].status is a string that is not one of ended, ",
    ),
    "a page count of 10**9": (
        pages(totalPages=10**9),
        "it claims 1000000000 pages, where 7 experiences at 100 a page make 1",
    ),
    "a page count of 10**9 its total backs": (
        pages(total=10**11, totalPages=10**9),
        "it claims 1000000000 pages, more than the 1,000 igops reads",
    ),
    "a page count of a float": (pages(totalPages=1.5), "totalPages is a number, not a whole number"),
    "a page size of 0": (pages(limit=0), "it counts 7 experiences at 0 a page"),
    "variations [null, 5]": (
        read(lambda live: live.update(variations=[None, 5])),
        "experience.variations[0] is null, not an object",
    ),
    "variations that are a string": (
        read(lambda live: live.update(variations="x")),
        "experience.variations is a string, not a list",
    ),
    "a variation without a name": (
        read(lambda live: live["variations"][0].pop("name")),
        "experience.variations[0].name is missing",
    ),
    "no lastUpdateTs": (read(lambda live: live.pop("lastUpdateTs")), "experience.lastUpdateTs is missing"),
    "a start in the year 10000": (
        read(lambda live: live.update(startedAtTs=253_402_300_800_000)),
        "experience.startedAtTs is a number outside 0 to 253,402,300,799,999",
    ),
    "key metrics that are a number": (
        read(lambda live: live.update(experienceKeyMetrics=5)),
        "experience.experienceKeyMetrics is a number, not a list",
    ),
    "no experience at all": (answering("/experiences/", {"experiences": {}}), "experience is missing"),
    "a list for a body": (answering("/experiences-list", [1, 2]), "its body is a list, not an object"),
    "NaN": (answering("/experiences-list", content=b'{"experiencesList": NaN}'), "it is not JSON"),
    "Infinity": (answering("/experiences-list", content=b'{"total": -Infinity}'), "it is not JSON"),
    "bytes that are not UTF-8": (answering("/experiences-list", content=b'{"a": "\xff"}'), "it is not JSON"),
    "an integer of 5,000 digits": (
        answering("/experiences-list", content=b'{"total": ' + b"9" * 5000 + b"}"),
        "it is not JSON",
    ),
    "JSON nested 100,000 deep": (
        answering("/experiences-list", content=nested(100_000).encode()),
        "its JSON nests more than 64 levels deep",
    ),
    "JSON nested 65 deep": (
        answering("/experiences-list", content=nested(65).encode()),
        "its JSON nests more than 64 levels deep",
    ),
    "a name holding half a surrogate pair": (
        answering("/experiences-list", content=b'{"experiencesList": [{"id": "x", "name": "a\\ud800"}]}'),
        "a string in it holds an unpaired surrogate escape ('a\\ud800'), which is no text",
    ),
    "a key holding half a surrogate pair": (
        answering("/experiences-list", content=b'{"\\udfff": 1}'),
        "a string in it holds an unpaired surrogate escape",
    ),
    "a body over the bound": (big_list, "its body is larger than 8 MB, left unread"),
    "a body over the bound, announced": (
        answering(
            "/experiences-list", content=b"{}", headers={"content-length": str(answers.ANSWER_LIMIT + 1)}
        ),
        "its body is larger than 8 MB, left unread",
    ),
    "gzip that is not": (
        answering("/experiences-list", content=b"not gzip at all", headers={"content-encoding": "gzip"}),
        "its body is not what its Content-Encoding says",
    ),
}


@pytest.mark.parametrize(("change", "problem"), list(HOSTILE_ANSWERS.values()), ids=list(HOSTILE_ANSWERS))
def test_an_answer_igops_cannot_use_is_one_sentence_naming_the_request_and_what_was_wrong(
    project: Path, server: Callable[[Change], list[Tampering]], change: Change, problem: str
) -> None:
    made = server(change)
    sentence = refused(project, *PLAN, says=f"with something igops cannot use ({problem}")
    assert "answered GET /experiences" in sentence
    assert len(sentence) < 400
    # The first page decides: a claim of more pages than it backs asks for none of them.
    asked = [request for transport in made for request in transport.requests]
    assert all(request.url.params.get("page", "1") == "1" for request in asked)


def test_a_gzipped_answer_within_the_bound_is_read(
    project: Path, server: Callable[[Change], list[Tampering]]
) -> None:
    def zipped(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        return httpx.Response(
            response.status_code,
            content=gzip.compress(response.content),
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )

    server(zipped)
    assert igops("plan", "--api", "sandbox:").exit_code == 0


def test_import_writes_nothing_when_a_read_is_unusable(
    project: Path, server: Callable[[Change], list[Tampering]]
) -> None:
    server(read(lambda live: live.update(variations=[None, 5])))
    refused(
        project,
        "import",
        "--all",
        "--api",
        "sandbox:",
        "--overwrite",
        says="experience.variations[0] is null, not an object",
    )


# 5. Rate limits


def announcing(remaining: str, reset: str) -> Change:
    """Every successful answer announces this bucket."""

    def change(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if response.status_code != 200:
            return None
        headers = {"x-ratelimit-limit": "50", "x-ratelimit-remaining": remaining, "x-ratelimit-reset": reset}
        return httpx.Response(200, content=response.content, headers=headers)

    return change


YEAR_2100_MS = "4102444800000"


@pytest.mark.parametrize("reset", [YEAR_2100_MS, "1e300", str(10**30)])
def test_a_refill_announced_beyond_ten_minutes_is_one_sentence_not_a_wait(
    project: Path, server: Callable[[Change], list[Tampering]], reset: str
) -> None:
    server(announcing("0", reset))
    refused(project, *PLAN, says="rate limit refills only in")


@pytest.mark.parametrize(
    ("remaining", "reset"),
    [
        ("0", "nan"),
        ("0", "inf"),
        ("0", "-inf"),
        ("0", "Infinity"),
        ("0", "-5"),
        ("0", "0"),
        ("-3", "-5"),
        ("nan", "0"),
        ("1.5", "0"),
        ("0", "soon"),
    ],
)
def test_a_nonsensical_rate_limit_announcement_is_not_waited_for(
    project: Path, server: Callable[[Change], list[Tampering]], remaining: str, reset: str
) -> None:
    server(announcing(remaining, reset))
    result = igops("plan", "--api", "sandbox:")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("retry_after", ["999999999999", "nan", "-1", "Wed, 01 Jan 2100 00:00:00 GMT"])
def test_a_429_is_retried_on_igops_own_bounded_backoff_whatever_retry_after_says(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: Callable[[Change], list[Tampering]],
    retry_after: str,
) -> None:
    fast_retries(monkeypatch)
    made = server(
        answering(
            "/experiences-list",
            {},
            status=429,
            headers={
                "retry-after": retry_after,
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": YEAR_2100_MS,
            },
        )
    )
    refused(project, *PLAN, says="Still rate limited by the Intelligems API after 3 attempt(s)")
    assert len(made[0].requests) == 3


# 6. The API's error texts


ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J \r\nForged: line \u202eevil\u202c \u2066x\u2069 \x9b \x00"
)


@pytest.mark.parametrize(
    ("envelope", "shown"),
    [
        (
            {"errors": [ESCAPES], "properties": {f"name{ESCAPES}": {"errors": [ESCAPES]}}},
            "\\x1b[31mred\\x1b[0m \\x1b]0;title\\x07 \\x1b[2J \\x0d\\x0aForged: line \\u202eevil\\u202c "
            "\\u2066x\\u2069 \\x9b \\x00; name\\x1b[31mred",
        ),
        ({"errors": ["x" * 60_000]}, "xxx... [cut: 60,000 characters in all]."),
        ({"errors": ["\x1b" * 10_000]}, "\\x1b... [cut: 10,000 characters in all]."),
        ({"errors": [f"your token {TOKEN} is bad"]}, "your token *** is bad."),
    ],
    ids=["escapes", "long", "long escapes", "the token"],
)
def test_the_apis_error_text_is_shown_escaped_cut_and_without_the_token(
    project: Path, server: Callable[[Change], list[Tampering]], envelope: dict[str, Any], shown: str
) -> None:
    server(answering("/experiences-list", envelope, status=400))
    sentence = refused(project, *PLAN, says="The Intelligems API refused GET /experiences-list: ")
    assert shown in sentence
    assert sentence.isprintable() and len(sentence) < 600


def test_an_error_answer_over_its_bound_is_left_unread(
    project: Path, server: Callable[[Change], list[Tampering]]
) -> None:
    server(answering("/experiences-list", {"errors": ["x" * 5_000_000]}, status=400))
    refused(
        project, *PLAN, says="refused GET /experiences-list: its explanation, over 64 KB, was left unread."
    )


# 7. Redirects


@contextmanager
def http_server(
    handle: Callable[[http.server.BaseHTTPRequestHandler], None],
) -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on 127.0.0.1: its URL, and the paths it was asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_and_the_token_goes_nowhere_else(project: Path, status: int) -> None:
    def elsewhere(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()

    with http_server(elsewhere) as (other, asked_elsewhere):

        def redirect(handler: http.server.BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", f"{other}/steal?token={TOKEN}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with http_server(redirect) as (url, asked):
            sentence = refused(
                project,
                *PLAN[:2],
                url,
                *PLAN[3:],
                says=f"with a redirect (HTTP {status}) to {other}/steal?token=***, which igops never follows",
            )
    assert len(asked) == 1 and asked_elsewhere == []
    assert TOKEN not in sentence


def test_an_endless_answer_over_real_http_is_read_no_further_than_the_bound(project: Path) -> None:
    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no Content-Length: the body runs until the connection closes
        chunk = b" " * 65536
        try:
            for _ in range(answers.ANSWER_LIMIT // len(chunk) * 4):
                handler.wfile.write(chunk)
        except OSError:
            pass  # igops hung up, as it should

    with http_server(endless) as (url, asked):
        refused(
            project,
            *PLAN[:2],
            url,
            *PLAN[3:],
            says="answered GET /experiences-list with something "
            "igops cannot use (its body is larger than 8 MB, left unread)",
        )
    assert len(asked) == 1


def test_server_text_spells_out_every_character_that_would_not_show_as_itself() -> None:
    from igops.api.errors import server_text

    unshown = [
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x2028, 0x202F),
        *range(0x2066, 0x206A),
        0xD800,
        0xDFFF,
    ]
    for code in unshown:
        shown = server_text(f"a{chr(code)}b")
        assert shown == (f"a\\x{code:02x}b" if code < 0x100 else f"a\\u{code:04x}b")
    assert server_text("é ü 日本 — ok\\n") == "é ü 日本 — ok\\n"
    assert server_text("\x1b" * 1000) == "\\x1b" * 125 + "... [cut: 1,000 characters in all]"
    assert len(server_text("y" * 10**6)) < 550
