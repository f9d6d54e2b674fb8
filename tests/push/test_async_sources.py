"""S3 (docs/aws-behaviour.md §7.1), SNS (§7.2) and EventBridge rules (§7.3) through the async path (§4.5)."""

from __future__ import annotations

import pytest

from lambdachaos import ConfigError, FateStatus
from lambdachaos.resources._s3 import S3InvalidArgument


def _recorder(sim, name="fn"):
    seen = []

    def handler(event, context):
        seen.append(event)

    return sim.function(handler, name=name), seen


def test_s3_key_is_form_url_encoded_with_plus(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn)
    bucket.put_object("my photo+1.jpg", b"abc")
    sim.run()
    record = seen[0]["Records"][0]
    assert record["s3"]["object"]["key"] == "my+photo%2B1.jpg"
    assert record["eventVersion"] == "2.1" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["size"] == 3
    assert record["s3"]["object"]["eTag"] == "900150983cd24fb0d6963f7d28e17f72"
    assert "versionId" not in record["s3"]["object"]
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::photos"


def test_s3_delete_event_has_no_size_or_etag(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn, events=["s3:ObjectRemoved:*"])
    bucket.put_object("a.txt", b"x")
    bucket.delete_object("a.txt")
    sim.run()
    assert len(seen) == 1
    obj = seen[0]["Records"][0]["s3"]["object"]
    assert seen[0]["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert "size" not in obj and "eTag" not in obj and "sequencer" in obj


def test_s3_sequencer_is_upper_hex_and_increases_per_key(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn, events=["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    bucket.put_object("k", b"1")
    bucket.put_object("k", b"22")
    bucket.delete_object("k")
    sim.run()
    sequencers = [e["Records"][0]["s3"]["object"]["sequencer"] for e in seen]
    assert all(s == s.upper() and int(s, 16) >= 0 for s in sequencers)
    width = max(map(len, sequencers))
    assert sorted(s.zfill(width) for s in sequencers) == [s.zfill(width) for s in sequencers]
    assert len(set(sequencers)) == 3


def test_s3_versioned_bucket_carries_version_ids_and_delete_markers(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("versioned", versioning=True)
    bucket.add_notification(fn, events=["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    state = bucket.put_object("k", b"1")
    marker = bucket.delete_object("k")
    sim.run()
    assert seen[0]["Records"][0]["s3"]["object"]["versionId"] == state.version_id
    assert seen[1]["Records"][0]["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert seen[1]["Records"][0]["s3"]["object"]["versionId"] == marker


def test_s3_prefix_and_suffix_filter_keys(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn, prefix="uploads/", suffix=".jpg")
    for key in ("uploads/a.jpg", "uploads/a.png", "other/a.jpg"):
        bucket.put_object(key)
    bucket.copy_object("uploads/b.jpg", source_key="other/a.jpg")
    sim.run()
    assert [(e["Records"][0]["eventName"], e["Records"][0]["s3"]["object"]["key"]) for e in seen] == [
        ("ObjectCreated:Put", "uploads/a.jpg"), ("ObjectCreated:Copy", "uploads/b.jpg")]


def test_s3_overlapping_configurations_are_rejected_with_aws_message(sim):
    fn, _ = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn, events=["s3:ObjectCreated:*"], prefix="images/")
    with pytest.raises(S3InvalidArgument, match=r"^Configurations overlap\. Configurations on the same bucket "
                                                r"cannot share a common event type\.$"):
        bucket.add_notification(fn, events=["s3:ObjectCreated:Put"], prefix="images/jpg/")
    bucket.add_notification(fn, events=["s3:ObjectRemoved:*"], prefix="images/")  # other event type: fine
    bucket.add_notification(fn, events=["s3:ObjectCreated:*"], prefix="docs/")  # disjoint prefix: fine


def test_s3_same_prefix_with_disjoint_suffixes_is_valid(sim):
    fn, _ = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn, prefix="images/", suffix=".jpg")
    bucket.add_notification(fn, prefix="images/", suffix=".png")
    with pytest.raises(S3InvalidArgument, match=r"^Configurations overlap"):
        bucket.add_notification(fn, prefix="images/", suffix="big.png")


def test_s3_filter_values_are_at_most_1024_characters(sim):
    fn, _ = _recorder(sim)
    with pytest.raises(S3InvalidArgument, match=r"^prefix of 1025 characters is too long"):
        sim.s3_bucket("photos").add_notification(fn, prefix="p" * 1025)


def test_s3_triggered_failing_function_is_retried_at_60_and_180_s_then_dead_lettered(sim):
    def handler(event, context):
        raise RuntimeError("cannot resize")

    dlq = sim.sqs_queue("resize-dlq")
    fn = sim.function(handler, name="resize", dead_letter_queue=dlq)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn)
    bucket.put_object("a.jpg", b"x")
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.0, 60.0, 180.0]
    request_id = sim.ledger.attempts[0].event_id
    assert sim.ledger.fate(request_id).status == FateStatus.DEAD_LETTERED


def test_s3_notify_is_the_bridge_entry_point(sim):
    fn, seen = _recorder(sim)
    bucket = sim.s3_bucket("photos")
    bucket.add_notification(fn)
    records = bucket.notify("s3:ObjectCreated:Put", "x y.txt", size=10, etag="abc")
    sim.run()
    assert records[0]["s3"]["object"]["key"] == "x+y.txt"
    assert seen[0]["Records"][0] == records[0]
    with pytest.raises(ConfigError, match=r"^event_name='Nope' is not an S3 event"):
        bucket.notify("Nope", "k")


def test_sns_lambda_event_shape_and_casing(sim):
    fn, seen = _recorder(sim)
    topic = sim.sns_topic("orders")
    sub = sim.subscribe(topic, fn)
    topic.publish("hello", subject="s", message_attributes={"k": {"DataType": "String", "StringValue": "v"}})
    sim.run()
    (record,) = seen[0]["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == sub.arn
    assert sub.arn.startswith(topic.arn + ":") and len(sub.arn.rsplit(":", 1)[1]) == 36
    sns = record["Sns"]
    assert "SigningCertUrl" in sns and "UnsubscribeUrl" in sns and "SigningCertURL" not in sns
    assert sns["SigningCertUrl"].startswith("https://") and sns["Message"] == "hello"
    assert sns["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert sim.ledger.attempts[0].path.value == "async"


def test_sns_filter_policy_on_attributes_and_body(sim):
    fn, seen = _recorder(sim)
    topic = sim.sns_topic("orders")
    sim.subscribe(topic, fn, filter_policy={"amount": [{"numeric": [">", 100]}]})
    body_fn, body_seen = _recorder(sim, "body")
    sim.subscribe(topic, body_fn, filter_policy={"kind": ["big"]}, filter_policy_scope="MessageBody")
    topic.publish('{"kind": "big"}', message_attributes={"amount": {"DataType": "Number", "StringValue": "150"}})
    topic.publish('{"kind": "small"}', message_attributes={"amount": {"DataType": "Number", "StringValue": "5"}})
    topic.publish("not json")
    sim.run()
    assert len(seen) == 1 and len(body_seen) == 1


def test_eventbridge_rule_invokes_asynchronously_with_the_envelope(sim):
    fn, seen = _recorder(sim)
    bus = sim.event_bus("orders")
    rule = sim.rule(bus, "placed", event_pattern={"source": ["shop"]}, target=fn)
    bus.put_event(source="shop", detail_type="OrderPlaced", detail={"id": 1})
    bus.put_event(source="other", detail_type="OrderPlaced", detail={"id": 2})
    sim.run()
    assert len(seen) == 1
    assert seen[0]["version"] == "0" and seen[0]["detail"] == {"id": 1}
    assert seen[0]["time"].endswith("Z") and len(seen[0]["time"]) == 20
    assert rule.arn.endswith(":rule/orders/placed")


def test_async_attempts_name_their_push_source():
    from lambdachaos import Sim

    with Sim(seed=3) as sim:
        fn = sim.function(lambda e, c: None, name="sourced")
        bucket = sim.s3_bucket("uploads")
        bucket.add_notification(fn, events=["s3:ObjectCreated:*"])
        bucket.put_object("a.txt", body=b"hi")
        sim.run()
        (attempt,) = sim.ledger.attempts
        assert attempt.path == "async" and attempt.source == "arn:aws:s3:::uploads"
