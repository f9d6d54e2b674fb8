"""The assertion helpers: they pass on the right ledger and fail with the evidence on the wrong one."""

from __future__ import annotations

import re

import pytest

import lambdachaos.plugins as plugins
from lambdachaos import Sim
from lambdachaos.ledger._ledger import Attempt, Fate, FateStatus, Ledger, Outcome, Path
from lambdachaos.plugins import (
    LedgerAssertionError,
    assert_attempts,
    assert_bisect_sequence,
    assert_dead_lettered,
    assert_delivered,
    assert_nothing_lost,
    assert_ordered,
    assert_retries_exhausted,
    assert_throttled,
    assert_timed_out,
)


def fails(event, context):
    raise RuntimeError("down")


@pytest.fixture
def dead():
    with Sim(seed=2) as sim:
        dlq = sim.sqs_queue("dlq")
        failures = sim.sqs_queue("failures")
        fn = sim.function(fails, name="orders", dead_letter_queue=dlq, on_failure=failures)
        request_id = fn.invoke_async({"order": 1})
        sim.run()
        yield sim, request_id, dlq, failures


def esm_ledger(batches, fates=()):
    ledger = Ledger(0)
    for i, (records, depth, outcome) in enumerate(batches):
        ledger.add_attempt(
            Attempt(
                seq=ledger.next_seq(),
                path=Path.ESM,
                function="consumer",
                qualifier=None,
                executed_version="$LATEST",
                request_id=f"r{i}",
                event_id=f"b{i}",
                attempt=1,
                outcome=Outcome(outcome),
                start_ns=i * 10**9,
                end_ns=i * 10**9,
                records=tuple(records),
                source="arn:aws:kinesis:us-east-1:1:stream/s",
                batch_id=f"batch-{i}",
                bisect_depth=depth,
            )
        )
    for rid, at in fates:
        ledger.open(rid, 0)
        ledger.settle(Fate(event_id=rid, status=FateStatus.SUCCEEDED, at_ns=at))
    return ledger


def test_the_public_names_are_exactly_the_lazy_exports():
    assert sorted(plugins.__all__) == sorted(plugins._LAZY)
    assert all(getattr(plugins, name) is not None for name in plugins.__all__)
    assert issubclass(LedgerAssertionError, AssertionError)


def test_attempts_retries_and_dead_letters_pass_on_a_dead_lettered_event(dead):
    sim, request_id, dlq, failures = dead
    assert_attempts(sim.ledger, request_id, 3)
    assert_retries_exhausted(sim.ledger, request_id)
    assert_dead_lettered(sim.ledger, request_id, dlq)
    assert_dead_lettered(sim.ledger, request_id, failures.arn)
    [body] = assert_delivered(failures, {"requestContext": {"condition": "RetriesExhausted"}}, count=1)
    assert body["requestContext"]["approximateInvokeCount"] == 3


def test_a_wrong_attempt_count_lists_every_attempt_with_its_virtual_time(dead):
    sim, request_id, *_ = dead
    with pytest.raises(LedgerAssertionError) as info:
        assert_attempts(sim.ledger, request_id, 1)
    lines = str(info.value).splitlines()
    assert lines[0] == f"record '{request_id}' ran 3 time(s), expected 1"
    assert lines[1:4] == [
        "  expected: 1 attempt(s)",
        "  observed: 3 attempt(s), fate dead_lettered (RetriesExhausted)",
        "  timeline:",
    ]
    assert [re.match(r"  - t=(\d+\.\d+)s", line).group(1) for line in lines[4:7]] == [
        "0.000",
        "60.000",
        "180.000",
    ]
    assert "dlq → arn:aws:sqs:us-east-1:123456789012:dlq (RetriesExhausted)" in lines[-1] + lines[-2]


def test_an_unknown_record_is_named_with_the_known_ones(dead):
    sim, _request_id, *_ = dead
    with pytest.raises(LedgerAssertionError, match=r"^record 'nope' never entered this simulation\n"):
        assert_attempts(sim.ledger, "nope", 1)


def test_a_record_that_reached_another_queue_is_not_dead_lettered_here(dead):
    sim, request_id, *_ = dead
    with pytest.raises(
        LedgerAssertionError,
        match=r"^record '.*' did not reach arn:aws:sqs:us-east-1:123456789012:x\n"
        r"  expected: a failed fate delivered to .*\n  observed: fate dead_lettered \(RetriesExhausted\),"
        r" sent to .*:dlq, .*:failures\n",
    ):
        assert_dead_lettered(sim.ledger, request_id, "arn:aws:sqs:us-east-1:123456789012:x")


def test_the_exact_shape_reports_missing_unexpected_and_mistyped_keys(dead):
    *_, failures = dead
    with pytest.raises(LedgerAssertionError) as info:
        assert_delivered(failures, shape={"version": int, "requestContext": dict, "extra": str})
    observed = str(info.value).splitlines()[2]
    assert observed.startswith("  observed: matching message 1: $: missing key 'extra'; $: unexpected key")
    assert "$.version: str, expected int" in observed


def test_nothing_lost_names_the_dropped_records():
    with Sim(seed=1) as sim:
        fn = sim.function(fails, name="orders", maximum_retry_attempts=0)
        request_id = fn.invoke_async({})
        sim.run()
        with pytest.raises(
            LedgerAssertionError,
            match=rf"^1 record\(s\) lost and 0 failed delivery\(ies\) out of 1 "
            rf"records\n.*\n  observed: {request_id} dropped \(RetriesExhausted\)\n",
        ):
            assert_nothing_lost(sim.ledger)


def test_a_timeout_is_found_by_event_or_function():
    import time

    with Sim(seed=1) as sim:
        fn = sim.function(lambda e, c: time.sleep(5), name="slow", timeout=1)
        result = fn.invoke({})
        assert_timed_out(sim.ledger, result.request_id)
        assert_timed_out(sim.ledger, function=fn, n=1)
        with pytest.raises(
            LedgerAssertionError, match=r"^function 'slow' was throttled 0 time\(s\), expected 2\n"
        ):
            assert_throttled(sim.ledger, fn, 2)


def test_the_bisect_sequence_reads_sizes_or_depth_and_size():
    ledger = esm_ledger(
        [
            ("abcd", 0, "function_error"),
            ("ab", 1, "success"),
            ("cd", 1, "function_error"),
            ("c", 2, "success"),
            ("d", 2, "function_error"),
        ]
    )
    assert_bisect_sequence(ledger, [4, 2, 2, 1, 1])
    assert_bisect_sequence(ledger, [(0, 4), (1, 2), (1, 2), (2, 1), (2, 1)], function="consumer")
    with pytest.raises(
        LedgerAssertionError,
        match=r"^the batch sequence differs .*\n  expected: \[4, 2, 2\]\n"
        r"  observed: \[4, 2, 2, 1, 1\]\n  timeline:\n  - t=0.000s esm consumer attempt 1 ",
    ):
        assert_bisect_sequence(ledger, [4, 2, 2])


def test_ordering_holds_per_key_and_a_violation_names_both_records():
    keys = {"a1": "A", "a2": "A", "b1": "B"}
    in_order = esm_ledger(
        [(["a1"], 0, "success"), (["b1"], 0, "success"), (["a2"], 0, "success")],
        fates=[("a1", 1), ("b1", 2), ("a2", 3)],
    )
    assert_ordered(in_order, by="partition_key", keys=keys)
    assert_ordered(in_order, by="shard")
    swapped = esm_ledger([(["a2"], 0, "success"), (["a1"], 0, "success")], fates=[("a1", 1), ("a2", 2)])
    with pytest.raises(
        LedgerAssertionError,
        match=r"^partition_key 'A': record 'a2' first delivered before the "
        r"earlier record 'a1'\n",
    ):
        assert_ordered(swapped, by="partition_key", keys=keys.get)
    with pytest.raises(TypeError, match=r"^assert_ordered\(by='message_group'\) needs keys="):
        assert_ordered(swapped, by="message_group")
