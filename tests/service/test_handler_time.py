"""Handler time: the standard clocks read the invocation's virtual time (DESIGN "Handler time")."""

from __future__ import annotations

import datetime
import time

from lambdachaos import Sim


def test_time_functions_read_virtual_time_inside_a_handler(sim: Sim):
    seen = {}

    def handler(event, context):
        seen["time"] = time.time()
        seen["time_ns"] = time.time_ns()
        seen["mono"] = time.monotonic()
        seen["perf"] = time.perf_counter()
        seen["now"] = datetime.datetime.now(datetime.UTC)
        seen["utcnow"] = datetime.datetime.utcnow()
        seen["today"] = datetime.date.today()
        seen["remaining"] = context.get_remaining_time_in_millis()
        time.sleep(2.5)
        seen["after_sleep"] = time.time()
        seen["mono_after"] = time.monotonic()
        seen["remaining_after"] = context.get_remaining_time_in_millis()
        return "ok"

    sim.advance(100)
    fn = sim.function(handler, timeout=10)
    result = fn.invoke({})
    epoch = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC).timestamp()
    assert seen["time"] == epoch + 100
    assert seen["time_ns"] == int((epoch + 100) * 1e9)
    assert seen["now"] == datetime.datetime(2026, 1, 1, 0, 1, 40, tzinfo=datetime.UTC)
    assert seen["utcnow"] == datetime.datetime(2026, 1, 1, 0, 1, 40)
    assert seen["today"].year == 2026
    assert seen["remaining"] == 10_000
    assert seen["after_sleep"] == epoch + 102.5
    assert seen["mono_after"] - seen["mono"] == 2.5
    assert seen["remaining_after"] == 7_500
    # the caller waited for the invocation: virtual time moved by its duration, real time did not
    assert result.duration_ms == 2500.0
    assert sim.now == 102.5


def test_real_time_is_back_outside_the_handler(sim: Sim):
    fn = sim.function(lambda e, c: time.time(), name="t")
    inside = fn.invoke({}).payload
    assert abs(time.time() - inside) > 1_000_000  # the handler saw 2026-01-01, the test sees today
    assert datetime.datetime.now().year >= 2026


def test_sleeping_past_the_timeout_ends_the_invocation_at_the_deadline_with_side_effects_kept(sim: Sim):
    log = []

    def handler(event, context):
        log.append("before")
        time.sleep(5)
        log.append("after")  # never reached: Lambda ended the invocation at 3 s

    fn = sim.function(handler, name="sleepy")
    result = fn.invoke({})
    assert log == ["before"]
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 3.00 seconds",
    }
    assert sim.ledger.last.end - sim.ledger.last.start == 3.0


def test_a_handler_that_swallows_the_deadline_still_times_out(sim: Sim):
    def handler(event, context):
        try:
            time.sleep(10)
        except BaseException:
            return "I pretend nothing happened"

    result = sim.function(handler, name="stubborn", timeout=2).invoke({})
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert result.payload["errorMessage"].endswith("Task timed out after 2.00 seconds")


def test_names_bound_at_import_time_read_virtual_time_too(sim: Sim, tmp_path):
    (tmp_path / "bound_time_mod.py").write_text(
        "from datetime import datetime, timezone\n"
        "from time import time, sleep\n"
        "def handler(event, context):\n"
        "    sleep(4)\n"
        "    return {'now': datetime.now(timezone.utc).isoformat(), 'time': time()}\n"
    )
    sim.advance(60)
    result = sim.function("bound_time_mod.handler", name="bound", code_dir=str(tmp_path), timeout=10).invoke({})
    assert result.payload == {"now": "2026-01-01T00:01:04+00:00", "time": 1767225664.0}


def test_isinstance_checks_keep_working_on_real_datetimes(sim: Sim):
    import datetime as dt

    sim.function(lambda e, c: None, name="install").invoke({})  # the hooks are installed now
    real = dt.datetime(2020, 1, 1)
    assert isinstance(real, dt.datetime)
    assert isinstance(dt.date(2020, 1, 1), dt.date)
    assert dt.datetime.now().year >= 2026  # outside a handler: real time
