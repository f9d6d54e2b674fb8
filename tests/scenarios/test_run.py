"""Running scenarios: the bundled ones, push sources, exit codes, determinism, the report and the ledger."""

from __future__ import annotations

import io
import json

import pytest

from lambdachaos.scenarios import ScenarioError, bundled, load_scenario, run_scenario
from lambdachaos.scenarios._cli import run_main

from .conftest import MINIMAL


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = run_main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_egress_outage_scenario_carries_every_order_over_the_outage():
    result = run_scenario(load_scenario(bundled("egress-outage")))
    assert result.passed, [v for v in result.verdicts if not v.passed]
    starts = sorted({a.start for a in result.sim.ledger.attempts if a.attempt == 3})
    assert min(starts) >= 100  # third attempts run after the outage window [0, 100)
    assert result.summary()["fates"] == {"succeeded": 30}


def test_the_kinesis_poison_scenario_isolates_each_poison_record():
    result = run_scenario(load_scenario(bundled("kinesis-poison")))
    assert result.passed, [v for v in result.verdicts if not v.passed]
    poisoned = [s for s in result.sent if s.poison]
    assert poisoned and {result.sim.ledger.fate(s.ids[0]).status.value for s in poisoned} == {"on_failure"}
    assert max(a.bisect_depth for a in result.sim.ledger.attempts) > 0


def test_a_passing_run_exits_0_and_prints_the_verdict_table(tmp_path):
    code, out, err = _run(["egress-outage", "--ledger", str(tmp_path / "l.json"), "--report", str(tmp_path / "r.html")])
    assert (code, err) == (0, "")
    assert "PASS  bundled_egress_outage.yaml:40  every order is charged in the end" in out
    assert out.splitlines()[:5] == [
        "by virtual t=36.2 s: 8 of 30 record(s) sent, the latest at t=35.0 s",
        "by virtual t=71.0 s: 15 of 30 record(s) sent, the latest at t=70.0 s",
        "by virtual t=110.2 s: 23 of 30 record(s) sent, the latest at t=110.0 s",
        "by virtual t=145.0 s: 30 of 30 record(s) sent, the latest at t=145.0 s",
        "settled at virtual t=225.0 s: nothing left to happen"]
    assert ("PASS  bundled_egress_outage.yaml:34  fault vpc-egress-outage fires\n"
            "        expected at least 1 firing\n") in out
    assert "verdict: PASS (6 of 6 expectations held)" in out
    assert json.loads((tmp_path / "l.json").read_text())["schema"] == "lambdachaos.ledger/1"
    page = (tmp_path / "r.html").read_text()
    assert "lambdachaos-verdicts" in page and "every order is charged in the end" in page


def test_the_same_seed_writes_byte_identical_ledgers(tmp_path):
    for name in ("a", "b"):
        assert _run(["kinesis-poison", "--seed", "5", "--ledger", str(tmp_path / f"{name}.json")])[0] == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    _run(["kinesis-poison", "--seed", "6", "--ledger", str(tmp_path / "c.json")])
    assert (tmp_path / "c.json").read_bytes() != (tmp_path / "a.json").read_bytes()


def test_a_failed_expectation_exits_1_with_its_evidence(write):
    path = write(MINIMAL.replace("accept", "payment_down") + "expectations:\n  - name: all paid\n"
                 "    fates: {succeeded: all}\n  - attempts: {per_event_max: 3}\n")
    code, out, _ = _run([str(path)])
    assert code == 1
    assert f"FAIL  {path.name}:10  all paid" in out and f"PASS  {path.name}:12  attempts #2" in out
    assert f"scenario file: {path}" in out
    assert "evidence for 'all paid':" in out
    assert "verdict: FAIL (1 of 2 expectations held)" in out


def test_an_invalid_file_exits_2_with_located_problems(write):
    code, out, err = _run([str(write(MINIMAL.replace("count: 2", "count: -1")))])
    assert (code, out) == (2, "")
    assert err.splitlines()[1].endswith("scenario.yaml:8:5: traffic[0].count: -1 is out of range (1 to 1000000)")
    assert _run(["no-such-scenario"])[2] == (
        "error: no-such-scenario: no such scenario file, nor a bundled scenario of that name; "
        "bundled scenarios: async-dlq, egress-outage, kinesis-poison\n")
    assert _run(["egress-outage", "--speed", "0"])[0] == 2
    assert _run(["egress-outage", "--target", "mars"])[0] == 2


def test_a_missing_localstack_target_exits_3_with_a_clear_message(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "lambdachaos.targets._ls_scenario" else real(name, *a))
    code, _, err = _run(["egress-outage", "--target", "localstack"])
    assert code == 3
    assert err.startswith("error: the localstack target is not available in this build: ")


def test_speed_paces_virtual_time_against_the_wall_clock():
    waits: list[float] = []
    run_scenario(load_scenario(bundled("kinesis-poison")), speed=1e6, sleep=waits.append)
    assert all(0 <= w < 1e-3 for w in waits)


PUSH = """\
version: 1
name: push
resources:
  queues: {audit: {}, fifo.fifo: {}}
  topics: {orders: {subscribers: [consumer, audit]}}
  buses:
    default:
      rules:
        placed: {pattern: {source: [com.example.orders]}, targets: [consumer]}
functions:
  consumer: {handler: lambdachaos.scenarios._handlers.accept}
traffic:
  - {name: sns, topic: orders, count: 3}
  - {name: events, bus: default, count: 2, start: 10}
  - {name: direct, function: consumer, invocation: sync, count: 2, source_event: apigateway}
  - {name: queued, queue: fifo.fifo, count: 4, message_groups: 2}
expectations:
  - fates: {traffic: sns, succeeded: all}
  - fates: {traffic: events, succeeded: all}
  - fates: {traffic: direct, succeeded: 2}
  - nothing_lost: {traffic: sns}
  - delivered: {to: audit, count: 0}
  - latency: {function: consumer, max_ms: 1000}
"""


def test_topics_buses_sync_invokes_and_queues_take_traffic(write):
    result = run_scenario(load_scenario(write(PUSH)))
    assert [v.passed for v in result.verdicts] == [True] * 6, result.verdicts
    assert len(result.sim.queues["audit"].history) == 3
    assert len(result.sim.queues["fifo.fifo"].history) == 4
    paths = [a.path.value for a in result.sim.ledger.attempts]
    assert paths.count("async") == 5 and paths.count("sync") == 2


def test_poison_that_is_not_json_is_refused_at_invoke_and_counts_as_lost(write):
    text = MINIMAL.replace("count: 2", "count: 3\n    poison_rate: 1\n    poison_kinds: [truncated_json]") + \
        "expectations:\n  - nothing_lost: true\n"
    result = run_scenario(load_scenario(write(text)))
    assert [s.rejected.split(":")[0] for s in result.sent] == ["InvalidRequestContentException"] * 3
    assert not result.passed and result.verdicts[0].observed.endswith("3 refused of 0")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_rich_progress_and_a_verdict_table():
    out = _Terminal()
    assert run_main(["kinesis-poison"], out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    assert "kinesis-poison (seed 11)" in text and "every good" in text and "PASS" in text


def test_demo_runs_the_bundled_async_dlq_scenario_with_its_timeline():
    from lambdachaos.scenarios._cli import demo_main

    out = io.StringIO()
    assert demo_main([], out=out) == 0
    text = out.getvalue()
    assert "scenario async-dlq (seed 0)" in text
    lines = [line.strip() for line in text.splitlines() if line.startswith("  t=")]
    assert [line.split()[0] for line in lines] == ["t=0.000s", "t=60.000s", "t=180.000s", "t=180.000s", "t=180.000s"]
    assert lines[3].startswith("t=180.000s on_failure → arn:aws:sqs:us-east-1:123456789012:orders-failures")
    assert lines[4].startswith("t=180.000s dlq → arn:aws:sqs:us-east-1:123456789012:orders-dlq (RetriesExhausted)")
    assert "verdict: PASS (5 of 5 expectations held)" in text


def test_the_demo_says_what_will_happen_why_it_matters_and_how_to_copy_it(tmp_path, monkeypatch):
    from lambdachaos.scenarios import bundled
    from lambdachaos.scenarios._cli import demo_main

    out = io.StringIO()
    assert demo_main([], out=out) == 0
    text = out.getvalue()
    intro, _, rest = text.partition("\n\n")
    assert intro.startswith("lambdachaos demo: what happens to an order when the payment provider is down?")
    assert f"Scenario file: {bundled('async-dlq')}" in intro and "at 60 s and 180 s" in intro
    # progress names the time of the send, not only where the clock is when it reports
    assert "by virtual t=60.0 s: 1 of 1 record(s) sent, the latest at t=0.0 s\n" in rest
    tail = text[text.index("verdict: PASS"):]
    assert "Why it matters: without the dead-letter queue this order would have been dropped" in tail
    assert "AsyncEventsDropped" in tail
    assert "lambdachaos run async-dlq --save my-scenario.yaml" in tail
    monkeypatch.chdir(tmp_path)
    code, saved, err = _run(["async-dlq", "--save", "my-scenario.yaml"])
    assert (code, err) == (0, "")
    assert saved == ("saved scenario async-dlq to my-scenario.yaml; edit it, then run: "
                     "lambdachaos run my-scenario.yaml\n")
    assert (tmp_path / "my-scenario.yaml").read_bytes() == bundled("async-dlq").read_bytes()
    assert _run(["my-scenario.yaml"])[0] == 0
    code, _, err = _run(["async-dlq", "--save", "my-scenario.yaml"])
    assert (code, err) == (2, "error: --save my-scenario.yaml: the file exists; choose another name\n")


def test_an_unknown_scenario_lists_the_bundled_ones_and_suggests_the_closest():
    code, out, err = _run(["async-dql"])
    assert (code, out) == (2, "")
    assert err == ("error: async-dql: no such scenario file, nor a bundled scenario of that name; did you mean "
                   "'async-dlq'? bundled scenarios: async-dlq, egress-outage, kinesis-poison\n")


def test_the_run_report_links_only_to_files_that_exist(tmp_path):
    import re

    for extra in ([], ["--ledger", str(tmp_path / "l.json")]):
        assert _run(["async-dlq", "--report", str(tmp_path / "r.html"), *extra])[0] == 0
        page = (tmp_path / "r.html").read_text()
        links = re.findall(r"href='([^']+)'", page)
        assert "index.html" not in links
        assert all((tmp_path / link).is_file() for link in links), links
        assert links == (["l.json"] if extra else [])
        assert "bundled_async_dlq.yaml:30" in page


MISSING_TABLE = """\
version: 1
name: missing-table
resources:
  queues:
    orders-dlq: {}
    orders: {visibility_timeout: 30, dead_letter_queue: orders-dlq, max_receive_count: 2}
functions:
  saver:
    handler: app.handler
    code_dir: src
mappings:
  - {source: orders, function: saver}
traffic:
  - {name: orders, queue: orders, count: 2}
expectations:
  - {name: every order is saved, fates: {traffic: orders, succeeded: all}}
"""

APP = """\
import boto3

def handler(event, context):
    boto3.client("dynamodb", region_name="us-east-1").get_item(TableName="orders", Key={"id": {"S": "1"}})
"""


def test_a_failed_expectation_names_the_handler_error_behind_it(write, tmp_path):
    path = write(MISSING_TABLE)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP, encoding="utf-8")
    code, out, _ = _run([str(path), "--report", str(tmp_path / "r.html")])
    assert code == 1
    assert "FAIL  scenario.yaml:16  every order is saved" in out
    cause = ("ResourceNotFoundException: An error occurred (ResourceNotFoundException) when calling the GetItem "
             "operation: Requested resource not found")
    assert f"  cause: {cause}\n" in out
    page = (tmp_path / "r.html").read_text()
    assert f"<td class='cause'>{cause}" in page  # in the verdict table and in the records that did not succeed
    assert page.index("every order is saved") < page.index("id=\"timeline\"")


LAYERED = """\
version: 1
name: layered
resources:
  queues:
    orders: {}
functions:
  saver:
    handler: app.handler
    code_dir: src
    layers: [layers/tags, layers/missing]
mappings:
  - {source: orders, function: saver}
traffic:
  - {name: orders, queue: orders, count: 2}
expectations:
  - {name: every order is saved, fates: {traffic: orders, succeeded: all}}
"""


def test_a_function_imports_from_the_layer_folders_its_scenario_names(write, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("from tag import TAG\n\ndef handler(event, context):\n"
                                             "    assert TAG == 'from-layer'\n", encoding="utf-8")
    (tmp_path / "layers" / "tags" / "python").mkdir(parents=True)
    (tmp_path / "layers" / "tags" / "python" / "tag.py").write_text("TAG = 'from-layer'\n", encoding="utf-8")
    path = write(LAYERED)
    with pytest.raises(ScenarioError) as missing:  # the second folder does not exist: named with its place
        load_scenario(path)
    assert str(missing.value) == (f"{path}:10:27: functions.saver.layers[1]: 'layers/missing' is not a directory "
                                  f"(looked in {tmp_path / 'layers' / 'missing'})")
    write(LAYERED.replace(", layers/missing", ""))
    result = run_scenario(load_scenario(path))
    assert [v.passed for v in result.verdicts] == [True]
    assert [a.outcome.value for a in result.sim.ledger.attempts] == ["success"] * len(result.sim.ledger.attempts)
