"""Concurrency (docs/aws-behaviour.md §8): account pool, reserved, provisioned, burst."""

from __future__ import annotations

import pytest

from lambdachaos import ConfigError, Sim, TooManyRequestsException


def test_section_8_reserved_concurrency_caps_concurrent_executions():
    with Sim(seed=1) as sim:
        fn = sim.function(lambda e, c: None, name="capped", reserved_concurrency=2, base_duration=10, timeout=30)
        for _ in range(5):
            fn.invoke_async({})
        sim.run(until=0.5)
        outcomes = [a.outcome.value for a in sim.ledger.attempts]
        assert outcomes == ["success", "success", "throttled", "throttled", "throttled"]
        assert {a.reason for a in sim.ledger.attempts[2:]} == {"ReservedFunctionConcurrentInvocationLimitExceeded"}
        sim.run()
        assert sim.service.concurrency.peak["capped"] == 2
        assert all(f.status == "succeeded" for f in sim.ledger.fates.values())


def test_section_8_the_unreserved_pool_must_keep_100():
    with Sim(seed=1, account_concurrency=300) as sim:
        a = sim.function(lambda e, c: None, name="a")
        a.put_reserved_concurrency(150)
        b = sim.function(lambda e, c: None, name="b")
        with pytest.raises(
            ConfigError,
            match=r"^reserved_concurrency=51 for b: Specified ReservedConcurrentExecutions for function decreases "
            r"account's UnreservedConcurrentExecution below its minimum value of \[100\]\. .* reserve at most 50\.$",
        ):
            b.put_reserved_concurrency(51)
        b.put_reserved_concurrency(50)


def test_section_8_the_account_pool_throttles_unreserved_functions():
    with Sim(seed=1, account_concurrency=3) as sim:
        fn = sim.function(lambda e, c: None, name="pool", base_duration=5, timeout=30)
        for _ in range(4):
            fn.invoke_async({})
        sim.run(until=0.1)
        assert [a.reason for a in sim.ledger.attempts] == [None, None, None, "ConcurrentInvocationLimitExceeded"]


def test_section_8_a_sync_throttle_raises_with_the_account_reason():
    with Sim(seed=1, account_concurrency=1) as sim:
        slow = sim.function(lambda e, c: None, name="slow", base_duration=5, timeout=30)
        slow.invoke_async({})
        sim.run(until=1)
        with pytest.raises(TooManyRequestsException) as info:
            sim.function(lambda e, c: None, name="other").invoke({})
        assert info.value.reason == "ConcurrentInvocationLimitExceeded"


def test_section_8_burst_scaling_allows_1000_new_environments_then_refills_at_100_per_second():
    with Sim(seed=1, account_concurrency=5000) as sim:
        fn = sim.function(lambda e, c: None, name="burst", base_duration=60, timeout=120)
        for _ in range(1005):
            fn.invoke_async({})
        sim.run(until=0.5)
        first = [a for a in sim.ledger.attempts if a.attempt == 1]
        started = [a for a in first if a.outcome == "success"]
        throttled = [a for a in first if a.outcome == "throttled"]
        assert len(started) == 1000
        assert len(throttled) == 5
        assert {a.reason for a in throttled} == {"FunctionInvocationRateLimitExceeded"}
        # the throttled events retry after 1 s, when 100 new tokens have been refilled
        sim.run(until=1.5)
        assert sum(1 for a in sim.ledger.attempts if a.outcome == "success") == 1005


def test_section_8_provisioned_concurrency_is_for_versions_and_aliases_only(sim: Sim):
    fn = sim.function(lambda e, c: None, name="prov")
    with pytest.raises(ConfigError, match=r"^qualifier='\$LATEST': provisioned concurrency applies to a published"):
        fn.put_provisioned_concurrency("$LATEST", 2)


def test_section_8_provisioned_environments_are_initialised_before_traffic(sim: Sim):
    fn = sim.function(lambda e, c: None, name="prov")
    fn.publish_version()
    fn.create_alias("live", "1")
    fn.put_provisioned_concurrency("live", 2)
    fn.invoke({}, qualifier="live")
    fn.invoke({}, qualifier="live")
    assert [a.cold for a in sim.ledger.attempts] == [False, False]
    fn.invoke({})  # $LATEST has no provisioned environments
    assert sim.ledger.last.cold is True


def test_section_8_provisioned_cannot_exceed_reserved(sim: Sim):
    fn = sim.function(lambda e, c: None, name="p2", reserved_concurrency=1)
    fn.publish_version()
    with pytest.raises(ConfigError, match=r"^provisioned_concurrency=2 exceeds reserved_concurrency=1"):
        fn.put_provisioned_concurrency("1", 2)


def test_concurrency_over_virtual_time_is_read_from_the_ledger():
    with Sim(seed=1) as sim:
        fn = sim.function(lambda e, c: None, name="c", base_duration=10, timeout=30)
        fn.invoke_async({})
        sim.advance(5)
        fn.invoke_async({})
        sim.run()
        assert sim.ledger.concurrency("c") == [(0.0, 1), (5.0, 2), (10.0, 1), (15.0, 0)]
        assert max(n for _, n in sim.ledger.concurrency()) == sim.service.concurrency.peak["c"] == 2


def test_section_8_burst_tokens_refill_at_100_per_second_a15():
    with Sim(seed=1, account_concurrency=5000) as sim:
        fn = sim.function(lambda e, c: None, name="burst", base_duration=60, timeout=120)
        for _ in range(1150):
            fn.invoke_async({})
        sim.run(until=1.5)
        started = [a.start for a in sim.ledger.attempts if a.outcome == "success"]
        assert (started.count(0.0), started.count(1.0)) == (1000, 100)
