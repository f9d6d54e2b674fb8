"""The small details a careful reader of generated events would notice (each one pinned by a test)."""

from __future__ import annotations

import json
import random
import re

import pytest
from lambdachaos.generators import SOURCES, _common, _payload, _words, s3_object_lambda, sqs

IAM_ID = re.compile(r"^(AIDA|AROA|AKIA|ASIA)[A-Z2-7]{16,17}$")


def _iam_ids(value: object) -> list[str]:
    if isinstance(value, str):
        return re.findall(r"\b(?:AIDA|AROA|AKIA|ASIA)[A-Z0-9]{12,}", value)
    if isinstance(value, dict):
        return [i for v in value.values() for i in _iam_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _iam_ids(v)]
    return []


def test_iam_unique_ids_and_access_keys_use_awss_alphabet():
    found = [i for seed in range(20) for name, src in SOURCES.items() for i in _iam_ids(src.build(seed=seed))]
    assert len(found) > 200
    assert all(IAM_ID.match(i) for i in found), [i for i in found if not IAM_ID.match(i)][:5]
    # With 17 random characters per id, every letter and every digit 2-7 shows up; 0, 1, 8, 9 never do.
    assert set("".join(i[4:] for i in found)) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert _common.iam_id(random.Random(1), "AIDA").startswith("AIDA")
    assert len(s3_object_lambda.event(seed=1)["userIdentity"]["accessKeyId"]) == 20


def test_sqs_first_receive_follows_sent_and_differs_across_a_batch():
    for seed in range(20):
        records = sqs.records(10, seed=seed)
        sent = [int(r["attributes"]["SentTimestamp"]) for r in records]
        first = [int(r["attributes"]["ApproximateFirstReceiveTimestamp"]) for r in records]
        assert all(f > s for f, s in zip(first, sent, strict=True))
        assert all(f - s <= 41 for f, s in zip(first, sent, strict=True))
        assert len(set(first)) > 1 and len(set(sent)) > 1
        assert max(first) <= _common.to_ms(_common.DEFAULT_NOW)


def test_sqs_redelivered_messages_were_first_received_a_visibility_timeout_per_retry_earlier():
    now_ms = _common.to_ms(_common.DEFAULT_NOW)
    for rec in sqs.records(5, seed=3, receive_count=3):
        assert rec["attributes"]["ApproximateReceiveCount"] == "3"
        assert int(rec["attributes"]["ApproximateFirstReceiveTimestamp"]) <= now_ms - 2 * 30_000
    single = sqs.record(seed=1, receive_count=2)
    assert int(single["attributes"]["ApproximateFirstReceiveTimestamp"]) == now_ms - 30_000


def test_explicit_sqs_timestamps_are_kept_in_a_batch():
    records = sqs.records(3, seed=1, sent_timestamp=1_000, first_receive_timestamp=2_000)
    assert {
        (r["attributes"]["SentTimestamp"], r["attributes"]["ApproximateFirstReceiveTimestamp"]) for r in records
    } == {("1000", "2000")}


@pytest.mark.parametrize("seed", range(30))
def test_the_fast_order_text_is_exactly_the_json_of_the_order(seed):
    assert _payload.order_json(random.Random(seed)) == _common.dumps(_payload.order(random.Random(seed)))
    body = json.loads(_payload.payload_json(seed=seed))
    assert body == _payload.payload(seed=seed)
    assert body["total"] == round(sum(i["quantity"] * i["unitPrice"] for i in body["items"]), 2)


def test_a_generated_address_is_consistent():
    places = {(city, state): zip3 for city, state, zip3 in _words.PLACES}
    for seed in range(50):
        address = _payload.payload(seed=seed)["customer"]["address"]
        assert address["zip"][:3] == places[(address["city"], address["state"])]
        assert re.fullmatch(r"\d{5}", address["zip"])


def test_the_word_lists_hold_nothing_json_would_escape():
    # order_json writes drawn strings without escaping; this keeps that exact.
    lists = [v for v in vars(_words).values() if isinstance(v, tuple)]
    values = [x if isinstance(x, str) else "".join(x) for lst in lists for x in lst]
    assert len(values) > 500
    assert all(json.dumps(v, ensure_ascii=False) == f'"{v}"' for v in values)


def test_s3_replication_events_carry_replication_data_and_a_version():
    from lambdachaos.generators import s3

    failed = s3.record(seed=1, event_name="Replication:OperationFailedReplication", bucket="src")
    data = failed["replicationEventData"]
    assert failed["eventVersion"] == "2.2" and "versionId" in failed["s3"]["object"]
    assert data["destinationBucket"] == "arn:aws:s3:::src-replica" and data["s3Operation"] == "OBJECT_PUT"
    assert data["failureReason"] in s3.REPLICATION_FAILURE_REASONS and "threshold" not in data
    assert data["requestTime"] < failed["eventTime"]
    assert (
        failed["userIdentity"]["principalId"] == failed["requestParameters"]["sourceIPAddress"] == ("s3.amazonaws.com")
    )
    late = s3.record(seed=1, event_name="Replication:OperationReplicatedAfterThreshold")["replicationEventData"]
    assert late["threshold"] == "15" and int(late["replicationTime"]) > 15 and "failureReason" not in late
    missed = s3.record(seed=1, event_name="Replication:OperationMissedThreshold")["replicationEventData"]
    assert missed["threshold"] == "15" and "replicationTime" not in missed


def test_s3_lifecycle_tiering_and_restore_events_carry_their_data_blocks():
    from lambdachaos.generators import s3

    transition = s3.record(seed=2, event_name="LifecycleTransition")
    assert transition["eventVersion"] == "2.3"
    target = transition["lifecycleEventData"]["transitionEventData"]["destinationStorageClass"]
    assert target in s3.TRANSITION_CLASSES
    tiering = s3.record(seed=2, event_name="IntelligentTiering")["intelligentTieringEventData"]
    assert tiering["destinationAccessTier"] in ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")
    restored = s3.record(seed=2, event_name="ObjectRestore:Completed")["glacierEventData"]["restoreEventData"]
    assert restored["lifecycleRestorationExpiryTime"] > "2024-06-01T12:00:00.000Z"
    plain = s3.record(seed=2, event_name="ObjectCreated:Put")
    assert not [k for k in plain if k.endswith("EventData")]
    assert "versionId" not in plain["s3"]["object"]


def test_s3_version_ids_appear_where_versioning_applies():
    from lambdachaos.generators import s3

    assert "versionId" in s3.record(seed=3, event_name="ObjectRemoved:DeleteMarkerCreated")["s3"]["object"]
    version = s3.record(seed=3, versioned=True)["s3"]["object"]["versionId"]
    assert re.fullmatch(r"[A-Za-z0-9._]{32}", version)
    assert s3.record(seed=3, version_id="v1")["s3"]["object"]["versionId"] == "v1"
    assert "versionId" not in s3.record(seed=3, versioned=False, event_name="ObjectCreated:Copy")["s3"]["object"]
