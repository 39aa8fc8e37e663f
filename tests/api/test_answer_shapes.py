"""The client's answer shapes cover every field igops reads: walked field by field.

Each field of a list item and of a full read (every block of every creatable type, as the emulator answers
them) is in turn removed or given a value of every other kind. Either the client's check refuses the
answer, or everything igops does with a live experience (match it, plan and render the plan every way,
report drift, import it, build its update, read its results) works with it. A field igops starts to read
without its shape saying so fails here, before a server can make it a traceback.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rich.console import Console
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, with_client
from support.schema_strategies import TYPES, every_block

from igops.analytics.results import declared_primary, experience_results
from igops.api import IntelligemsClient, answers
from igops.documents.results import results_document
from igops.engine.decide import build_plan
from igops.engine.drift import build_drift
from igops.engine.importing import file_document
from igops.engine.matching import match
from igops.model import DesiredExperience
from igops.normalize import canonical_desired, update_payload
from igops.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from igops.render.formats import PLAN_FORMATS
from igops.render.report import results_table

MISSING = object()
# No value, and one of every JSON kind: a number no count or timestamp can be, a list of what no list
# here holds.
OTHER_VALUES: tuple[Any, ...] = (MISSING, None, 1e300, "x", [None, 5], {})
NOW = 1_767_225_600.0

Path_ = tuple[str | int, ...]


class Account:
    """One live experience of each creatable type, with every block set, as the emulator answers it."""

    def __init__(self) -> None:
        self.wanted: list[DesiredExperience] = []
        # A file whose experience is not live: the unmanaged items are looked through for a rename.
        self.not_live = [desired(every_block(kind) | {"name": "Not live"}, key="not-live") for kind in TYPES]
        sandbox = new_sandbox()

        async def fill(
            client: IntelligemsClient,
        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
            documents, results = [], []
            for kind in TYPES:
                wanted = desired(every_block(kind) | {"status": "started"}, key=kind.replace("/", "-"))
                self.wanted.append(wanted)
                documents.append(await create_as_igops(client, wanted))
                results.append(await client.experience_analytics(documents[-1]["id"], {"testResult": True}))
            return await client.list_experiences(), documents, results

        self.items, self.documents, self.results = with_client(sandbox, fill)
        sandbox.close()

    def use_list(self, index: int, items: list[Any]) -> None:
        """Everything igops does with the list, experience `index` managed by a file."""
        matching = match([self.wanted[index]], items)
        match([self.not_live[index]], items)
        document = self.documents[index]
        documents = {pair.live_id: document for pair in matching.pairs if pair.live_id is not None}
        plan = build_plan(matching, documents, "")
        for output_format in PLAN_FORMATS:
            PLAN_FORMATS.render(plan, output_format)
        drift = build_drift(matching, documents)
        for render in (render_drift_text, render_drift_markdown, render_drift_json):
            render(drift)

    def use_read(self, index: int, document: Any) -> None:
        """Everything igops does with experience `index`'s full read."""
        wanted = self.wanted[index]
        matching = match([wanted], self.items)
        plan = build_plan(matching, {self.items[index]["id"]: document}, "")
        for output_format in PLAN_FORMATS:
            PLAN_FORMATS.render(plan, output_format)
        drift = build_drift(matching, {self.items[index]["id"]: document})
        for render in (render_drift_text, render_drift_markdown, render_drift_json):
            render(drift)
        # Import's file, short of writing it as YAML (which writes any JSON value the same way).
        file_document(document)
        update_payload(canonical_desired(wanted.body), document)
        self.use_results(index, self.results[index], document)

    def use_results(self, index: int, answer: Any, document: Any = None) -> None:
        """Everything igops does with experience `index`'s results (the API's answer)."""
        live = self.documents[index] if document is None else document
        results = experience_results(
            self.wanted[index].key, live, answer, NOW, declared_primary(live.get("experienceKeyMetrics"))
        )
        results_document(results)
        Console(file=io.StringIO()).print(results_table(results, winner="Control"))


@pytest.fixture(scope="module")
def account() -> Account:
    return Account()


def fields(value: Any, here: Path_ = ()) -> Iterator[Path_]:
    """Every place in a JSON value, itself first."""
    yield here
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from fields(inner, (*here, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from fields(inner, (*here, index))


def changed(value: Any, where: Path_, new: Any) -> Any:
    """A copy of `value` with the field at `where` set to `new`, or removed for MISSING."""
    if not where:
        return new
    copied = copy.deepcopy(value)
    holder = copied
    for step in where[:-1]:
        holder = holder[step]
    if new is MISSING:
        del holder[where[-1]]
    else:
        holder[where[-1]] = new
    return copied


def variants(values: list[dict[str, Any]]) -> Iterator[tuple[int, str, Any]]:
    """(which value, what was changed, the changed value) for every field, once per field of the same
    name."""
    seen: set[tuple[str, ...]] = set()
    for index, value in enumerate(values):
        for where in fields(value):
            name = tuple("[]" if isinstance(step, int) else step for step in where)
            if name in seen:
                continue
            seen.add(name)
            original = _at(value, where)
            for new in OTHER_VALUES if where else OTHER_VALUES[1:]:
                # Another string is a change of value, not of kind; another number may be out of range.
                if not (isinstance(new, str) and isinstance(original, str)):
                    what = f"{list(where)} {'removed' if new is MISSING else f'set to {new!r}'}"
                    yield index, what, changed(value, where, new)


def _at(value: Any, where: Path_) -> Any:
    for step in where:
        value = value[step]
    return value


def refused(shape: answers.Shape, value: Any) -> bool:
    try:
        answers.check(shape, value)
    except answers.Unusable:
        return True
    return False


def test_every_field_of_a_list_item_is_checked_or_safe_to_use(account: Account) -> None:
    used = 0
    for index, what, item in variants(account.items):
        items = [item if position == index else other for position, other in enumerate(account.items)]
        page = {"experiencesList": items, "page": 1, "limit": 100, "total": len(items), "totalPages": 1}
        if not refused(answers.LIST_PAGE, page):
            used += 1
            safely(f"a list item with {what}", account.use_list, index, items)
    assert used > 100, "hardly any change to a list item was let through: the walk checks nothing"


def test_every_field_of_a_full_read_is_checked_or_safe_to_use(account: Account) -> None:
    used = 0
    for index, what, document in variants(account.documents):
        if not refused(answers.EXPERIENCE_ANSWER, {"experience": document}):
            used += 1
            safely(f"a full read with {what}", account.use_read, index, document)
    assert used > 100, "hardly any change to a full read was let through: the walk checks nothing"


def test_every_field_of_an_experiences_results_is_checked_or_safe_to_use(account: Account) -> None:
    used = 0
    for index, what, answer in variants(account.results):
        if not refused(answers.ANALYTICS, answer):
            used += 1
            safely(f"results with {what}", account.use_results, index, answer)
    assert used > 50, "hardly any change to the results was let through: the walk checks nothing"


def safely(answer: str, work: Callable[[int, Any], None], index: int, value: Any) -> None:
    try:
        work(index, value)
    except Exception as exc:
        raise AssertionError(f"{answer} passes the client's check, then breaks igops: {exc!r}") from exc


def test_text_outside_the_basic_plane_is_read_and_half_a_pair_is_not() -> None:
    assert answers.parse(b'{"name": "launch \\ud83d\\ude80"}') == {"name": "launch \U0001f680"}
    for half in (b'"\\ud83d"', b'["ok", {"k": "\\ude80 x"}]', b'{"\\ud83d": 1}'):
        with pytest.raises(answers.Unusable, match="unpaired surrogate"):
            answers.parse(half)
