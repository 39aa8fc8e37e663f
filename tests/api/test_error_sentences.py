"""The API's words end a sentence once: a message that closes itself (`.`, `!`, `?`, `…`) gets no second
full stop, one that does not gets one, and messages one after another are joined without their own.

The emulator refuses the create with the messages given, through its own rules and error envelope, in
process and over HTTP; the sentences are checked as the client raises them and as `igops apply` shows them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from support.apply import use_sandbox
from support.bodies import onsite_edits_experience
from support.cli import igops, prepare_project
from support.emulator import TOKEN, new_sandbox, serve_over_http

from igops.api import IntelligemsClient, Secret, ValidationFailed
from igops.sandbox import Sandbox, endpoints
from igops.sandbox.shapes import Issues
from igops.text import clause, ended

# (the API's messages for experience.name, the end of the sentence igops shows)
MESSAGES = [
    (["Name is invalid"], "experience.name: Name is invalid."),
    (["Name is invalid."], "experience.name: Name is invalid."),
    (["Name is invalid. \n"], "experience.name: Name is invalid."),
    (["Name is invalid!"], "experience.name: Name is invalid!"),
    (["Is the name unique?"], "experience.name: Is the name unique?"),
    (["Name is invalid…"], "experience.name: Name is invalid…"),
    (["Name is invalid..."], "experience.name: Name is invalid..."),
    (["Too long.", "Taken."], "experience.name: Too long; Taken."),
]


@pytest.mark.parametrize(
    ("text", "closed", "inside"),
    [
        ("It failed", "It failed.", "It failed"),
        ("It failed.", "It failed.", "It failed"),
        ("It failed.  ", "It failed.", "It failed"),
        ("It failed!", "It failed!", "It failed!"),
        ("Did it fail?", "Did it fail?", "Did it fail?"),
        ("It failed…", "It failed…", "It failed…"),
        ("It failed...", "It failed...", "It failed..."),
        ("v1.2", "v1.2.", "v1.2"),
        ("", ".", ""),
    ],
)
def test_a_sentence_is_closed_once_and_a_clause_carries_no_full_stop(
    text: str, closed: str, inside: str
) -> None:
    assert ended(text) == closed
    assert clause(text) == inside


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The emulator refuses every create with the messages put in the list yielded, on experience.name."""
    messages: list[str] = []
    check_create = endpoints.check_create

    def refused(doc: dict[str, Any], state: Any, *, unique_names: bool) -> Issues:
        issues = check_create(doc, state, unique_names=unique_names)
        for message in messages:
            issues.add("experience.name", message)
        return issues

    monkeypatch.setattr(endpoints, "check_create", refused)
    yield messages


def create_refused(sandbox: Sandbox, base_url: str | None) -> str:
    """The sentence the client raises for a refused create, in process (None) or at `base_url`."""

    async def create() -> str:
        transport = None if base_url else sandbox.transport()
        async with IntelligemsClient(
            Secret(TOKEN), base_url or "http://sandbox", transport=transport
        ) as client:
            with pytest.raises(ValidationFailed) as caught:
                await client.create_experience(onsite_edits_experience("Refused"))
        return str(caught.value)

    return asyncio.run(create())


@pytest.mark.parametrize("over_http", [False, pytest.param(True, marks=pytest.mark.http)])
def test_the_clients_sentence_ends_once_whatever_the_apis_message_ends_in(
    refusing: list[str], over_http: bool
) -> None:
    sandbox = new_sandbox()
    with serve_over_http(sandbox) if over_http else nullcontext(None) as url:
        for messages, shown in MESSAGES:
            refusing[:] = messages
            sentence = create_refused(sandbox, url)
            assert sentence == f"The Intelligems API refused POST /experiences: {shown}", messages


def test_request_level_messages_and_field_messages_make_one_sentence(refusing: list[str]) -> None:
    refusing[:] = ["Reserved."]
    sandbox = new_sandbox()
    check_create = endpoints.check_create

    def with_general(doc: dict[str, Any], state: Any, *, unique_names: bool) -> Issues:
        issues = check_create(doc, state, unique_names=unique_names)
        issues.general.append("The body is odd.")
        return issues

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(endpoints, "check_create", with_general)
        sentence = create_refused(sandbox, None)
    assert (
        sentence
        == "The Intelligems API refused POST /experiences: The body is odd; experience.name: Reserved."
    )


@pytest.mark.parametrize(("messages", "shown"), MESSAGES)
def test_apply_shows_the_apis_words_closed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusing: list[str], messages: list[str], shown: str
) -> None:
    prepare_project(tmp_path, monkeypatch)
    refusing[:] = messages
    api = use_sandbox(monkeypatch, new_sandbox(tmp_path / "account.db"))

    result = igops("apply", "--auto-approve", "--api", api, "--target", "bundle-and-save")

    assert result.exit_code == 1, result.output
    failed = "  - bundle-and-save: create failed in "
    [line] = [line for line in result.output.splitlines() if line.startswith(failed)]
    assert line.endswith(f"s (The Intelligems API refused POST /experiences: {shown})"), line
