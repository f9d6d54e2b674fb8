"""``isolation="process"``: handler code in a worker process per environment, same outcomes as in-process
for ordinary handlers, and what in-process cannot survive ends that invocation only."""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import pytest

from lambdachaos import ConfigError, MachineDependentOutcome, Sim


def sleeps_then_reads_time(event, context):
    time.sleep(1.25)
    return {"now": time.time(), "remaining": context.get_remaining_time_in_millis(), "env": os.environ.get("COLOUR"),
            "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"), "memory": context.memory_limit_in_mb}


def raises(event, context):
    raise ValueError("card declined")


def sleeps_too_long(event, context):
    time.sleep(4)


def returns_a_set(event, context):
    return {1, 2}


def exits(event, context):
    sys.exit(3)


ORDINARY = [sleeps_then_reads_time, raises, sleeps_too_long, returns_a_set, exits]


def _table(isolation: str) -> list[tuple[object, ...]]:
    rows = []
    with Sim(seed=5, isolation=isolation) as sim:
        for handler in ORDINARY:
            fn = sim.function(handler, name=handler.__name__, environment={"COLOUR": "blue"})
            for _ in range(2):
                result = fn.invoke({"n": 1})
                rows.append((handler.__name__, result.payload, result.function_error, result.duration_ms))
        rows.append(("ledger", json.loads(sim.ledger.to_json())))
    return rows


def test_ordinary_handlers_give_the_same_outcomes_and_virtual_times_as_in_process():
    in_process = _table("in-process")
    in_worker = _table("process")
    assert in_worker == in_process
    first = in_worker[0][1]
    assert first["remaining"] == 1750 and first["env"] == "blue" and first["function"] == "sleeps_then_reads_time"


def test_each_environment_is_its_own_process_reused_warm():
    with Sim(seed=1) as sim:
        fn = sim.function(lambda e, c: os.getpid(), name="pid", isolation="process")
        first, second = fn.invoke({}).payload, fn.invoke({}).payload
        broken = sim.function(lambda e, c: os._exit(9), name="exit", isolation="process").invoke({})
    assert first == second != os.getpid()
    assert broken.payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 9")


def test_a_process_exit_from_c_ends_that_invocation_only():
    def hard_exit(event, context):
        import posix

        posix._exit(4)

    with Sim(seed=1, isolation="process") as sim:
        fn = sim.function(hard_exit, name="hard")
        result = fn.invoke({})
        again = fn.invoke({})
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 4",
    }
    assert again.function_error == "Unhandled"
    assert [a.cold for a in sim.ledger.attempts] == [True, True]


def test_a_handler_blocked_in_c_is_stopped_by_the_guard_and_the_run_goes_on():
    def blocked(event, context):
        threading.Event().wait()

    with Sim(seed=1, guard_seconds=0.1, isolation="process") as sim:
        fn = sim.function(blocked, name="blocked", maximum_retry_attempts=0)
        fn.invoke_async({})
        ok = sim.function(lambda e, c: "fine", name="ok")
        with pytest.warns(MachineDependentOutcome):
            sim.run()
        assert ok.invoke({}).payload == "fine"
    assert [(a.function, a.outcome) for a in sim.ledger.attempts] == [("blocked", "guard_stopped"), ("ok", "success")]


def test_a_spinning_handler_is_stopped_on_its_cpu_time():
    def spin(event, context):
        while True:
            pass

    with Sim(seed=1, guard_seconds=0.2, isolation="process") as sim, pytest.warns(MachineDependentOutcome):
        result = sim.function(spin, name="spin", timeout=5).invoke({})
    assert result.payload["errorType"] == "LambdaChaos.RealTimeGuard"
    assert sim.ledger.last.duration_ms == 5000.0


def test_stray_threads_and_tampering_stay_in_the_worker():
    def vandal(event, context):
        threading.Thread(target=lambda: threading.Event().wait(), name="stray").start()
        sys.modules["json"] = None
        time.time = lambda: 0.0
        return sum(t.name == "stray" for t in threading.enumerate())

    with Sim(seed=1, isolation="process") as sim:
        fn = sim.function(vandal, name="vandal")
        assert fn.invoke({}).payload == 1
        assert fn.invoke({}).payload == 2  # the environment keeps its threads, as on Lambda
    assert sys.modules["json"] is json and time.time() > 1e9
    assert all(t.name != "stray" for t in threading.enumerate())


def test_memory_exhaustion_is_killed_like_lambda_kills_it():
    def hog(event, context):
        blocks = []
        while True:
            blocks.append(bytearray(16 * 1024 * 1024))

    with Sim(seed=1, isolation="process") as sim:
        fn = sim.function(hog, name="hog", memory_size=128)
        result = fn.invoke({})
        fine = sim.function(lambda e, c: len(bytearray(64 * 1024 * 1024)), name="fits", memory_size=256,
                            isolation="process").invoke({})
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed",
    }
    assert fine.payload == 64 * 1024 * 1024


def test_nested_invokes_and_boto3_calls_reach_the_simulation_with_virtual_time():
    import boto3

    with Sim(seed=1, isolation="process") as sim:
        queue = sim.sqs_queue("out")
        inner = sim.function(lambda e, c: time.sleep(2) or {"inner": e["n"]}, name="inner")
        later = sim.function(lambda e, c: e["n"], name="later")

        def outer(event, context):
            first = inner.invoke({"n": 1}).payload
            second = json.loads(boto3.client("lambda").invoke(FunctionName="inner", Payload=b'{"n": 2}')["Payload"]
                                .read())
            boto3.client("sqs").send_message(QueueUrl=queue.url, MessageBody="sent")
            later.invoke_async({"n": 3})
            return [first, second, context.get_remaining_time_in_millis()]

        result = sim.function(outer, name="outer", timeout=10).invoke({})
        assert [m.body for m in queue.receive()] == ["sent"]
        sim.run()
    assert result.payload == [{"inner": 1}, {"inner": 2}, 6000]
    assert [(a.function, a.start, a.outcome) for a in sim.ledger.attempts] == [
        ("inner", 0.0, "success"), ("inner", 2.0, "success"), ("outer", 0.0, "success"), ("later", 4.0, "success"),
    ]


def test_a_string_handler_gets_its_environment_before_import(tmp_path):
    (tmp_path / "envapp.py").write_text(
        "import os\nCOLOUR = os.environ['COLOUR']\n\ndef handler(event, context):\n    return COLOUR\n"
    )
    with Sim(seed=1, isolation="process") as sim:
        fn = sim.function("envapp.handler", name="envapp", code_dir=str(tmp_path), environment={"COLOUR": "red"})
        assert fn.invoke({}).payload == "red"


def test_an_unknown_isolation_mode_is_refused():
    with pytest.raises(ConfigError, match=r"^isolation='thread' is not an isolation mode; choose one of "):
        Sim(isolation="thread")
    with Sim() as sim, pytest.raises(ConfigError, match=r"isolation='vm'"):
        sim.function(lambda e, c: None, name="f", isolation="vm")


def test_a_worker_does_not_see_the_variables_of_in_process_functions():
    with Sim(seed=1) as sim:
        sim.function(lambda e, c: os.environ["SECRET"], name="first", environment={"SECRET": "a"}).invoke({})
        isolated = sim.function(lambda e, c: os.environ.get("SECRET", "unset"), name="second",
                                isolation="process")
        assert isolated.invoke({}).payload == "unset"
