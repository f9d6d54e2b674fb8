"""The real-time guard: a stack of deadlines on CPU time with a wall-clock backstop.

The cases that used to hang run in a child interpreter with a hard timeout (``hostile.run_case``).
"""

from __future__ import annotations

import threading

import pytest

from lambdachaos import MachineDependentOutcome, Sim
from tests.service.hostile import run_case

NESTED = """
from lambdachaos import Sim
with Sim(seed=1, guard_seconds=0.3) as sim:
    inner = sim.function(lambda e, c: {{"inner": True}}, name="inner")

    def outer(event, context):
        {call}
        while True:
            pass

    result = sim.function(outer, name="outer", timeout=9).invoke({{}})
    print("RESULT " + json.dumps({{"payload": result.payload,
                                  "outcomes": [(a.function, a.outcome) for a in sim.ledger.attempts]}}))
"""


@pytest.mark.parametrize(
    "call",
    [
        "inner.invoke({})",
        "import boto3; boto3.client('lambda').invoke(FunctionName='inner', Payload=b'{}')",
    ],
    ids=["python-api", "boto3"],
)
def test_a_nested_sync_invoke_does_not_disarm_the_callers_guard(call):
    result, _ = run_case(NESTED.format(call=call))
    assert result["payload"]["errorType"] == "LambdaChaos.RealTimeGuard"
    assert result["outcomes"] == [["inner", "success"], ["outer", "guard_stopped"]]


def test_a_handler_that_swallows_the_guard_signal_is_still_stopped():
    result, _ = run_case("""
    from lambdachaos import Sim
    with Sim(seed=1, guard_seconds=0.2) as sim:
        def stubborn(event, context):
            caught = 0
            while caught < 5:
                try:
                    while True:
                        pass
                except BaseException:
                    caught += 1
            return "escaped"

        result = sim.function(stubborn, name="stubborn").invoke({})
        print("RESULT " + json.dumps([result.payload["errorType"], sim.ledger.last.outcome]))
    """)
    assert result == ["LambdaChaos.RealTimeGuard", "guard_stopped"]


def test_the_budget_is_cpu_time_so_waiting_on_a_loaded_machine_is_not_stopped():
    # a handler that spends longer than guard_seconds of real time without computing (as a handler
    # does while the machine is busy elsewhere) is not stopped: only CPU time counts
    with Sim(seed=1, guard_seconds=0.1) as sim:
        def waits(event, context):
            threading.Event().wait(0.4)
            return "done"

        result = sim.function(waits, name="waits").invoke({})
    assert result.payload == "done"
    assert sim.ledger.last.outcome == "success"


def test_a_guard_stop_is_retried_like_a_function_error_on_the_async_path():
    with Sim(seed=1, guard_seconds=0.1) as sim:
        def spin(event, context):
            while True:
                pass

        fn = sim.function(spin, name="spin", maximum_retry_attempts=1)
        request_id = fn.invoke_async({})
        with pytest.warns(MachineDependentOutcome) as caught:
            sim.run()
    assert len(caught) == 2
    assert [(a.attempt, a.outcome, a.start) for a in sim.ledger.attempts] == [
        (1, "guard_stopped", 0.0), (2, "guard_stopped", 63.0),
    ]
    assert sim.ledger.fate(request_id).status == "dropped"


def test_module_level_code_that_spins_is_stopped_as_an_init_error(tmp_path):
    (tmp_path / "spins_at_import.py").write_text("while True:\n    pass\n\ndef handler(event, context):\n    pass\n")
    with Sim(seed=1, guard_seconds=0.1) as sim:
        fn = sim.function("spins_at_import.handler", name="spins", code_dir=str(tmp_path), isolate_environments=True)
        with pytest.warns(MachineDependentOutcome, match="init phase"):
            result = fn.invoke({})
    assert result.payload["errorType"] == "LambdaChaos.RealTimeGuard"
    assert result.payload["errorMessage"].startswith("the real-time guard stopped the init phase after 0.10 seconds")
