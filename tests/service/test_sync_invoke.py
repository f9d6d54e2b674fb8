"""Synchronous invocation: docs/aws-behaviour.md §2 (context, error payloads) and §3 (no retries, throttles)."""

from __future__ import annotations

import sys

import pytest

from lambdachaos import RequestEntityTooLargeException, Sim, TooManyRequestsException


def test_section_2_3_success_returns_200_with_the_parsed_result_and_executed_version(sim: Sim):
    fn = sim.function(lambda event, ctx: {"echo": event["x"]}, name="echo")
    result = fn.invoke({"x": 41})
    assert result.status_code == 200
    assert result.payload == {"echo": 41}
    assert result.function_error is None
    assert result.executed_version == "$LATEST"


def test_section_2_2_an_exception_gives_the_python_runtime_error_payload(sim: Sim):
    def handler(event, ctx):
        raise ValueError("card declined")

    result = sim.function(handler, name="pay").invoke({})
    assert result.status_code == 200  # AWS answers 200 even when the function failed
    assert result.function_error == "Unhandled"
    assert list(result.payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert result.payload["errorMessage"] == "card declined"
    assert result.payload["errorType"] == "ValueError"
    assert result.payload["requestId"] == result.request_id
    frame = result.payload["stackTrace"][-1]
    assert frame.startswith('  File "') and ', in handler\n    raise ValueError("card declined")\n' in frame
    assert all("lambdachaos/service" not in f for f in result.payload["stackTrace"])


def test_section_3_there_are_no_retries_on_the_synchronous_path(sim: Sim):
    def handler(event, ctx):
        raise RuntimeError("down")

    sim.function(handler, name="down").invoke({})
    sim.run()
    assert [a.attempt for a in sim.ledger.attempts] == [1]


def test_section_2_1_the_context_object_has_every_field_with_aws_types(sim: Sim):
    seen = {}

    def handler(event, ctx):
        seen.update(
            function_name=ctx.function_name,
            function_version=ctx.function_version,
            invoked_function_arn=ctx.invoked_function_arn,
            memory_limit_in_mb=ctx.memory_limit_in_mb,
            aws_request_id=ctx.aws_request_id,
            log_group_name=ctx.log_group_name,
            log_stream_name=ctx.log_stream_name,
            identity=ctx.identity,
            client_context=ctx.client_context,
        )

    fn = sim.function(handler, name="ctx", memory_size=512)
    fn.publish_version()
    fn.create_alias("live", "1")
    result = fn.invoke({}, qualifier="live")
    assert seen["function_name"] == "ctx"
    assert seen["function_version"] == "1"
    assert seen["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx:live"
    assert seen["memory_limit_in_mb"] == "512"
    assert seen["aws_request_id"] == result.request_id
    assert seen["log_group_name"] == "/aws/lambda/ctx"
    assert seen["log_stream_name"].startswith("2026/01/01/[1]") and len(seen["log_stream_name"]) == 14 + 32
    assert seen["identity"] is None and seen["client_context"] is None
    assert result.executed_version == "1"


def test_section_3_a_throttle_raises_429_with_the_reason_for_reserved_concurrency_zero(sim: Sim):
    fn = sim.function(lambda e, c: None, name="off", reserved_concurrency=0)
    with pytest.raises(TooManyRequestsException, match=r"^Rate Exceeded\.$") as info:
        fn.invoke({})
    assert info.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert info.value.response()["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert info.value.response()["Type"] == "User"
    assert sim.ledger.last.outcome == "throttled"


def test_section_1_a_request_over_6_mb_is_rejected_with_aws_message(sim: Sim):
    fn = sim.function(lambda e, c: None, name="big")
    with pytest.raises(
        RequestEntityTooLargeException,
        match=r"^Request must be smaller than 6291456 bytes for the InvokeFunction operation$",
    ):
        fn.invoke({"blob": "x" * 6_291_456})
    assert len(sim.ledger) == 0


def test_section_1_a_response_over_6_mb_becomes_a_function_error(sim: Sim):
    result = sim.function(lambda e, c: "x" * 6_300_000, name="huge").invoke({})
    assert result.function_error == "Unhandled"
    assert list(result.payload.items()) == [  # AWS's key order
        ("errorMessage", "Response payload size exceeded maximum allowed payload size (6291556 bytes)."),
        ("errorType", "Function.ResponseSizeTooLarge"),
    ]


def test_a_result_that_is_not_json_is_a_marshal_error(sim: Sim):
    result = sim.function(lambda e, c: {1, 2}, name="sets").invoke({})
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.MarshalError"
    assert result.payload["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (3, "Runtime exited with error: exit status 3"),
        (None, "Runtime exited without providing a reason"),
    ],
)
def test_sys_exit_ends_the_runtime_with_runtime_exit_error(sim: Sim, code, message):
    fn = sim.function(lambda e, c: sys.exit(code), name="quitter")
    result = fn.invoke({})
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: {message}",
    }
    # the runtime process died: the next request starts a new environment
    fn.invoke({})
    assert [a.cold for a in sim.ledger.attempts] == [True, True]


def test_a_base_exception_subclass_is_a_runtime_exit_not_a_harness_crash(sim: Sim):
    class Fatal(BaseException):
        pass

    def handler(event, ctx):
        raise Fatal("bye")

    result = sim.function(handler, name="fatal").invoke({})
    assert result.payload["errorType"] == "Runtime.ExitError"
    assert result.payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 1")


def test_keyboard_interrupt_in_a_handler_does_not_stop_the_test_run(sim: Sim):
    def handler(event, ctx):
        raise KeyboardInterrupt

    result = sim.function(handler, name="ctrlc").invoke({})
    assert result.payload["errorType"] == "Runtime.ExitError"


def test_a_handler_spinning_forever_is_stopped_by_the_real_time_guard_with_its_own_outcome():
    from lambdachaos import MachineDependentOutcome

    with Sim(seed=1, guard_seconds=0.2) as sim:
        def spin(event, ctx):
            while True:
                pass

        with pytest.warns(MachineDependentOutcome, match=r"guard stopped function 'spin'.*depends on this machine"):
            result = sim.function(spin, name="spin", timeout=7).invoke({})
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorType": "LambdaChaos.RealTimeGuard",
        "errorMessage": f"RequestId: {result.request_id} Error: stopped by the real-time guard after 0.20 seconds "
        "of CPU time (this outcome depends on the machine, not on the simulation)",
    }
    assert sim.ledger.last.outcome == "guard_stopped"
    assert sim.ledger.last.reason == "real-time guard"
    assert sim.ledger.last.duration_ms == 7000.0


def test_warm_invocations_reuse_the_environment(sim: Sim):
    fn = sim.function(lambda e, c: None, name="warm")
    for _ in range(3):
        fn.invoke({})
    attempts = sim.ledger.attempts
    assert [a.cold for a in attempts] == [True, False, False]
    assert len({a.env_id for a in attempts}) == 1


def test_invalid_json_bytes_are_rejected_like_aws(sim: Sim):
    from lambdachaos import InvalidRequestContentException

    fn = sim.function(lambda e, c: None, name="bytes")
    with pytest.raises(InvalidRequestContentException, match=r"^Could not parse request body into json"):
        fn.invoke(b"{not json")
