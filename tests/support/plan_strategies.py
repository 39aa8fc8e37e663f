"""Hypothesis strategies for arbitrary plans that keep the model's contract: fields only on update,
a winner only on end. Any text is allowed, control characters included, since renderers must cope."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from igops.model import (
    Change,
    ChangeKind,
    ExperiencePlan,
    FieldChange,
    Plan,
    PlanError,
    UnmanagedExperience,
)

LIVE_STATUSES = ["ended", "paused", "pending", "started"]
DESIRED_STATUSES = ["draft", "ended", "paused", "started"]
text = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    kind = draw(st.sampled_from(list(ChangeKind)))
    fields = (
        draw(
            st.lists(
                st.builds(FieldChange, st.text(min_size=1, max_size=40), json_values, json_values), max_size=4
            )
        )
        if kind is ChangeKind.UPDATE
        else []
    )
    winner = draw(st.none() | text) if kind is ChangeKind.END else None
    return Change(kind, tuple(fields), winner)


def _experience(**values: Any) -> ExperiencePlan:
    return ExperiencePlan(**values)


experiences = st.builds(
    _experience,
    key=st.text(min_size=1, max_size=20),
    name=text,
    path=text,
    experience_id=st.none() | text,
    live_status=st.none() | st.sampled_from(LIVE_STATUSES),
    desired_status=st.sampled_from(DESIRED_STATUSES),
    last_update_ts=st.none() | st.integers(min_value=0, max_value=2**53),
    changes=st.lists(changes(), max_size=3).map(tuple),
    warnings=st.lists(text, max_size=2).map(tuple),
    notes=st.lists(text, max_size=2).map(tuple),
    desired=st.dictionaries(st.text(max_size=8), json_values, max_size=3),
)
plans = st.builds(
    Plan,
    experiences=st.lists(experiences, max_size=5).map(tuple),
    unmanaged=st.lists(
        st.builds(UnmanagedExperience, text, text, text, st.sampled_from(LIVE_STATUSES)), max_size=3
    ).map(tuple),
    errors=st.lists(st.builds(PlanError, st.none() | text, st.text(min_size=1, max_size=40)), max_size=2).map(
        tuple
    ),
    files_hash=text,
)
