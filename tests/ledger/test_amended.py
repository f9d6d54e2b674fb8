"""``Ledger.amend`` builds the amended attempt without ``dataclasses.replace``: the same attempt, field for field."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos.ledger._entries import Attempt, Outcome, Path, amended

_BASE = Attempt(seq=3, path=Path.ESM, function="consumer", qualifier=None,
                executed_version="$LATEST", request_id="req-1", event_id="batch-1", attempt=1,
                outcome=Outcome.SUCCESS, start_ns=5, end_ns=9, records=("a", "b", "c"), cold=True)

_CHANGES = st.fixed_dictionaries({}, optional={
    "outcome": st.sampled_from(list(Outcome)),
    "failed_items": st.lists(st.sampled_from(["a", "b", "c"]), unique=True).map(tuple),
    "record_outcomes": st.lists(st.sampled_from(["success", "failed"]), min_size=3, max_size=3).map(tuple),
    "reason": st.one_of(st.none(), st.text(max_size=8)),
    "end_ns": st.integers(0, 10**12),
})


@settings(max_examples=80, deadline=None)
@given(changes=_CHANGES)
def test_an_amended_attempt_is_what_replace_makes(changes: dict[str, Any]) -> None:
    got = amended(_BASE, changes)
    want = dataclasses.replace(_BASE, **changes)
    assert got == want
    assert [getattr(got, f.name) for f in dataclasses.fields(Attempt)] == [
        getattr(want, f.name) for f in dataclasses.fields(Attempt)]
    assert got.describe() == want.describe()
    assert _BASE.outcome is Outcome.SUCCESS and _BASE.failed_items == ()  # the original is left as it was


def test_a_name_that_is_not_a_field_is_refused_as_replace_refuses_it() -> None:
    with pytest.raises(TypeError, match="'outcomes'"):
        amended(_BASE, {"outcomes": ("failed",)})
    with pytest.raises(TypeError):
        dataclasses.replace(_BASE, outcomes=("failed",))  # type: ignore[call-arg]


def test_an_attempt_only_sets_its_fields_when_made() -> None:
    # amended() skips __init__: it stays equivalent only while Attempt has no __post_init__ and no init=False field.
    assert not hasattr(Attempt, "__post_init__")
    assert all(f.init for f in dataclasses.fields(Attempt))
