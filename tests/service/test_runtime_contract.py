"""The Lambda runtime contract: variables, working directory, sys.path and module namespaces, set
while a function's module is imported and while it runs, and restored afterwards."""

from __future__ import annotations

import os
import sys
import textwrap
import types
from pathlib import Path

import pytest

from lambdachaos import ConfigError, Sim

SAM = Path(__file__).parent / "sam_project"
LAYER = str(SAM / "layers" / "shared")

RUNTIME_VARIABLES = (
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ORDERS_TABLE",
)

PROBE = textwrap.dedent("""
    import os, sys
    NAMES = {names!r}
    AT_IMPORT = {{name: os.environ.get(name) for name in NAMES}}
    IMPORT_CWD = os.getcwd()
    IMPORT_PATH0 = sys.path[0]

    def handler(event, context):
        if event.get("raise"):
            raise RuntimeError("boom")
        return {{"import": AT_IMPORT, "run": {{name: os.environ.get(name) for name in NAMES}},
                "import_cwd": IMPORT_CWD, "run_cwd": os.getcwd(), "import_path0": IMPORT_PATH0,
                "run_path0": sys.path[0], "stream": context.log_stream_name}}
""")


def _snapshot() -> tuple[dict[str, str], str, list[str], set[str]]:
    return dict(os.environ), os.getcwd(), list(sys.path), set(sys.modules)


def _sam_function(sim: Sim, folder: str, **kw):
    environment = {"orders": {"ORDERS_TABLE": "orders-table"},
                   "stream": {"ORDERS_TABLE": "stream-orders", "ARCHIVE_BUCKET": "archive"},
                   "payments": {"PAYMENTS_QUEUE": "payments"}}[folder]
    handler = "app.lambda_handler" if folder == "payments" else "app.handler"
    return sim.function(handler, name=folder, code_dir=str(SAM / folder), layers=[LAYER],
                        environment=environment, **kw)


def test_every_runtime_variable_is_set_during_import_and_handler_and_restored(tmp_path: Path):
    (tmp_path / "probe.py").write_text(PROBE.format(names=RUNTIME_VARIABLES))
    before = _snapshot()
    with Sim(seed=3, region="eu-west-1") as sim:
        fn = sim.function("probe.handler", name="probe", code_dir=str(tmp_path), memory_size=512,
                          environment={"ORDERS_TABLE": "orders-table"})
        result = fn.invoke({})
        inside = _snapshot()
    expected = {
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_LAMBDA_FUNCTION_NAME": "probe",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/probe", "AWS_LAMBDA_LOG_STREAM_NAME": result.payload["stream"],
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "LAMBDA_TASK_ROOT": str(tmp_path),
        "LAMBDA_RUNTIME_DIR": "/var/runtime", "_HANDLER": "probe.handler", "TZ": ":UTC",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "ORDERS_TABLE": "orders-table",
    }
    assert result.payload["import"] == expected
    assert result.payload["run"] == expected
    assert result.payload["stream"].endswith(tuple("0123456789abcdef")) and "[$LATEST]" in result.payload["stream"]
    assert result.payload["import_cwd"] == result.payload["run_cwd"] == str(tmp_path)
    assert result.payload["import_path0"] == result.payload["run_path0"] == str(tmp_path)
    # between invocations (test code inside the Sim) and after it, the process is as it was
    assert inside[1:3] == before[1:3] and "ORDERS_TABLE" not in inside[0]
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None
    after = _snapshot()
    assert after[:3] == before[:3]
    assert "probe" not in sys.modules


def test_the_process_is_restored_when_the_handler_raises(sim: Sim, tmp_path: Path):
    (tmp_path / "probe_raise.py").write_text(PROBE.format(names=("ORDERS_TABLE",)))
    fn = sim.function("probe_raise.handler", name="raiser", code_dir=str(tmp_path),
                      environment={"ORDERS_TABLE": "t"})
    before = _snapshot()
    result = fn.invoke({"raise": True})
    assert result.payload["errorType"] == "RuntimeError"
    assert _snapshot()[:3] == before[:3]
    assert "probe_raise" not in sys.modules


def test_callable_handlers_see_the_variables_and_leave_cwd_and_path_alone(sim: Sim):
    seen: dict[str, object] = {}

    def handler(event, context):
        seen.update(table=os.environ.get("ORDERS_TABLE"), cwd=os.getcwd(), root=os.environ["LAMBDA_TASK_ROOT"])

    before = _snapshot()
    sim.function(handler, name="plain", environment={"ORDERS_TABLE": "x"}).invoke({})
    assert seen == {"table": "x", "cwd": before[1], "root": str(Path(__file__).parent)}
    assert _snapshot()[:3] == before[:3]


def test_two_functions_never_see_each_others_variables(sim: Sim):
    seen: list[tuple[str | None, str | None]] = []

    def handler(event, context):
        seen.append((os.environ.get("A_ONLY"), os.environ.get("B_ONLY")))
        if event.get("call"):
            sim.service.get("b").invoke({})
            seen.append((os.environ.get("A_ONLY"), os.environ.get("B_ONLY")))

    sim.function(handler, name="a", environment={"A_ONLY": "a"})
    sim.function(handler, name="b", environment={"B_ONLY": "b"})
    sim.service.get("a").invoke({"call": True})
    assert seen == [("a", None), (None, "b"), ("a", None)]  # nested: b sees only b's, a gets its own back


def test_a_variable_the_handler_writes_stays_in_its_environment_only(sim: Sim):
    def handler(event, context):
        before = os.environ.get("COUNTER", "0")
        os.environ["COUNTER"] = str(int(before) + 1)
        return before

    fn = sim.function(handler, name="writer")
    assert [fn.invoke({}).payload for _ in range(3)] == ["0", "1", "2"]  # one warm environment
    assert "COUNTER" not in os.environ


def test_a_configuration_change_reaches_the_variables(sim: Sim):
    fn = sim.function(lambda e, c: os.environ["STAGE"], name="staged", environment={"STAGE": "one"})
    assert fn.invoke({}).payload == "one"
    fn.update_configuration(environment={"STAGE": "two"})
    assert fn.invoke({}).payload == "two"


# ---- module namespaces: the SAM-layout project ------------------------------------------------------
ORDERS = {"code": "orders", "table": "orders-table", "helper": "orders utils for orders-table",
          "at_import": {"function": "orders", "cwd": str(SAM / "orders"),
                        "layer": "shared layer loaded for orders"},
          "now": "orders-table", "has_archive": False}
STREAM = {"code": "stream", "table": "stream-orders", "bucket": "archive", "helper": "stream utils in stream",
          "at_import": {"function": "stream", "cwd": str(SAM / "stream"), "layer": "shared layer loaded for stream"}}
PAYMENTS = {"code": "payments", "queue": "payments", "total": 7, "layer": "shared layer loaded for payments",
            "has_orders_table": False}
EXPECTED = {"orders": ORDERS, "stream": STREAM, "payments": PAYMENTS}
EVENTS = {"orders": {}, "stream": {}, "payments": {"items": [{"price": 2, "qty": 2}, {"price": 3, "qty": 1}]}}


@pytest.mark.parametrize("order", [("orders", "stream", "payments"), ("payments", "stream", "orders")])
def test_sam_project_each_function_runs_its_own_code_in_either_order(order: tuple[str, ...]):
    before = _snapshot()
    with Sim(seed=1) as sim:
        functions = {name: _sam_function(sim, name) for name in order}
        for name in order:
            assert functions[name].invoke(EVENTS[name]).payload == EXPECTED[name]
        for name in reversed(order):  # warm again, still each its own
            assert functions[name].invoke(EVENTS[name]).payload == EXPECTED[name]
    assert _snapshot() == before
    assert not {"app", "utils", "pricing", "shared_lib"} & set(sys.modules)


def test_sam_project_in_separate_simulations_of_one_process():
    for name in ("stream", "orders", "stream"):
        with Sim(seed=2) as sim:
            assert _sam_function(sim, name).invoke(EVENTS[name]).payload == EXPECTED[name]


def test_the_test_process_own_modules_of_the_same_names_are_put_back(sim: Sim):
    mine = types.ModuleType("utils")
    sys.modules["utils"] = mine
    try:
        assert _sam_function(sim, "orders").invoke({}).payload == ORDERS
        assert sys.modules["utils"] is mine
    finally:
        del sys.modules["utils"]


def test_isolated_environments_get_their_own_modules_and_shared_ones_reuse_them(sim: Sim, tmp_path: Path):
    (tmp_path / "app.py").write_text("from helper import hits\n\ndef handler(e, c):\n    hits.append(1)\n"
                                     "    return len(hits)\n")
    (tmp_path / "helper.py").write_text("hits = []\n")
    iso = sim.function("app.handler", name="iso", code_dir=str(tmp_path), isolate_environments=True,
                       base_duration=1.0)
    shared = sim.function("app.handler", name="shared", code_dir=str(tmp_path), base_duration=1.0)
    for fn in (iso, shared):
        sim.invoke(fn, {}, invocation_type="Event")
        sim.invoke(fn, {}, invocation_type="Event")  # two environments at once
    sim.run()
    by_fn = {name: sorted(a.env_id for a in sim.ledger.attempts if a.function == name) for name in ("iso", "shared")}
    assert all(len(set(envs)) == 2 for envs in by_fn.values())
    assert iso.invoke({}).payload == 2  # one module instance per environment
    assert shared.invoke({}).payload == 3  # the environments of one function share them


def test_a_layer_without_a_python_folder_is_refused(sim: Sim, tmp_path: Path):
    with pytest.raises(ConfigError, match=r"^layers\[0\]='.*' has no python/ folder: Lambda's Python runtime "
                                          r"imports a layer's code from /opt/python"):
        sim.function("app.handler", name="f", code_dir=str(SAM / "orders"), layers=[str(tmp_path)])


def test_a_missing_code_folder_is_refused(sim: Sim, tmp_path: Path):
    with pytest.raises(ConfigError, match=r"^code_dir='.*nowhere' is not a folder"):
        sim.function("app.handler", name="f", code_dir=str(tmp_path / "nowhere"))


# ---- init failures ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "message"), [
    ("import sys\nsys.exit()", "Runtime exited without providing a reason"),
    ("raise SystemExit(0)", "Runtime exited without providing a reason"),
    ("import sys\nsys.exit(3)", "Runtime exited with error: exit status 3"),
    ("import os\nos._exit(2)", "Runtime exited with error: exit status 2"),
    ("raise KeyboardInterrupt", "Runtime exited with error: signal: interrupt"),
])
def test_an_exit_during_init_is_runtime_exit_error_and_never_reaches_the_caller(
    sim: Sim, tmp_path: Path, code: str, message: str
):
    (tmp_path / "exits.py").write_text(code + "\n\ndef handler(e, c):\n    return 'ran'\n")
    fn = sim.function("exits.handler", name="exits", code_dir=str(tmp_path))
    first = fn.invoke({})
    second = fn.invoke({})
    for result in (first, second):
        assert result.function_error == "Unhandled"
        assert result.payload == {"errorType": "Runtime.ExitError",
                                  "errorMessage": f"RequestId: {result.request_id} Error: {message}"}
    attempts = sim.ledger.attempts
    assert [(a.cold, a.error_type) for a in attempts] == [(True, "Runtime.ExitError")] * 2
    assert attempts[0].env_id != attempts[1].env_id  # init again in a new environment, failing again
    assert "exits" not in sys.modules


def test_an_init_error_payload_has_an_empty_request_id(sim: Sim, tmp_path: Path):
    (tmp_path / "badinit.py").write_text("import os\nTABLE = os.environ['MISSING_TABLE']\n")
    result = sim.function("badinit.handler", name="badinit", code_dir=str(tmp_path)).invoke({})
    assert list(result.payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert result.payload["errorType"] == "KeyError"
    assert result.payload["errorMessage"] == "'MISSING_TABLE'"
    assert result.payload["requestId"] == ""
    import_error = sim.function("nosuch_zz.handler", name="noimport", code_dir=str(tmp_path)).invoke({})
    assert import_error.payload == {"errorMessage": "Unable to import module 'nosuch_zz': No module named 'nosuch_zz'",
                                    "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}


def test_a_name_derived_from_a_lambda_keeps_only_what_a_function_name_may_hold(sim: Sim):
    assert sim.function(lambda e, c: None).name == "lambda"


def test_provisioned_environments_are_initialised_as_provisioned_concurrency(sim: Sim, tmp_path: Path):
    (tmp_path / "initkind.py").write_text(
        "import os\nKIND = os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']\n\n"
        "def handler(e, c):\n    return [KIND, os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']]\n")
    fn = sim.function("initkind.handler", name="kinds", code_dir=str(tmp_path))
    fn.publish_version()
    fn.put_provisioned_concurrency("1", 1)
    assert fn.invoke({}, qualifier="1").payload == ["provisioned-concurrency"] * 2
    assert fn.invoke({}).payload == ["on-demand"] * 2
