"""Property: every async event ends with exactly one fate; attempts never exceed MaximumRetryAttempts + 1."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos import Sim


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    max_retries=st.integers(0, 2),
    max_age=st.sampled_from([60, 90, 200, 3600, 21_600]),
    reserved=st.sampled_from([None, 0, 1, 2]),
    behaviours=st.lists(st.sampled_from(["ok", "raise", "timeout", "exit", "flaky"]), min_size=1, max_size=8),
    durations=st.lists(st.sampled_from([0, 0.5, 1.0, 30.0]), min_size=1, max_size=8),
    with_dlq=st.booleans(),
)
def test_every_async_event_has_exactly_one_fate(seed, max_retries, max_age, reserved, behaviours, durations,
                                                with_dlq):
    import time

    def handler(event, context):
        time.sleep(event["d"])
        kind = event["b"]
        if kind == "raise" or (kind == "flaky" and event["n"] % 2 == 0):
            raise RuntimeError("boom")
        if kind == "timeout":
            time.sleep(10)
        if kind == "exit":
            raise SystemExit(2)
        return "ok"

    with Sim(seed=seed) as sim:
        dlq = sim.sqs_queue("dlq") if with_dlq else None
        fn = sim.function(handler, name="p", timeout=5, maximum_retry_attempts=max_retries,
                          maximum_event_age_in_seconds=max_age, dead_letter_queue=dlq,
                          reserved_concurrency=reserved)
        ids = []
        for n, kind in enumerate(behaviours):
            ids.append(fn.invoke_async({"b": kind, "d": durations[n % len(durations)], "n": n}))
            sim.advance(0.25)
        sim.run()
        fates = sim.ledger.fates
        assert set(fates) == set(ids)
        for request_id in ids:
            fate = fates[request_id]
            assert fate.status != "pending"
            ran = [a for a in sim.ledger.attempts_for(request_id) if a.outcome not in ("throttled",)]
            assert len(ran) <= max_retries + 1
            assert fate.attempts == len(ran)
            if reserved == 0:
                assert fate.condition == "ZeroReservedConcurrency" and not ran
            if with_dlq and fate.status != "succeeded":
                assert fate.status == "dead_lettered"
        if dlq is not None:
            failed = sum(1 for f in fates.values() if f.status == "dead_lettered")
            assert dlq.approximate_number_of_messages == failed
