from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lambdachaos.faults import FaultPlan, FieldMatch, InvocationError, OutOfMemory, Target, When
from lambdachaos.faults.wrapper import parse_log_lines

FAULTS_DIR = Path(__file__).resolve().parents[2] / "lambdachaos" / "faults"

APP = textwrap.dedent("""
    import json, socket
    CALLS = []

    def handler(event, context):
        CALLS.append(context.aws_request_id)
        if event.get("connect"):
            try:
                socket.create_connection(("127.0.0.1", event["connect"]), timeout=0.5).close()
                return {"connected": True}
            except OSError as exc:
                return {"connected": False, "error": type(exc).__name__}
        return {"ok": True, "calls": len(CALLS)}
""")

RUNNER = textwrap.dedent("""
    import json, sys
    from {pkg}.wrapper import handler

    class Context:
        function_name = "orders"
        invoked_function_arn = "arn:aws:lambda:us-east-1:111111111111:function:orders:live"
        def __init__(self, rid): self.aws_request_id = rid
        def get_remaining_time_in_millis(self): return 50

    for rid, event in json.loads(sys.argv[1]):
        try:
            print("RESULT " + json.dumps(handler(event, Context(rid))), flush=True)
        except Exception as exc:
            print("ERROR " + type(exc).__name__ + ": " + str(exc), flush=True)
""")


@pytest.fixture
def function_dir(tmp_path):
    """A function zip laid out on disk: faults/ copied alone under another package name, plus the app."""
    shutil.copytree(FAULTS_DIR, tmp_path / "chaoslayer", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def run(function_dir: Path, calls, **env: str) -> subprocess.CompletedProcess[str]:
    script = RUNNER.format(pkg="chaoslayer")
    base = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDACHAOS") and k != "PYTHONPATH"}
    base.update({"LAMBDACHAOS_HANDLER": "app.handler", **env})
    return subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(function_dir)!r})\n" + script,
            json.dumps(calls),
        ],
        capture_output=True,
        text=True,
        env=base,
        cwd=function_dir,
        timeout=60,
    )


def test_the_wrapper_is_inert_unless_enabled(function_dir):
    plan = FaultPlan.of(InvocationError()).to_json()
    proc = run(function_dir, [["r1", {}]], LAMBDACHAOS_PLAN=plan)
    assert proc.stdout.splitlines() == ['RESULT {"ok": true, "calls": 1}'], proc.stderr
    killed = run(
        function_dir,
        [["r1", {}]],
        LAMBDACHAOS_PLAN=plan,
        LAMBDACHAOS_ENABLED="true",
        LAMBDACHAOS_KILL_SWITCH="true",
    )
    assert killed.stdout.splitlines() == ['RESULT {"ok": true, "calls": 1}'], killed.stderr


def test_the_wrapper_injects_and_logs_one_line_per_invocation(function_dir):
    plan = FaultPlan.of(
        InvocationError(error_type="PoisonError"),
        target=Target(records=(FieldMatch(path="body", prefix="poison"),)),
        when=When(attempts=(1,)),
    )
    sqs = {
        "Records": [
            {
                "messageId": "m1",
                "body": "poison!",
                "attributes": {"ApproximateReceiveCount": "1"},
                "eventSourceARN": "arn:aws:sqs:us-east-1:111111111111:orders",
            }
        ]
    }
    retry = json.loads(json.dumps(sqs))
    retry["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    proc = run(
        function_dir,
        [["r1", sqs], ["r2", retry], ["r3", {}]],
        LAMBDACHAOS_ENABLED="true",
        LAMBDACHAOS_PLAN=plan.to_json(),
    )
    out = proc.stdout.splitlines()
    assert [line for line in out if not line.startswith("{")] == [
        "ERROR PoisonError: Injected invocation error",
        'RESULT {"ok": true, "calls": 1}',
        'RESULT {"ok": true, "calls": 2}',
    ], proc.stderr
    attempts = parse_log_lines(out)
    assert [(a["request_id"], a["attempt"], a["outcome"], a["cold_start"]) for a in attempts] == [
        ("r1", 1, "error", True),
        ("r2", 2, "success", False),
        ("r3", 1, "success", False),
    ]
    assert attempts[0]["records"] == ["m1"] and attempts[0]["qualifier"] == "live"
    assert attempts[0]["faults"][0]["rule_id"] == "invocation-error-1"
    assert attempts[0]["event_source"] == "arn:aws:sqs:us-east-1:111111111111:orders"


def test_the_wrapper_reads_its_plan_from_a_file_and_applies_egress_loss(function_dir, echo_servers):
    plan = FaultPlan.of(
        __import__("lambdachaos.faults", fromlist=["EgressLoss"]).EgressLoss(
            mode="connection-refused", blocked_hosts=(f"127.0.0.1:{echo_servers[1]}",)
        )
    )
    (function_dir / "plan.json").write_text(plan.to_json())
    proc = run(
        function_dir,
        [["r1", {"connect": echo_servers[0]}], ["r2", {"connect": echo_servers[1]}]],
        LAMBDACHAOS_ENABLED="1",
        LAMBDACHAOS_PLAN_FILE=str(function_dir / "plan.json"),
    )
    results = [line for line in proc.stdout.splitlines() if line.startswith("RESULT")]
    assert results == [
        'RESULT {"connected": true}',
        'RESULT {"connected": false, "error": "ConnectionRefusedError"}',
    ], proc.stderr
    hits = parse_log_lines(proc.stdout.splitlines())[1]["faults"]
    assert [h["kind"] for h in hits] == ["egress-loss", "egress-loss"]  # armed, then the refused connect


def test_out_of_memory_kills_the_process_after_logging(function_dir):
    proc = run(
        function_dir,
        [["r1", {}]],
        LAMBDACHAOS_ENABLED="true",
        LAMBDACHAOS_PLAN=FaultPlan.of(OutOfMemory()).to_json(),
    )
    assert proc.returncode == -9
    (attempt,) = parse_log_lines(proc.stdout.splitlines())
    assert attempt["outcome"] == "killed" and attempt["error_type"] == "Runtime.ExitError"


def test_importing_the_faults_package_needs_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); import lambdachaos.faults, lambdachaos.faults.wrapper; "
        "bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names "
        "and m.split('.')[0] != 'lambdachaos'); print(bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_parse_log_lines_skips_other_lines_and_reads_cloudwatch_prefixes():
    line = json.dumps({"lambdachaos": "invocation", "requestId": "r", "attempt": 2, "outcome": "success"})
    out = parse_log_lines(["START RequestId: r", f"2024-01-01T00:00:00.000Z\tr\tINFO\t{line}", "{not json"])
    assert len(out) == 1 and out[0]["attempt"] == 2


# ---- failing open: the real handler runs and one line says why -------------------------------------------


def skipped_lines(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert all(line["lambdachaos"] == "skipped" for line in lines), lines
    return lines


def assert_ran_twice_and_skipped(proc, reason: str, detail_prefix: str) -> None:
    assert [line for line in proc.stdout.splitlines() if line.startswith("RESULT")] == [
        'RESULT {"ok": true, "calls": 1}', 'RESULT {"ok": true, "calls": 2}'], proc.stderr
    lines = skipped_lines(proc)
    assert [(line["requestId"], line["reason"], line["action"]) for line in lines] == [
        ("r1", reason, "ran the real handler without faults"), ("r2", reason, "ran the real handler without faults")]
    assert all(line["detail"].startswith(detail_prefix) for line in lines), lines
    assert parse_log_lines(proc.stdout.splitlines()) == []


def test_an_invalid_plan_runs_the_real_handler_and_logs_why(function_dir):
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true", LAMBDACHAOS_PLAN="{not json")
    assert_ran_twice_and_skipped(proc, "plan-invalid", "FaultPlanError: fault plan is not valid JSON: ")


def test_a_missing_plan_file_runs_the_real_handler_and_logs_why(function_dir):
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true",
               LAMBDACHAOS_PLAN_FILE=str(function_dir / "nowhere.json"))
    assert_ran_twice_and_skipped(proc, "plan-file-missing", "FileNotFoundError: [Errno 2] No such file or directory")


def test_an_unreadable_plan_file_runs_the_real_handler_and_logs_why(function_dir):
    (function_dir / "plan.json").mkdir()
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true",
               LAMBDACHAOS_PLAN_FILE=str(function_dir / "plan.json"))
    assert_ran_twice_and_skipped(proc, "plan-file-unreadable", "IsADirectoryError: ")


def test_a_plan_file_that_is_not_utf8_runs_the_real_handler_and_logs_why(function_dir):
    (function_dir / "plan.yaml").write_bytes(b"rules: [\xff]\n")
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true",
               LAMBDACHAOS_PLAN_FILE=str(function_dir / "plan.yaml"))
    assert_ran_twice_and_skipped(proc, "plan-file-unreadable", "UnicodeDecodeError: 'utf-8' codec")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SSM_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_EC2_METADATA_DISABLED": "true", "LAMBDACHAOS_SSM_TIMEOUT": "0.5"}


def test_an_unreachable_kill_switch_parameter_runs_the_real_handler_and_logs_why(function_dir):
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true",
               LAMBDACHAOS_PLAN=FaultPlan.of(InvocationError()).to_json(),
               LAMBDACHAOS_KILL_SWITCH_PARAMETER="/chaos/kill", AWS_ENDPOINT_URL_SSM=f"http://127.0.0.1:{closed_port()}",
               **SSM_ENV)
    assert_ran_twice_and_skipped(proc, "kill-switch-unreachable", "EndpointConnectionError: Could not connect")


@pytest.fixture
def blackhole():
    """A loopback port that accepts connections and never answers (what an egress outage looks like)."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        yield srv.getsockname()[1]


def test_an_egress_outage_fails_open_within_the_short_ssm_timeouts(function_dir, blackhole):
    started = time.monotonic()
    proc = run(function_dir, [["r1", {}], ["r2", {}]], LAMBDACHAOS_ENABLED="true",
               LAMBDACHAOS_PLAN_PARAMETER="/chaos/plan", AWS_ENDPOINT_URL_SSM=f"http://127.0.0.1:{blackhole}",
               **SSM_ENV)
    assert_ran_twice_and_skipped(proc, "plan-parameter-unreachable", "ReadTimeoutError: Read timeout on endpoint")
    assert time.monotonic() - started < 20  # one 0.5 s read timeout, no retries, plan not read again
