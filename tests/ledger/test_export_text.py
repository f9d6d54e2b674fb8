"""The full ledger's export text: every fast path gives the bytes of
``json.dumps(ledger.to_dict(), sort_keys=True, separators=(",", ":"))``, for any ids and any field values."""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdachaos.ledger import _io as io
from lambdachaos.ledger._entries import Attempt, Delivery, Fate, FateStatus, FaultRecord, Outcome
from lambdachaos.ledger._entries import Path as InvokePath
from lambdachaos.ledger._ledger import Ledger

ANY_CHAR = st.characters(blacklist_categories=())  # every code point, lone surrogates and controls included
TEXT = st.text(ANY_CHAR, max_size=6)
ID = st.one_of(TEXT, st.builds(lambda: str(uuid.uuid4())), st.sampled_from(["", "a", "ab", "a\x00", "a b", "a!"]))
SCALAR = st.one_of(st.none(), TEXT, st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                   st.sampled_from([*Outcome, *InvokePath, *FateStatus]))
VALUE = st.one_of(SCALAR, st.tuples(TEXT, TEXT), st.lists(SCALAR, max_size=3).map(tuple), st.lists(TEXT, max_size=2),
                  st.dictionaries(TEXT, SCALAR, max_size=3), st.tuples(st.dictionaries(TEXT, SCALAR, max_size=2)))
NS = st.one_of(st.integers(-(10**12), 10**15), st.none(), st.booleans())


def reference(entry: Any) -> str:
    return json.dumps(io.entry_dict(entry), sort_keys=True, separators=(",", ":"))


def outcome(encode: Any, entry: Any) -> tuple[str, str | None]:
    try:
        return "text", encode(entry)
    except Exception as exc:  # the reference and the fast path must fail alike
        return "error", type(exc).__name__


def typed_attempt(draw: Any) -> dict[str, Any]:
    """The field values an attempt is made with: any string (or None) in every string field, tuples of strings."""
    ids = st.lists(ID, max_size=4).map(tuple)
    return {
        "seq": draw(st.integers(0, 10**9)), "path": draw(st.sampled_from(list(InvokePath))), "function": draw(ID),
        "qualifier": draw(st.none() | ID), "executed_version": draw(st.none() | TEXT), "request_id": draw(ID),
        "event_id": draw(ID), "attempt": draw(st.integers(0, 1000)), "outcome": draw(st.sampled_from(list(Outcome))),
        "start_ns": draw(st.integers(0, 10**15)), "end_ns": draw(st.integers(0, 10**15)),
        "env_id": draw(st.none() | TEXT), "cold": draw(st.booleans()), "error_type": draw(st.none() | TEXT),
        "error_message": draw(st.none() | TEXT), "records": draw(ids), "source": draw(st.none() | ID),
        "batch_id": draw(st.none() | ID), "bisect_depth": draw(st.integers(0, 5)), "reason": draw(st.none() | TEXT),
        "faults": draw(ids), "failed_items": draw(ids), "checkpoint": draw(st.none() | ID),
        "record_outcomes": draw(st.lists(st.sampled_from(["success", "failed", "not_checkpointed"]) | TEXT,
                                         max_size=4).map(tuple)),
    }


@st.composite
def attempts(draw: Any) -> Attempt:
    """Attempts with the declared types, then some fields replaced by values of any type."""
    values = typed_attempt(draw)
    for name in draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        values[name] = draw(NS if name.endswith("_ns") else VALUE)
    return Attempt(**values)


ENCODE = io.attempt_encoder(Attempt)  # one encoder for every example: texts kept from one are reused by others
LINE = io.attempt_encoder(Attempt, "attempt")


@settings(max_examples=300, deadline=None)
@given(attempt=attempts())
def test_an_attempt_has_the_text_of_its_dict_for_any_field_values(attempt: Attempt) -> None:
    expected = outcome(reference, attempt)
    for _ in range(2):  # the second time through the kept texts of its times
        assert outcome(ENCODE, attempt) == expected
    line = outcome(LINE, attempt)
    assert line == (expected if expected[0] == "error" else ("text", io.line("attempt", expected[1] or "")))


class Folded(str):
    """A string equal to any other of the same letters in another case."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __hash__(self) -> int:
        return hash(self.lower())


def test_strings_of_a_class_with_its_own_equality_are_written_as_themselves() -> None:
    encode = io.attempt_encoder(Attempt)
    base = {"seq": 1, "path": InvokePath.ESM, "function": "consumer", "qualifier": None, "executed_version": "$LATEST",
            "request_id": "r-1", "event_id": "b-1", "attempt": 1, "outcome": Outcome.PARTIAL_FAILURE,
            "start_ns": 5, "end_ns": 1_500_000_007, "records": ("m-1", "m-2")}
    plain = Attempt(**{**base, "record_outcomes": ("success", "failed")})
    folded = Attempt(**{**base, "record_outcomes": (Folded("SUCCESS"), "failed"), "function": Folded("Consumer")})
    assert encode(plain) == reference(plain)
    assert encode(folded) == reference(folded)
    assert '"record_outcomes":["SUCCESS","failed"]' in encode(folded)
    assert '"function":"Consumer"' in encode(folded)
    assert '"end_s":"1.500000007"' in encode(plain) and '"start_s":"0.000000005"' in encode(plain)


def test_times_past_the_kept_texts_are_written_exactly() -> None:
    encode = io.attempt_encoder(Attempt)
    base = {"seq": 1, "path": InvokePath.ASYNC, "function": "f", "qualifier": None, "executed_version": None,
            "request_id": "r", "event_id": "e", "attempt": 1, "outcome": Outcome.SUCCESS}
    for i in range(10_000):  # more distinct times than are kept, each written twice
        start = i * 7_919_000_001 % 10**13
        attempt = Attempt(**base, start_ns=start, end_ns=start + i % 3)
        assert encode(attempt) == encode(attempt) == reference(attempt)


@settings(max_examples=200, deadline=None)
@given(cls=st.sampled_from([Delivery, FaultRecord]), data=st.data())
def test_deliveries_and_fault_firings_have_the_text_of_their_dict_for_any_field_values(cls: type, data: Any) -> None:
    entry = cls(**{f.name: data.draw(NS if f.name.endswith("_ns") else VALUE) for f in fields(cls)})
    expected = outcome(reference, entry)
    assert outcome(io.entry_encoder(cls), entry) == expected
    line = outcome(io.entry_encoder(cls, "x"), entry)
    assert line == (expected if expected[0] == "error" else ("text", io.line("x", expected[1] or "")))


def ledger_with(fates: list[Fate]) -> Ledger:
    ledger = Ledger(seed=3)
    for fate in fates:
        ledger.open(fate.event_id, 0)
        ledger.settle(fate)
    return ledger


def export_is_the_reference(ledger: Ledger, tmp_path: Path) -> str:
    expected = json.dumps(ledger.to_dict(), sort_keys=True, separators=(",", ":"))
    assert ledger.to_json() == expected
    ledger.write(str(tmp_path / "ledger.json"))
    assert (tmp_path / "ledger.json").read_text(encoding="utf-8") == expected
    return expected


FATES = st.builds(
    lambda event_id, status, at_ns, attempts, condition, destinations: Fate(
        event_id=event_id, status=status, at_ns=at_ns, attempts=attempts, condition=condition,
        destinations=destinations),
    ID, st.sampled_from(list(FateStatus)), st.one_of(st.integers(0, 10**15), st.integers(-(10**10), -1), st.none()),
    st.integers(0, 5000) | st.integers(-3, -1), st.none() | TEXT, st.lists(TEXT, max_size=2).map(tuple))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fates=st.lists(FATES, max_size=40, unique_by=lambda f: f.event_id))
def test_fates_of_any_ids_are_written_in_sorted_id_order_with_the_reference_text(
    fates: list[Fate], tmp_path: Path
) -> None:
    text = export_is_the_reference(ledger_with(fates), tmp_path)
    assert [f["event_id"] for f in json.loads(text)["fates"]] == sorted(f.event_id for f in fates)


@pytest.mark.parametrize("odd", [[], ['quote"d'], ["\ud800", "é", "", "a\x00b"], ["back\\slash", "\x7f", "\U0001f600"]])
def test_thousands_of_fates_across_chunks_with_and_without_escaped_ids(odd: list[str], tmp_path: Path) -> None:
    ids = [str(uuid.UUID(int=(i * 0x9E3779B97F4A7C15_1F) % (1 << 128), version=4)) for i in range(9_000)]
    ids[5_000:5_000] = odd  # one chunk of ids needs escapes, the others do not
    statuses = list(FateStatus)
    fates = [Fate(event_id=event_id, status=statuses[i % len(statuses)], at_ns=(i // 10) * 1_000_000,
                  attempts=1 + i % 4, condition="maxReceiveCount" if i % 997 == 0 else None)
             for i, event_id in enumerate(ids)]
    text = export_is_the_reference(ledger_with(fates), tmp_path)
    assert [f["event_id"] for f in json.loads(text)["fates"]] == sorted(ids)
