"""What a cold start reuses from earlier ones (encoded variables, the log stream day, the task root) gives
exactly what computing it afresh gives."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

import pytest

from lambdachaos import Sim
from lambdachaos._world import World
from lambdachaos.service.invoke import _contract, _environments
from lambdachaos.service.invoke._handler_time import FakeDatetime, adopt


def _report(event, context):
    return {"stream": context.log_stream_name, "root": os.environ["LAMBDA_TASK_ROOT"],
            "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "own": os.environ.get("OWN"),
            "key": os.environ["AWS_ACCESS_KEY_ID"], "region": os.environ["AWS_REGION"]}


@pytest.mark.parametrize("epoch", [datetime(2026, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, 23, 0, tzinfo=UTC),
                                   datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)])
def test_log_stream_names_begin_with_the_utc_day_of_the_cold_start_also_across_midnight(epoch):
    with Sim(seed=1, epoch=epoch) as sim:
        fn = sim.function(_report, name="reporter")
        first = sim.invoke(fn).payload["stream"]
        sim.advance(3600 * 30)  # the environment is still warm: same stream; a second function starts later
        later = sim.invoke(sim.function(_report, name="later")).payload["stream"]
    assert first.startswith(f"{epoch:%Y/%m/%d}/[$LATEST]")
    assert later.startswith(f"{epoch + timedelta(hours=30):%Y/%m/%d}/[$LATEST]")


def test_log_day_matches_the_iso_rendering_of_the_instant():
    for wall_s in (0, -1, 86_399, 86_400, 1_767_225_599, 1_767_225_600, -86_401):
        world = World(epoch=datetime.fromtimestamp(wall_s, UTC))
        assert _environments.log_day(world.wall_ns()) == world.iso_s()[:10].replace("-", "/")


def test_every_environment_gets_its_own_variables_from_encodings_reused_across_cold_starts():
    with Sim(seed=2, region="eu-central-1") as sim:
        a = sim.function(_report, name="a", environment={"OWN": "caf\u00e9"})
        b = sim.function(_report, name="b", environment={"OWN": "other"})
        got = [sim.invoke(f).payload for f in (a, b, a)]
    root = os.path.dirname(os.path.abspath(__file__))
    assert [(g["name"], g["own"], g["root"], g["key"], g["region"]) for g in got] == [
        ("a", "caf\u00e9", root, "testing", "eu-central-1"), ("b", "other", root, "testing", "eu-central-1"),
        ("a", "caf\u00e9", root, "testing", "eu-central-1")]


def test_a_store_holds_the_same_bytes_as_encoding_each_variable_even_after_the_memo_starts_over(monkeypatch):
    monkeypatch.setattr(_contract, "_ENCODED_MAX", 3)
    variables = {f"K{i}": f"v\udce9{i}" for i in range(6)}
    for _ in range(3):
        store = _contract.build_store(variables)
        for key, value in variables.items():
            assert store[os.environ.encodekey(key)] == os.environ.encodevalue(value)
    assert len(_contract._encoded_values) <= 7


def test_a_relative_module_file_gives_the_task_root_of_the_current_working_directory(tmp_path, monkeypatch):
    module = type(sys)("relative_handler_module")
    module.__file__ = "pkg/handler.py"

    def handler(event, context):
        return None

    handler.__module__ = module.__name__
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for folder in (tmp_path / "one", tmp_path / "two"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        with Sim(seed=3) as sim:
            fn = sim.function(handler, name="rel")
            sim.invoke(fn)
            [env] = [e for envs in sim.service.pool._idle.values() for e in envs]
            assert env.scope.store[os.environ.encodekey("LAMBDA_TASK_ROOT")] == os.fsencode(folder / "pkg")


def test_adopt_rebinds_every_name_bound_to_real_datetime_and_leaves_dunder_names_and_others_alone():
    namespace = {"__name__": "handler_mod", "datetime": datetime, "when": datetime, "__dt__": datetime,
                 "other": 5, "items": [1, 2]}
    adopt(namespace)
    assert namespace == {"__name__": "handler_mod", "datetime": FakeDatetime, "when": FakeDatetime,
                         "__dt__": datetime, "other": 5, "items": [1, 2]}


def _stamped(event, context):
    from datetime import datetime as now_type

    return {"now": now_type.now(UTC).isoformat(), "left_ms": context.get_remaining_time_in_millis()}


def test_a_callable_handler_cold_start_takes_its_init_duration_and_runs_on_handler_time():
    with Sim(seed=4) as sim:
        fn = sim.function(_stamped, name="stamped", init_duration=0.75, base_duration=0.25, timeout=3)
        cold = sim.invoke(fn)
        warm = sim.invoke(fn)
        attempts = sim.ledger.attempts
    assert [(a.cold, a.start, a.end) for a in attempts] == [(True, 0.0, 1.0), (False, 1.0, 1.25)]
    assert (cold.duration_ms, warm.duration_ms) == (1000.0, 250.0)
    # the handler starts after the init phase and the base duration, with the base duration already spent
    assert cold.payload == {"now": "2026-01-01T00:00:01+00:00", "left_ms": 2750}
    assert warm.payload == {"now": "2026-01-01T00:00:01.250000+00:00", "left_ms": 2750}
