"""Handlers that try to crash, hang or corrupt the test process (in-process mode).

Hang cases run in a child interpreter with a hard timeout (``hostile.run_case``).
"""

from __future__ import annotations

import os
import sys
import time
import types

import pytest

from lambdachaos import HandlerNotStoppable, Sim
from tests.service.hostile import run_case


def test_os_exit_in_a_handler_ends_the_runtime_not_the_test_process(sim: Sim):
    fn = sim.function(lambda e, c: os._exit(3), name="exits")
    result = fn.invoke({})
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 3",
    }
    fn.invoke({})
    assert [a.cold for a in sim.ledger.attempts] == [True, True]  # the runtime process ended


def test_an_exception_whose_str_raises_is_a_function_error_not_a_harness_crash(sim: Sim):
    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text for you")

    def handler(event, context):
        raise Weird

    fn = sim.function(handler, name="weird", maximum_retry_attempts=0)
    request_id = fn.invoke_async({})
    sim.run()
    attempt = sim.ledger.last
    assert (attempt.outcome, attempt.error_type) == ("function_error", "Weird")
    assert attempt.error_message == "<str() of Weird failed: RuntimeError>"
    assert sim.ledger.fate(request_id).status == "dropped"


def test_a_handler_replacing_the_time_module_does_not_break_what_runs_after_it(sim: Sim):
    def vandal(event, context):
        time.time = lambda: 0.0
        time.sleep = lambda seconds: None
        sys.modules["time"] = types.ModuleType("time")

    def sleeper(event, context):
        import time as t

        t.sleep(2)
        return t.time()

    sim.function(vandal, name="vandal").invoke({})
    result = sim.function(sleeper, name="sleeper").invoke({})
    assert result.payload == sim.world.wall_ns(0) / 1e9 + 2  # virtual time, slept virtually
    assert sim.now == 2.0
    import time as after

    assert after.perf_counter() > 0 and after is time  # the harness's own time module is back


def test_a_patch_the_test_made_itself_survives_invocations(sim: Sim, monkeypatch):
    fn = sim.function(lambda e, c: None, name="noop")
    fn.invoke({})  # handler time is installed once per process, on the first invocation
    monkeypatch.setattr(time, "time", lambda: 42.0)
    fn.invoke({})
    assert time.time() == 42.0


CTRL_C = """
import os, signal, threading
from lambdachaos import Sim

TEST_PROCESS = os.getpid()

def press_ctrl_c():
    os.kill(TEST_PROCESS, signal.SIGINT)

with Sim(seed=1, guard_seconds=30, isolation="{isolation}") as sim:
    def {kind}(event, context):
        threading.Timer(0.3, press_ctrl_c).start()
        {body}

    fn = sim.function({kind}, name="h", maximum_retry_attempts=2)
    for _ in range(3):
        fn.invoke_async({{}})
    try:
        sim.run()
        outcome = "run finished"
    except KeyboardInterrupt:
        outcome = "KeyboardInterrupt"
    print("RESULT " + json.dumps([outcome, len(sim.ledger.attempts)]))
"""


@pytest.mark.parametrize("isolation", ["in-process", "process"])
@pytest.mark.parametrize(
    ("kind", "body"),
    [("spins", "while True: pass"), ("blocks", "threading.Event().wait()")],
)
def test_ctrl_c_from_the_terminal_stops_the_run_and_reaches_the_caller(kind, body, isolation):
    result, _ = run_case(CTRL_C.format(kind=kind, body=body, isolation=isolation))
    assert result == ["KeyboardInterrupt", 0]


def test_keyboard_interrupt_raised_by_handler_code_is_the_handlers_outcome(sim: Sim):
    def handler(event, context):
        raise KeyboardInterrupt

    result = sim.function(handler, name="ctrlc").invoke({})
    # as during init: Python ends a process with an uncaught KeyboardInterrupt by re-raising SIGINT
    assert result.payload["errorMessage"].endswith("Error: Runtime exited with error: signal: interrupt")


BLOCKED = """
import select, threading, time
from lambdachaos import HandlerNotStoppable, Sim

with Sim(seed=1, guard_seconds=0.1) as sim:
    def blocked(event, context):
        {body}

    try:
        sim.function(blocked, name="stuck").invoke({{}})
        message = "returned"
    except HandlerNotStoppable as exc:
        message = str(exc)
    print("RESULT " + json.dumps(message))
"""


@pytest.mark.parametrize(
    "body",
    [
        "threading.Event().wait()",
        "r, w = __import__('os').pipe(); select.select([r], [], [])",
        "t = threading.Thread(target=lambda: time.sleep(600)); t.start(); t.join()",
    ],
    ids=["event-wait", "select", "join-real-sleep"],
)
def test_a_handler_blocked_in_c_ends_the_test_with_an_error_naming_it(body):
    started = time.perf_counter()
    message, proc = run_case(BLOCKED.format(body=body))
    assert message.startswith("handler 'blocked' of function 'stuck' was still running after 1.2 s of real time")
    assert 'isolation="process"' in message
    assert proc.returncode == 0  # and the interpreter exited: the thread it started does not hold it
    assert time.perf_counter() - started < 60


def test_a_non_daemon_thread_left_running_ends_the_test_and_does_not_block_interpreter_exit():
    message, proc = run_case("""
    import threading, time
    from lambdachaos import HandlerNotStoppable, Sim

    def forever():
        while True:
            time.sleep(0.05)

    with Sim(seed=1) as sim:
        def leaves_a_thread(event, context):
            threading.Thread(target=forever, name="poller").start()
            return "ok"

        try:
            sim.function(leaves_a_thread, name="leaky").invoke({})
            message = "returned"
        except HandlerNotStoppable as exc:
            message = str(exc)
        print("RESULT " + json.dumps(message))
    """)
    assert message.startswith(
        "handler 'leaves_a_thread' of function 'leaky' left non-daemon thread(s) 'poller' running"
    )
    assert 'isolation="process"' in message
    assert proc.returncode == 0


def test_a_thread_the_handler_joins_is_fine(sim: Sim):
    import threading

    def handler(event, context):
        box = []
        t = threading.Thread(target=lambda: box.append(1))
        t.start()
        t.join()
        return box

    assert sim.function(handler, name="joins").invoke({}).payload == [1]


def test_a_module_level_thread_pool_reused_warm_is_fine(sim: Sim):
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=2)

    def handler(event, context):
        return pool.submit(lambda: event["n"] * 2).result()

    fn = sim.function(handler, name="pooled")
    assert [fn.invoke({"n": n}).payload for n in (1, 2)] == [2, 4]
    pool.shutdown()


def test_harness_errors_for_unstoppable_handlers_are_lambdachaos_errors():
    from lambdachaos import LambdaChaosError

    assert issubclass(HandlerNotStoppable, LambdaChaosError)
