"""Replay inputs: one reader per recorded format, the timing modes on the virtual clock, the anonymiser."""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos import ConfigError
from lambdachaos.replay import _read as _replay
from lambdachaos.scenarios import anonymise, load_scenario, run_scenario
from lambdachaos.scenarios._traffic import convert

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def _jsonl(tmp_path, name, items):
    path = tmp_path / name
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def _sqs_message(i, body, **attrs):
    return {"MessageId": f"m-{i}", "ReceiptHandle": "rh", "MD5OfBody": "x", "Body": body,
            "Attributes": {"SentTimestamp": str((T0 + 10 * i) * 1000), "ApproximateReceiveCount": "4"},
            **({"MessageAttributes": attrs} if attrs else {})}


def _dlq_message(i):
    return _sqs_message(i, json.dumps({"orderId": f"o-{i}"}),
                        RequestID={"DataType": "String", "StringValue": f"req-{i}"},
                        ErrorCode={"DataType": "Number", "StringValue": "200"},
                        ErrorMessage={"DataType": "String", "StringValue": "payment provider down"})


def _destination(i):
    return {"version": "1.0", "timestamp": f"2026-01-01T00:0{i}:00.000Z",
            "requestContext": {"requestId": f"req-{i}", "functionArn": "arn:aws:lambda:us-east-1:1:function:f:$LATEST",
                               "condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": {"orderId": f"o-{i}"},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": "boom", "errorType": "Exception"}}


def _eb(i):
    return {"version": "0", "id": f"e-{i}", "detail-type": "OrderPlaced", "source": "com.example.orders",
            "account": "123456789012", "time": f"2026-01-01T00:00:{i * 5:02d}Z", "region": "us-east-1",
            "resources": [], "detail": {"orderId": f"o-{i}"}}


def _kinesis_output():
    return {"Records": [{"SequenceNumber": f"4959{i}", "ApproximateArrivalTimestamp": T0 + i * 2.5,
                         "Data": base64.b64encode(json.dumps({"orderId": f"o-{i}"}).encode()).decode(),
                         "PartitionKey": f"pk-{i % 2}"} for i in range(3)],
            "NextShardIterator": "it", "MillisBehindLatest": 0}


def _ddb_output():
    return {"Records": [{"eventID": f"ev-{i}", "eventName": "INSERT", "eventVersion": "1.1",
                         "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                         "dynamodb": {"ApproximateCreationDateTime": T0 + i, "Keys": {"pk": {"S": f"o-{i}"}},
                                      "NewImage": {"pk": {"S": f"o-{i}"}}, "SequenceNumber": f"10{i}",
                                      "SizeBytes": 20, "StreamViewType": "NEW_AND_OLD_IMAGES"}}
                        for i in range(2)]}


CASES = [
    ("lambda-events", [{"Records": [{"eventSource": "aws:sqs", "body": "{}", "messageId": "a",
                                     "attributes": {"SentTimestamp": str(T0 * 1000)}}]}], 1, "event"),
    ("sqs-messages", [{"Messages": [_sqs_message(0, "hello"), _sqs_message(1, "world")]}], 2, "message"),
    ("lambda-dlq", [{"Messages": [_dlq_message(0), _dlq_message(1)]}], 2, "event"),
    ("destination-records", [_destination(1), {"Body": json.dumps(_destination(2))}], 2, "event"),
    ("eventbridge", [_eb(0), _eb(1), {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]}], 3,
     "eventbridge"),
    ("kinesis", [_kinesis_output()], 3, "kinesis"),
    ("dynamodb", [_ddb_output()], 2, "dynamodb"),
]


@pytest.mark.parametrize(("fmt", "items", "n", "kind"), CASES, ids=[c[0] for c in CASES])
def test_each_format_is_detected_and_read(tmp_path, fmt, items, n, kind):
    path = _jsonl(tmp_path, "rec.jsonl", items)
    detected, recorded = _replay.read(path)
    assert detected == fmt
    assert len(recorded) == n and {r.kind for r in recorded} == {kind}


def test_lambda_dlq_messages_keep_request_id_error_code_and_message(tmp_path):
    _, items = _replay.read(_jsonl(tmp_path, "dlq.json", [_dlq_message(3)]), "lambda-dlq")
    assert items[0].payload == {"orderId": "o-3"}
    assert items[0].meta == {"RequestID": "req-3", "ErrorCode": "200", "ErrorMessage": "payment provider down"}
    assert items[0].at == T0 + 30


def test_plain_queue_messages_are_refused_as_lambda_dlq_messages(tmp_path):
    with pytest.raises(ConfigError, match=r"^message 'm-0' lacks the Lambda DLQ attribute\(s\) RequestID, ErrorCode, "):
        _replay.read(_jsonl(tmp_path, "q.json", [_sqs_message(0, "x")]), "lambda-dlq")


def test_destination_records_reinvoke_the_request_payload(tmp_path):
    envelope = {"source": "lambda", "detail-type": "Lambda Function Invocation Result - Failure",
                "detail": _destination(4)}
    _, items = _replay.read(_jsonl(tmp_path, "d.json", [envelope]), "destination-records")
    assert items[0].payload == {"orderId": "o-4"} and items[0].meta["condition"] == "RetriesExhausted"


def test_stream_destination_records_are_refused_with_the_way_forward(tmp_path):
    rec = {"requestContext": {"condition": "RetryAttemptsExhausted"}, "version": "1.0", "KinesisBatchInfo": {}}
    with pytest.raises(ConfigError, match=r"^this destination record carries KinesisBatchInfo but no requestPayload"):
        _replay.read(_jsonl(tmp_path, "d.json", [rec]), "destination-records")


def test_kinesis_records_convert_to_a_lambda_kinesis_event_or_raw_bytes(tmp_path):
    import random

    _, items = _replay.read(_jsonl(tmp_path, "k.json", [_kinesis_output()]))
    event = convert(items[1], "function", rng=random.Random(1), region="us-east-1")
    k = event["Records"][0]["kinesis"]
    assert (k["partitionKey"], k["sequenceNumber"]) == ("pk-1", "49591")
    assert json.loads(base64.b64decode(k["data"])) == {"orderId": "o-1"}
    assert convert(items[0], "stream", rng=random.Random(1), region="us-east-1") == b'{"orderId": "o-0"}'


def test_eventbridge_events_convert_to_put_events_entries():
    import random

    item = _replay.Recorded("eventbridge", _eb(2), None)
    assert convert(item, "bus", rng=random.Random(0), region="us-east-1") == {
        "source": "com.example.orders", "detail_type": "OrderPlaced", "detail": {"orderId": "o-2"}, "resources": []}


def test_preserve_keeps_recorded_gaps_compress_divides_them_fast_sends_all_at_once():
    items = [_replay.Recorded("event", i, T0 + t) for i, t in enumerate([0, 10, 30])]
    shuffled = [items[2], items[0], items[1]]
    assert [t for t, _ in _replay.place(shuffled, timing="preserve", start=5)] == [5, 15, 35]
    assert [it.payload for _, it in _replay.place(shuffled)] == [0, 1, 2]
    assert [t for t, _ in _replay.place(items, timing="compress", factor=10)] == [0, 1, 3]
    assert [(t, it.payload) for t, it in _replay.place(shuffled, timing="fast")] == [(0, 2), (0, 0), (0, 1)]
    with pytest.raises(ConfigError, match=r"^factor=0 must be greater than 0"):
        _replay.place(items, timing="compress", factor=0)


def test_an_item_without_a_time_goes_with_the_one_before_it():
    items = [_replay.Recorded("event", 0, T0), _replay.Recorded("event", 1, None), _replay.Recorded("event", 2, T0 + 4)]
    assert [t for t, _ in _replay.place(items)] == [0, 0, 4]


SCENARIO = """\
version: 1
name: replay
resources:
  queues: {{dlq: {{}}}}
functions:
  orders:
    handler: lambdachaos.scenarios._handlers.accept
traffic:
  - name: again
    function: orders
    replay: {{file: dlq.jsonl, timing: {timing}{factor}}}
expectations:
  - fates: {{traffic: again, succeeded: all}}
"""


@pytest.mark.parametrize(("timing", "factor", "starts"), [
    ("preserve", "", [0.0, 10.0, 20.0]), ("compress", ", factor: 5", [0.0, 2.0, 4.0]), ("fast", "", [0.0] * 3)])
def test_replayed_dlq_messages_are_reinvoked_on_the_virtual_clock(write, tmp_path, timing, factor, starts):
    _jsonl(tmp_path, "dlq.jsonl", [{"Messages": [_dlq_message(i) for i in range(3)]}])
    result = run_scenario(load_scenario(write(SCENARIO.format(timing=timing, factor=factor))))
    assert [a.start for a in result.sim.ledger.attempts] == starts
    assert result.replay_formats == {"again": "lambda-dlq"} and result.passed


def test_anonymise_replaces_fields_consistently_inside_json_bodies():
    msg = {"Body": json.dumps({"customer": {"email": "ana@corp.example", "name": "Ana Real"}, "total": 3})}
    one = anonymise(msg, ["Body.customer.email", "Body.customer.name"], seed=3)
    body = json.loads(one["Body"])
    assert body["customer"]["email"] != "ana@corp.example" and "@" in body["customer"]["email"]
    assert body["customer"]["name"] != "Ana Real" and body["total"] == 3
    again = anonymise(msg, ["Body.customer.email"], seed=3)
    assert json.loads(again["Body"])["customer"]["email"] == body["customer"]["email"]
    assert msg["Body"].startswith('{"customer": {"email": "ana@corp.example"')  # the input is not modified


def test_anonymise_walks_wildcards_and_base64_kinesis_data():
    out = anonymise(_kinesis_output(), ["Records.*.Data.orderId:uuid"], seed=1)
    ids = [json.loads(base64.b64decode(r["Data"]))["orderId"] for r in out["Records"]]
    assert len(set(ids)) == 3 and not any(i.startswith("o-") for i in ids)


def test_anonymise_refuses_unknown_kinds():
    with pytest.raises(ConfigError, match=r"^field 'a:shoe-size': kind 'shoe-size' is unknown; use one of name, "):
        anonymise({"a": 1}, ["a:shoe-size"])


QUEUE_SCENARIO = """\
version: 1
name: replay-onto-queue
resources:
  queues: {{orders-q: {{}}}}
functions:
  orders:
    handler: lambdachaos.scenarios._handlers.accept
mappings:
  - {{source: orders-q, function: orders, batch_size: 10}}
traffic:
  - name: again
    queue: orders-q
    replay: {{file: events.jsonl, timing: fast}}
expectations:
  - fates: {{traffic: again, succeeded: 5}}
"""


def _sqs_event(first, n):
    return {"Records": [{"eventSource": "aws:sqs", "messageId": f"m-{first + i}",
                         "body": json.dumps({"orderId": f"o-{first + i}"}),
                         "attributes": {"SentTimestamp": str(T0 * 1000)}} for i in range(n)]}


def test_a_multi_record_sqs_event_replayed_onto_a_queue_sends_every_record_body_in_order(write, tmp_path):
    _jsonl(tmp_path, "events.jsonl", [_sqs_event(0, 3), _sqs_event(3, 2)])
    result = run_scenario(load_scenario(write(QUEUE_SCENARIO.format())))
    assert [s.index for s in result.sent] == [0, 1, 2, 3, 4] and all(s.rejected is None for s in result.sent)
    received = [r for a in result.sim.ledger.attempts for r in a.records or ()]
    assert sorted(received) == sorted(i for s in result.sent for i in s.ids)
    assert len(result.sim.ledger.fates) == 5 and result.passed


def test_replayed_sqs_bodies_are_what_the_plan_would_send_too(tmp_path):
    from lambdachaos.scenarios._model import ReplaySpec, TrafficSpec
    from lambdachaos.scenarios._traffic import replayed

    path = _jsonl(tmp_path, "events.jsonl", [_sqs_event(0, 3)])
    spec = TrafficSpec(name="again", kind="queue", target="q", replay=ReplaySpec(file=path, timing="fast"))
    fmt, sends = replayed(spec, seed=0, region="us-east-1", target_kind="queue")
    assert fmt == "lambda-events"
    assert [s.payload for s in sends] == [json.dumps({"orderId": f"o-{i}"}) for i in range(3)]
    function_sends = replayed(spec, seed=0, region="us-east-1", target_kind="function")[1]
    assert len(function_sends) == 1 and len(function_sends[0].payload["Records"]) == 3
