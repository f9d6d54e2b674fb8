"""The process runtime executor under LocalStack: plain boto3 calls, as a user would make them."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest

pytestmark = pytest.mark.localstack

_CODE = '''
import os, time
STARTED = time.time()
def handler(event, context):
    print("event", event)
    if event.get("fail"):
        raise ValueError("boom")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("die"):
        os._exit(3)
    return {"pid": os.getpid(), "remaining": context.get_remaining_time_in_millis(),
            "name": context.function_name, "memory": context.memory_limit_in_mb, "flag": os.environ.get("FLAG")}
'''


@pytest.fixture
def fn(localstack, ls):
    lam = ls.client("lambda")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", _CODE)
    name = ls.prefix + "plain"
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler",
                        Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buf.getvalue()}, Timeout=1,
                        Environment={"Variables": {"FLAG": "on"}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    yield name
    lam.delete_function(FunctionName=name)


def _invoke(ls, name, event):
    out = ls.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    return out, json.loads(out["Payload"].read()), base64.b64decode(out.get("LogResult", "")).decode()


def test_a_sync_invoke_runs_the_handler_with_its_environment_and_context(ls, fn):
    out, payload, log = _invoke(ls, fn, {"a": 1})
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    assert payload["flag"] == "on" and payload["name"] == fn and payload["memory"] == "128"
    assert 0 < payload["remaining"] <= 1000
    assert "event {'a': 1}" in log and log.startswith("START RequestId:")


def test_a_warm_environment_is_reused(ls, fn):
    first = _invoke(ls, fn, {})[1]["pid"]
    assert _invoke(ls, fn, {})[1]["pid"] == first


def test_an_exception_is_reported_as_an_unhandled_function_error(ls, fn):
    out, payload, log = _invoke(ls, fn, {"fail": True})
    assert out["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError" and payload["errorMessage"] == "boom"
    assert payload["stackTrace"] and "[ERROR] ValueError: boom" in log


def test_the_timeout_ends_the_invocation_as_lambda_reports_it_and_the_next_one_runs(ls, fn):
    out, payload, log = _invoke(ls, fn, {"sleep": 5})
    assert out["FunctionError"] == "Unhandled"
    rid = out["ResponseMetadata"]["RequestId"]
    assert payload == {"errorType": "Sandbox.Timedout",
                       "errorMessage": f"RequestId: {rid} Error: Task timed out after 1.00 seconds"}
    assert "Task timed out after 1.00 seconds" in log
    assert "pid" in _invoke(ls, fn, {})[1]


def test_a_process_that_exits_is_reported_as_a_runtime_exit_error(ls, fn):
    _, payload, _ = _invoke(ls, fn, {"die": True})
    assert payload["errorType"] == "Runtime.ExitError"
    assert payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    assert "pid" in _invoke(ls, fn, {})[1]
