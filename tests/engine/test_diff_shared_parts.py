"""DeepDiff spared the equal parts reports exactly what it reports on the whole documents."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igops.engine import diff
from igops.engine.diff import deep_changes, field_changes, same, shared_parts

# Few keys and look-alike values, so that generated pairs share keys and differ subtly: True and 1,
# 1 and 1.0, None and an absent key, private (`__`) keys DeepDiff ignores.
keys = st.sampled_from(["a", "b", "c", "d", "e", "__private"])
scalars = st.sampled_from([0, 1, 1.0, 1.5, True, False, None, "", "x", "y", float("nan")])
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)
objects = st.dictionaries(keys, values, max_size=6)


@st.composite
def edited(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An object and a copy with a few keys changed, added or removed, at any depth."""
    before = draw(objects)
    return before, draw(_edit(before))


def _edit(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, dict) and value:
        return st.builds(
            lambda changed, extra, dropped: {
                **{key: item for key, item in changed.items() if key not in dropped},
                **extra,
            },
            st.fixed_dictionaries({key: _edit(item) | st.just(item) for key, item in value.items()}),
            st.dictionaries(keys, values, max_size=1),
            st.sets(st.sampled_from(list(value)), max_size=1),
        )
    return values


def reported(changes: list[Any]) -> str:
    # repr tells True from 1 and 1.0 from 1, which equality does not.
    return repr([(change.path, change.before, change.after) for change in changes])


def whole_document_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diff, "shared_parts", lambda first, second: (first, second))
        return reported(deep_changes(before, after))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.tuples(objects, objects), edited()))
def test_deepdiff_spared_the_equal_parts_reports_what_it_reports_on_the_whole(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    before, after = pair
    assert reported(deep_changes(before, after)) == whole_document_changes(before, after)


def test_an_object_sharing_few_keys_with_its_old_self_is_still_reported_whole() -> None:
    # DeepDiff reports an object as one change when the two sides share under a third of their keys.
    before = {"audience": {"a": 1, "b": 2, "c": 3, "d": 4}, "name": "same"}
    after = {"audience": {"a": 1, "e": 5, "f": 6, "g": 7}, "name": "same"}
    [change] = deep_changes(before, after)
    assert (change.path, change.before, change.after) == ("audience", before["audience"], after["audience"])


def test_equal_parts_become_one_object_and_lookalikes_stay_apart() -> None:
    before = {"a": {"b": [1, {"c": "x"}]}, "d": True, "e": 1}
    after = {"a": {"b": [1, {"c": "x"}]}, "d": 1, "e": 1.0}
    shared_before, shared_after = shared_parts(before, after)
    assert shared_before["a"] is shared_after["a"] is before["a"]
    assert (repr(shared_after["d"]), repr(shared_after["e"])) == ("1", "1.0")
    assert shared_parts(before, dict(before)) == (before, before)
    assert not same(True, 1) and not same([1], [1.0]) and not same({1}, {1})
    assert same({"a": [None, "x"]}, {"a": [None, "x"]})


def test_equal_experiences_are_not_given_to_deepdiff(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("DeepDiff called on equal experiences")

    monkeypatch.setattr(diff, "DeepDiff", refuse)
    experience = {"name": "A", "variations": [{"name": "Control", "percentage": 50}], "audience": {"x": [1]}}
    assert field_changes(experience, {**experience, "audience": {"x": [1]}}) == ()
