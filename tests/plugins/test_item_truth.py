"""Per-item truth: a partially failed batch says which items failed, and every DLQ route is counted.

The ledger, the pytest summary line, the HTML report's tiles and the index column must agree.
"""

from __future__ import annotations

import base64
import json
import re

from lambdachaos import Sim
from lambdachaos.plugins import Figures


def _report_three_of_four(event, context):
    failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def test_an_sqs_batch_with_one_reported_failure_is_a_partial_failure_naming_the_item():
    with Sim(seed=1) as sim:
        dlq = sim.sqs_queue("orders-dlq")
        queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=1)
        fn = sim.function(_report_three_of_four, name="orders")
        sim.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
        sent = [queue.send(b) for b in ("good", "bad", "good", "good")]
        sim.run()
        first = sim.ledger.attempts[0]
        bad = sent[1].message_id
        assert first.outcome == "partial_failure"
        assert first.failed_items == (bad,)
        assert first.checkpoint is None  # SQS has no checkpoint
        assert first.record_outcomes == ("success", "failed", "success", "success")
        assert first.outcome_of(bad) == "failed" and first.outcome_of(sent[0].message_id) == "success"
        assert "reported failed: " + bad in first.describe()
        row = json.loads(sim.ledger.to_json())["attempts"][0]
        assert (row["outcome"], row["failed_items"], row["record_outcomes"]) == (
            "partial_failure", [bad], ["success", "failed", "success", "success"])
        assert sim.ledger.fate(bad).status == "dead_lettered"
        assert [d.kind for d in sim.ledger.deliveries] == ["queue_dlq"]
        figures = Figures.of(sim.ledger)
        assert (figures.partial_failures, figures.dlq, figures.dlq_redrive) == (1, 1, 1)
        assert "dlq=1 (async 0, redrive 1, on-failure 0)" in figures.line()


def _kinesis_partial(event, context):
    failed = []
    for r in event["Records"]:
        if json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] in (2, 3):
            failed.append(r["kinesis"]["sequenceNumber"])
    return {"batchItemFailures": [{"itemIdentifier": s} for s in failed[::-1]]}


def test_a_stream_partial_failure_names_the_checkpoint_and_the_records_after_it():
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("orders", shards=1)
        fn = sim.function(_kinesis_partial, name="consumer")
        sim.map(stream, fn, batch_size=5, maximum_retry_attempts=1,
                function_response_types=["ReportBatchItemFailures"])
        records = stream.put([json.dumps({"n": n}) for n in (1, 2, 3, 4)])
        sim.run()
        first = sim.ledger.attempts[0]
        seqs = [r.sequence_number for r in records]
        assert first.outcome == "partial_failure"
        assert first.failed_items == (seqs[2], seqs[1])  # as the handler reported them
        assert first.checkpoint == seqs[1]  # the lowest reported sequence number
        assert first.record_outcomes == ("success", "failed", "failed", "not_checkpointed")
        assert first.outcome_of(records[3].event_id) == "not_checkpointed"
        retry = sim.ledger.attempts[1]
        assert retry.records == tuple(r.event_id for r in records[1:])


def test_an_invalid_batch_response_fails_every_record_of_the_attempt():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("q", visibility_timeout=30)
        fn = sim.function(lambda e, c: {"batchItemFailures": [{"itemIdentifier": "nope"}]}, name="f")
        sim.map(queue, fn, function_response_types=["ReportBatchItemFailures"], enabled=True)
        queue.send("x")
        sim.run(until=1)
        a = sim.ledger.attempts[0]
        assert a.outcome == "success" and a.record_outcomes == ("failed",)
        assert a.reason == "batch response not understood: the whole batch failed"


def test_fate_delivery_and_fault_times_are_in_seconds():
    with Sim(seed=1) as sim:
        dlq = sim.sqs_queue("dlq")
        fn = sim.function(lambda e, c: 1 / 0, name="f", dead_letter_queue=dlq)
        rid = fn.invoke_async({})
        sim.run()
        assert sim.ledger.fate(rid).at == 180.0
        assert sim.ledger.deliveries[0].at == 180.0


PLUGIN_TEST = """
import json
from lambdachaos import Sim

def fails(event, context):
    raise RuntimeError("down")

def partial(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}

def test_every_route(lambda_sim):
    dlq = lambda_sim.sqs_queue("async-dlq")
    failures = lambda_sim.sqs_queue("failures")
    fn = lambda_sim.function(fails, name="a", dead_letter_queue=dlq, on_failure=failures,
                             maximum_retry_attempts=0)
    fn.invoke_async({})
    qdlq = lambda_sim.sqs_queue("q-dlq")
    queue = lambda_sim.sqs_queue("q", visibility_timeout=30, dead_letter_queue=qdlq, max_receive_count=1)
    consumer = lambda_sim.function(partial, name="c")
    lambda_sim.map(queue, consumer, function_response_types=["ReportBatchItemFailures"])
    queue.send("good"); queue.send("bad")
    lambda_sim.run()
    open("ledger.json", "w").write(lambda_sim.ledger.to_json())
"""


def test_ledger_summary_line_tiles_and_index_agree(pytester):
    pytester.makepyfile(PLUGIN_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--lambdachaos-report=rep", "--lambdachaos-summary=all")
    result.assert_outcomes(passed=1)
    ledger = json.loads((pytester.path / "ledger.json").read_text())
    kinds = sorted(d["kind"] for d in ledger["deliveries"])
    assert kinds == ["dlq", "on_failure", "queue_dlq"]
    assert [a["outcome"] for a in ledger["attempts"]].count("partial_failure") == 1
    expected = "dlq=3 (async 1, redrive 1, on-failure 1)"
    result.stdout.fnmatch_lines([f"*partial_failures=1 {expected} destinations=1*"])
    [page] = (pytester.path / "rep").glob("*every_route*.html")
    text = page.read_text()
    assert re.search(r"data-figure='dlq'>dlq <b>3 \(async 1, redrive 1, on-failure 1\)</b>", text)
    assert re.search(r"data-figure='partial_failures'>partial failures <b>1</b>", text)
    index = (pytester.path / "rep" / "index.html").read_text()
    assert "<td data-figure='dlq'>3 (async 1, redrive 1, on-failure 1)</td>" in index
    assert "<td data-figure='partial_failures'>1</td>" in index


FAILING_TEST = """
from lambdachaos.plugins import assert_attempts

def fails(event, context):
    raise LookupError("order o-1 not found")

def test_wrong_count(lambda_sim):
    fn = lambda_sim.function(fails, name="orders", maximum_retry_attempts=1)
    rid = fn.invoke_async({})
    lambda_sim.run()
    assert_attempts(lambda_sim.ledger, rid, 3)
"""


def test_a_failed_test_page_starts_with_the_assertion_and_the_handler_error(pytester):
    pytester.makepyfile(FAILING_TEST)
    pytester.runpytest("-p", "no:cacheprovider", "--lambdachaos-report=rep").assert_outcomes(failed=1)
    [page] = (pytester.path / "rep").glob("*wrong_count*.html")
    text = page.read_text()
    failure = text.index("<section id='failure'><h2>Why the test failed</h2><pre>lambdachaos.plugins.LedgerAssertion"
                         "Error: record ")
    problems = text.index("<section id='problems'><h2>1 record(s) did not succeed</h2>")
    assert failure < problems < text.index('id="timeline"')
    assert "<td class='cause'>LookupError: order o-1 not found</td>" in text
