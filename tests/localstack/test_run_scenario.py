"""``lambdachaos run SCENARIO --target localstack``: scenario files on a running LocalStack."""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from lambdachaos.scenarios import bundled, load_scenario
from lambdachaos.scenarios._cli import run_main
from lambdachaos.targets._ls_scenario import _skip_reason, unsupported


@pytest.mark.localstack
def test_the_bundled_async_dlq_scenario_passes_end_to_end(localstack, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = run_main(["async-dlq", "--target", "localstack", "--ledger", str(tmp_path / "l.json"),
                     "--report", str(tmp_path / "r.html")], out=out, err=err)
    text = out.getvalue()
    assert code == 0, text + err.getvalue()
    assert "scenario async-dlq (seed 0) on localstack: 1 sent, 3 attempts, 2 DLQ/destination deliveries" in text
    assert "fates: dead_lettered 1\n" in text
    assert text.count("PASS  line") == 5 and "NOT EVALUATED" not in text
    assert "verdict: PASS (5 of 5 evaluated expectations held)\n" in text
    ledger = json.loads((tmp_path / "l.json").read_text())
    assert [a["attempt"] for a in ledger["attempts"]] == [1, 2, 3]
    assert [f["status"] for f in ledger["fates"]] == ["dead_lettered"]
    assert "three attempts, no more" in (tmp_path / "r.html").read_text()


_SQS = """\
version: 1
name: sqs-redrive
seed: 3
resources:
  queues:
    orders-dlq: {}
    orders: {visibility_timeout: 1, dead_letter_queue: orders-dlq, max_receive_count: 2}
functions:
  worker:
    handler: tests.localstack.handlers.fails_on_bad_json
    timeout: 1
mappings:
  - {source: orders, function: worker, batch_size: 1}
traffic:
  - name: jobs
    queue: orders
    count: 6
    rate: 2
    poison_rate: 0.5
    poison_kinds: [truncated_json]
expectations:
  - name: good jobs succeed
    fates: {traffic: jobs, poison: false, succeeded: all}
  - name: poison jobs are redriven to the DLQ
    fates: {traffic: jobs, poison: true, dead_lettered: all}
  - name: fast enough
    latency: {traffic: jobs, end_to_end_max_seconds: 60}
  - name: the redrive happens in time
    delivered: {to: orders-dlq, count: ">= 1", within_seconds: 30}
"""


@pytest.mark.localstack
def test_an_sqs_scenario_runs_and_time_based_expectations_are_reported_not_evaluated(localstack, tmp_path):
    path = tmp_path / "sqs.yaml"
    path.write_text(_SQS, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run_main([str(path), "--target", "localstack"], out=out, err=err)
    text = out.getvalue()
    assert code == 0, text + err.getvalue()
    assert "fates: dead_lettered 2, succeeded 4\n" in text  # as on the simulator
    assert "PASS  line  22  good jobs succeed\n" in text
    assert "PASS  line  24  poison jobs are redriven to the DLQ\n" in text
    assert "NOT EVALUATED on localstack  line  26  fast enough\n" in text
    assert "NOT EVALUATED on localstack  line  28  the redrive happens in time\n" in text
    assert "verdict: PASS (2 of 2 evaluated expectations held; 2 not evaluated on localstack)\n" in text


def test_scenarios_with_topics_or_buses_are_refused_and_time_limits_are_not_evaluated():
    assert unsupported(load_scenario(bundled("async-dlq"))) == []
    scenario = load_scenario(bundled("egress-outage"))
    reasons = {e.name: _skip_reason(e, set()) for e in scenario.expectations}
    assert reasons["every order is charged within four minutes"].startswith("latency limits are virtual-time")
    assert [n for n, r in reasons.items() if r] == ["every order is charged within four minutes"]


def test_without_a_running_localstack_the_target_exits_3(monkeypatch, tmp_path):
    from lambdachaos.targets import _ls_scenario

    monkeypatch.setattr(_ls_scenario, "status", lambda: None)
    err = io.StringIO()
    assert run_main(["async-dlq", "--target", "localstack"], out=io.StringIO(), err=err) == 3
    assert "no LocalStack is running" in err.getvalue()


def test_a_topic_scenario_is_refused_with_exit_3(tmp_path):
    path = tmp_path / "topic.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: fanout
        resources:
          topics:
            events: {subscribers: [worker]}
        functions:
          worker: {handler: lambdachaos.scenarios._handlers.accept}
        traffic:
          - {name: pings, topic: events, count: 1}
        """), encoding="utf-8")
    err = io.StringIO()
    assert run_main([str(path), "--target", "localstack"], out=io.StringIO(), err=err) == 3
    assert "resources.topics.events: SNS topics are not run on the localstack target" in err.getvalue()
