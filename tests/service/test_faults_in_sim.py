"""Faults injected in the simulated service: the exact AWS consequence on the sync and async paths."""

from __future__ import annotations

import json
import socket
import time

import pytest
from lambdachaos.faults import (
    AccountConcurrencyExhausted,
    BurstLimit,
    ColdStart,
    EgressLoss,
    EgressMode,
    FaultPlan,
    HandlerLatency,
    InitError,
    InitLatency,
    InvocationDelay,
    InvocationError,
    InvocationTimeout,
    OutOfMemory,
    ReservedConcurrencyChange,
    Target,
    When,
)

from lambdachaos import Sim


def ok(event, context):
    return {"ok": True}


def test_prevent_execution_fails_the_attempt_without_running_the_handler(sim: Sim):
    ran = []
    fn = sim.function(lambda e, c: ran.append(1), name="pe")
    sim.apply_faults(FaultPlan.of(InvocationError(prevent_execution=True, error_message="chaos")))
    result = fn.invoke({})
    assert ran == []
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Exception"
    assert result.payload["errorMessage"] == "chaos"
    assert sim.ledger.last.faults and sim.ledger.faults[0].fault.startswith("invocation-error")


def test_an_error_after_the_handler_keeps_its_side_effects_and_fails_the_invocation(sim: Sim):
    ran = []
    fn = sim.function(lambda e, c: ran.append(1), name="after")
    sim.apply_faults(FaultPlan.of(InvocationError(prevent_execution=False)))
    result = fn.invoke({})
    assert ran == [1]
    assert result.function_error == "Unhandled"


def test_an_injected_error_on_the_first_attempt_only_is_retried_async_and_succeeds(sim: Sim):
    dest = sim.sqs_queue("ok-dest")
    fn = sim.function(ok, name="first", on_success=dest)
    sim.apply_faults(FaultPlan.of(InvocationError(), when=When(attempts=(1,))))
    request_id = fn.invoke_async({})
    sim.run()
    assert [(a.attempt, a.outcome.value, a.start) for a in sim.ledger.attempts] == [
        (1, "function_error", 0.0), (2, "success", 60.0)]
    record = json.loads(dest.receive()[0].body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert sim.ledger.fate(request_id).status == "succeeded"


def test_startup_delay_counts_toward_the_timeout(sim: Sim):
    fn = sim.function(ok, name="delay", timeout=2)
    sim.apply_faults(FaultPlan.of(InvocationDelay(startup_delay_milliseconds=1500)))
    result = fn.invoke({})
    assert result.function_error is None and result.duration_ms == 1500.0
    sim.apply_faults(FaultPlan.of(InvocationDelay(startup_delay_milliseconds=800)))  # plans compose: 2.3 s
    result = fn.invoke({})
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert result.payload["errorMessage"].endswith("Task timed out after 2.00 seconds")


def test_handler_latency_past_the_timeout_is_a_timeout(sim: Sim):
    fn = sim.function(ok, name="lat", timeout=1)
    sim.apply_faults(FaultPlan.of(HandlerLatency(milliseconds=5000)))
    assert fn.invoke({}).payload["errorType"] == "Sandbox.Timedout"
    assert sim.ledger.last.duration_ms == 1000.0


def test_a_forced_timeout_runs_to_the_deadline_and_resets_the_environment(sim: Sim):
    fn = sim.function(ok, name="to", timeout=4)
    sim.apply_faults(FaultPlan.of(InvocationTimeout(), when=When(attempts=(1,))))
    request_id = fn.invoke_async({})
    sim.run()
    attempts = sim.ledger.attempts_for(request_id)
    assert [(a.outcome.value, a.start, a.end) for a in attempts] == [("timeout", 0.0, 4.0), ("success", 64.0, 64.0)]
    assert [a.cold for a in attempts] == [True, True]


def test_out_of_memory_is_runtime_exit_error_signal_killed(sim: Sim):
    fn = sim.function(ok, name="oom")
    sim.apply_faults(FaultPlan.of(OutOfMemory()))
    result = fn.invoke({})
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed",
    }


def test_init_error_and_init_latency_apply_to_cold_starts_only(sim: Sim):
    fn = sim.function(ok, name="init")
    sim.apply_faults(FaultPlan.of(InitLatency(milliseconds=700)))
    first = fn.invoke({})
    second = fn.invoke({})
    assert [a.cold for a in sim.ledger.attempts] == [True, False]
    assert sim.ledger.attempts[0].end == 0.7 and second.duration_ms == 0.0
    assert first.function_error is None
    other = sim.function(ok, name="init2")
    sim.apply_faults(FaultPlan.of(InitError(), target=Target(function_name="init2")))
    result = other.invoke({})
    assert result.payload["errorType"] == "Runtime.ImportModuleError"


def test_a_forced_cold_start_discards_the_warm_environment(sim: Sim):
    fn = sim.function(ok, name="cold")
    fn.invoke({})
    sim.apply_faults(FaultPlan.of(ColdStart()))
    fn.invoke({})
    assert [a.cold for a in sim.ledger.attempts] == [True, True]
    assert sim.ledger.attempts[0].env_id != sim.ledger.attempts[1].env_id


def test_reserved_concurrency_set_to_zero_at_a_time_sends_new_async_events_straight_to_the_dlq(sim: Sim):
    dlq = sim.sqs_queue("rc-dlq")
    fn = sim.function(ok, name="rc", dead_letter_queue=dlq)
    sim.apply_faults(FaultPlan.of(ReservedConcurrencyChange(at_seconds=100, reserved_concurrent_executions=0)))
    before = fn.invoke_async({"n": 1})
    sim.run(until=150)
    after = fn.invoke_async({"n": 2})
    sim.run()
    assert sim.ledger.fate(before).status == "succeeded"
    fate = sim.ledger.fate(after)
    assert (fate.status, fate.condition, fate.attempts) == ("dead_lettered", "ZeroReservedConcurrency", 0)
    message = dlq.receive()[0]
    assert message.message_attributes["ErrorCode"]["StringValue"] == "429"


def test_reserved_concurrency_zero_window_throttles_sync_calls_with_the_reserved_reason(sim: Sim):
    from lambdachaos import TooManyRequestsException

    fn = sim.function(ok, name="rcw")
    sim.apply_faults(FaultPlan.of(ReservedConcurrencyChange(at_seconds=0, until_seconds=10,
                                                            reserved_concurrent_executions=0)))
    with pytest.raises(TooManyRequestsException) as info:
        fn.invoke({})
    assert info.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert sim.ledger.faults[-1].effect.startswith("throttled")
    sim.advance(10)
    assert fn.invoke({}).function_error is None


def test_an_exhausted_account_pool_throttles_async_events_which_back_off_and_then_run(sim: Sim):
    fn = sim.function(ok, name="acct")
    sim.apply_faults(FaultPlan.of(AccountConcurrencyExhausted(start_seconds=0, end_seconds=10,
                                                              available_concurrency=0)))
    request_id = fn.invoke_async({})
    sim.run()
    attempts = sim.ledger.attempts_for(request_id)
    assert [a.start for a in attempts] == [0.0, 1.0, 3.0, 7.0, 15.0]
    assert [a.outcome.value for a in attempts] == ["throttled"] * 4 + ["success"]
    assert {a.reason for a in attempts[:4]} == {"ConcurrentInvocationLimitExceeded"}
    fate = sim.ledger.fate(request_id)
    assert fate.status == "succeeded" and fate.attempts == 1  # throttles do not use retry attempts


def test_a_burst_limit_throttles_new_environments_with_the_rate_reason(sim: Sim):
    from lambdachaos import TooManyRequestsException

    fn = sim.function(ok, name="burst")
    sim.apply_faults(FaultPlan.of(BurstLimit(burst=0, refill_per_second=0.0)))
    with pytest.raises(TooManyRequestsException) as info:
        fn.invoke({})
    assert info.value.reason == "FunctionInvocationRateLimitExceeded"


def test_a_probabilistic_plan_replays_exactly_from_the_seed():
    def run(seed):
        with Sim(seed=seed) as sim:
            fn = sim.function(ok, name="p")
            sim.apply_faults(FaultPlan.of(InvocationError(), when=When(invocation_percentage=30)))
            for i in range(60):
                fn.invoke_async({"i": i})
            sim.run()
            return [a.outcome.value for a in sim.ledger.attempts], sim.ledger.to_json()

    first, second = run(4), run(4)
    assert first == second
    failures = first[0].count("function_error")
    assert 10 <= failures <= 40


def test_egress_blackhole_eats_the_function_timeout_on_a_real_socket(sim: Sim):
    def handler(event, context):
        sock = socket.create_connection(("payments.example.com", 443), timeout=10)
        sock.close()

    fn = sim.function(handler, name="vpc", timeout=6)
    sim.apply_faults(FaultPlan.of(EgressLoss(mode=EgressMode.BLACKHOLE)))
    t0 = time.perf_counter()
    result = fn.invoke({})
    assert time.perf_counter() - t0 < 2  # virtual, not real, waiting
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert result.payload["errorMessage"].endswith("Task timed out after 6.00 seconds")
    assert any(f.fault.startswith("egress-loss") for f in sim.ledger.faults)


def test_egress_dns_failure_raises_gaierror_in_the_handler(sim: Sim):
    def handler(event, context):
        try:
            socket.getaddrinfo("api.partner.example", 443)
        except socket.gaierror as exc:
            return {"errno": exc.errno}
        return {"errno": None}

    fn = sim.function(handler, name="dns")
    sim.apply_faults(FaultPlan.of(EgressLoss(mode=EgressMode.DNS_FAILURE)))
    assert fn.invoke({}).payload == {"errno": socket.EAI_NONAME}
    assert socket.getaddrinfo is socket.getaddrinfo  # nothing left patched is checked in tests/faults


def test_egress_loss_also_cuts_off_simulated_queues_without_a_vpc_endpoint(sim: Sim):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    out = sim.sqs_queue("out")

    def handler(event, context):
        client = boto3.client("sqs", region_name="us-east-1",
                              config=Config(connect_timeout=2, retries={"mode": "standard"}))
        try:
            client.send_message(QueueUrl=out.url, MessageBody="x")
        except (ConnectTimeoutError, EndpointConnectionError) as exc:
            return type(exc).__name__
        return "sent"

    fn = sim.function(handler, name="vpcsqs", timeout=30)
    sim.apply_faults(FaultPlan.of(EgressLoss(mode=EgressMode.BLACKHOLE)))
    result = fn.invoke({})
    assert result.payload == "ConnectTimeoutError"
    assert result.duration_ms == 6000.0  # three standard-mode attempts, 2 s connect timeout each
    assert out.approximate_number_of_messages == 0
    assert any("sqs.SendMessage unreachable (blackhole, 3 attempts)" in f.effect for f in sim.ledger.faults)


def test_an_sqs_interface_endpoint_keeps_simulated_queues_reachable():
    import boto3

    with Sim(seed=1) as sim:
        out = sim.sqs_queue("out")

        def handler(event, context):
            boto3.client("sqs", region_name="us-east-1").send_message(QueueUrl=out.url, MessageBody="x")
            return "sent"

        sim.apply_faults(FaultPlan.of(EgressLoss(mode=EgressMode.BLACKHOLE, interface_endpoints=("sqs",))))
        assert sim.function(handler, name="endpoint").invoke({}).payload == "sent"
        assert out.approximate_number_of_messages == 1
