"""``Ledger.settle_pending_succeeded`` (the mappings' hot path: a batch's deleted records) leaves every ledger mode
exactly as settling each pending record's succeeded fate through ``settle`` does: pending, settled, unknown and
negative-time records, repeated ids in one batch, attempts past the packed range."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos.ledger._ledger import Fate, FateStatus, Ledger

IDS = [f"m-{i}" for i in range(6)]
_op = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(IDS), st.integers(-5, 10**12)),
    st.tuples(st.just("succeed"), st.integers(-5, 10**12), st.none(),
              st.lists(st.tuples(st.sampled_from(IDS), st.integers(1, 5000)), max_size=8)),
    st.tuples(st.just("drop"), st.sampled_from(IDS), st.integers(0, 10**12)),
)


def _apply(ledger: Ledger, ops: list[tuple], fast: bool) -> None:
    for op in ops:
        if op[0] == "open":
            ledger.open(op[1], op[2])
        elif op[0] == "drop":
            if ledger.status(op[1]) is FateStatus.PENDING:
                ledger.settle(Fate(event_id=op[1], status=FateStatus.DROPPED, at_ns=op[2], condition="x"))
        elif fast:
            ledger.settle_pending_succeeded(list(op[3]), op[1])
        else:
            for event_id, attempts in op[3]:
                if ledger.status(event_id) is FateStatus.PENDING:
                    ledger.settle(Fate(event_id=event_id, status=FateStatus.SUCCEEDED, at_ns=op[1],
                                       attempts=attempts))


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(_op, max_size=30))
def test_the_fast_settle_matches_settle_in_every_mode(tmp_path_factory: object, ops: list[tuple]) -> None:
    tmp = Path(tmp_path_factory.mktemp("fast"))  # type: ignore[attr-defined]
    for mode in ("full", "stream", "summary"):
        out = []
        for fast in (False, True):
            path = str(tmp / f"{mode}-{fast}.jsonl") if mode == "stream" else None
            ledger = Ledger(7, mode=mode, path=path)
            _apply(ledger, ops, fast)
            snapshot = (ledger.counts(), ledger.pending_fates(), ledger.failed_fates(),
                        [ledger.status(i) for i in IDS])
            if mode == "full":
                snapshot += (ledger.to_json(),)
            ledger.close()
            if path is not None:
                snapshot += (Path(path).read_bytes(),)
            out.append(snapshot)
        assert out[0] == out[1], mode
