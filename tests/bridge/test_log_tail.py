"""``Invoke`` with ``LogType="Tail"``: ``LogResult`` is the base64 of the last 4 KB of the invocation's log,
in the text format of Lambda's Python runtime."""

from __future__ import annotations

import base64
import logging
import re

import boto3
import pytest

from lambdachaos import Sim

RID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def sim():
    with Sim(seed=9) as s:
        yield s


@pytest.fixture
def lam():
    return boto3.client("lambda", region_name="us-east-1")


def _log(out) -> str:
    return base64.b64decode(out["LogResult"]).decode()


def chatty(event, context):
    import time

    print("hello from", context.function_name)
    time.sleep(0.25)
    logging.getLogger("app").warning("low stock: %s", event.get("sku"))
    return {"ok": True}


def test_the_log_has_start_the_handlers_output_end_and_report(sim, lam, capsys):
    sim.function(chatty, name="chatty", memory_size=256, init_duration=0.5)
    out = lam.invoke(FunctionName="chatty", Payload=b'{"sku": "A-1"}', LogType="Tail")
    request_id = out["ResponseMetadata"]["RequestId"]
    log = _log(out)
    assert re.fullmatch(
        f"START RequestId: {request_id} Version: \\$LATEST\n"
        "hello from chatty\n"
        f"\\[WARNING\\]\t{TS}\t{request_id}\tlow stock: A-1\n"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: 250.00 ms\tBilled Duration: 750 ms\tMemory Size: 256 MB\t"
        "Max Memory Used: 40 MB\tInit Duration: 500.00 ms\t\n", log), log
    assert "hello from chatty" in capsys.readouterr().out  # still written where it went before
    warm = _log(lam.invoke(FunctionName="chatty", Payload=b"{}", LogType="Tail"))
    assert "Init Duration" not in warm and "\tBilled Duration: 250 ms\t" in warm
    assert "LogResult" not in lam.invoke(FunctionName="chatty", Payload=b"{}")


def test_errors_and_timeouts_end_the_log_as_the_runtime_writes_them(sim, lam):
    def broken(event, context):
        raise ValueError("bad order")

    def slow(event, context):
        import time

        time.sleep(5)

    sim.function(broken, name="broken")
    sim.function(slow, name="slow", timeout=1)
    log = _log(lam.invoke(FunctionName="broken", LogType="Tail"))
    assert "[ERROR] ValueError: bad order\nTraceback (most recent call last):\n" in log
    assert 'raise ValueError("bad order")' in log
    out = lam.invoke(FunctionName="slow", LogType="Tail")
    request_id = out["ResponseMetadata"]["RequestId"]
    assert re.search(f"\n{TS} {request_id} Task timed out after 1.00 seconds\nEND RequestId: {request_id}\n", _log(out))


def test_only_the_last_4_kb_are_returned_and_a_nested_invocation_keeps_its_own_log(sim, lam):
    def loud(event, context):
        for i in range(200):
            print(f"line {i:03d} " + "x" * 40)

    def caller(event, context):
        print("caller before")
        boto3.client("lambda").invoke(FunctionName="loud")
        print("caller after")

    sim.function(loud, name="loud")
    sim.function(caller, name="caller")
    raw = base64.b64decode(lam.invoke(FunctionName="loud", LogType="Tail")["LogResult"])
    assert len(raw) == 4096 and raw.endswith(b"\t\n") and b"line 199" in raw and b"START" not in raw
    log = _log(lam.invoke(FunctionName="caller", LogType="Tail"))
    assert "caller before\ncaller after\nEND" in log and "line 000" not in log


def test_sim_invoke_with_log_type_tail_gives_the_same_log_as_boto3():
    logs = []
    for route in ("python", "boto3"):
        with Sim(seed=9) as s:
            s.function(chatty, name="shop")
            if route == "python":
                result = s.invoke("shop", {"sku": "A-1"}, log_type="Tail")
                logs.append(base64.b64decode(result.log_result).decode())
                assert s.invoke("shop", {"sku": "A-2"}).log_result is None
            else:
                logs.append(_log(boto3.client("lambda", region_name="us-east-1").invoke(
                    FunctionName="shop", Payload=b'{"sku": "A-1"}', LogType="Tail")))
    assert logs[0] == logs[1]
    assert "hello from shop" in logs[0] and logs[0].startswith("START RequestId: ")
    with Sim(seed=9) as s:
        s.function(chatty, name="shop")
        with pytest.raises(ValueError, match="log_type='Full': LogType must be one of None, Tail"):
            s.invoke("shop", {}, log_type="Full")
