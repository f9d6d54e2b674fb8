"""The wire builders of Kafka, Amazon MQ and DocumentDB: the documented sample events, rebuilt key for key.

Samples: "Using Lambda with Amazon MSK", "Using Lambda with self-managed Apache Kafka", "Using Lambda with
Amazon MQ" and "Process Amazon DocumentDB events with Lambda" (AWS Lambda Developer Guide).
"""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos.generators import documentdb, kafka, mq

from .invariants import check_kafka, check_mq
from .invariants_more import check_documentdb

MSK_ARN = "arn:aws:kafka:sa-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2"
SERVERS = ",".join(f"b-{i}.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092" for i in (2, 1))
RECORD_KEYS = ["topic", "partition", "offset", "timestamp", "timestampType", "key", "value", "headers"]


def _documented_record(**overrides):
    kw = dict(
        topic="mytopic", partition=0, offset=15, timestamp=1545084650987, key=b"k", value=b"Hello, this is a test."
    )
    kw.update(overrides)
    return kafka.wire_record(**kw, headers=[("headerKey", "headerValue")])


def test_kafka_msk_event_has_the_documented_keys_in_order_and_values():
    event = kafka.wire_event([_documented_record()], bootstrap_servers=SERVERS.split(","), cluster_arn=MSK_ARN)
    assert list(event) == ["eventSource", "eventSourceArn", "bootstrapServers", "records"]
    assert (event["eventSource"], event["bootstrapServers"]) == ("aws:kafka", SERVERS)
    (rec,) = event["records"]["mytopic-0"]
    assert list(rec) == RECORD_KEYS
    assert rec["value"] == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="  # the documented value
    assert rec["headers"] == [{"headerKey": [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101]}]
    assert (rec["timestamp"], rec["timestampType"], rec["offset"]) == (1545084650987, "CREATE_TIME", 15)


def test_kafka_self_managed_event_has_no_arn_and_validates_against_powertools():
    models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")
    event = kafka.wire_event([_documented_record()], bootstrap_servers=SERVERS, variant="self_managed")
    assert list(event) == ["eventSource", "bootstrapServers", "records"] and event["eventSource"] == "SelfManagedKafka"
    parsed = models.KafkaSelfManagedEventModel.model_validate(event)
    assert parsed.records["mytopic-0"][0].headers == [{"headerKey": b"headerValue"}]
    msk = models.KafkaMskEventModel.model_validate(
        kafka.wire_event([_documented_record()], bootstrap_servers=SERVERS, cluster_arn=MSK_ARN)
    )
    assert msk.eventSourceArn == MSK_ARN and msk.records["mytopic-0"][0].value == "Hello, this is a test."


def test_kafka_wire_records_group_by_partition_keep_signed_header_bytes_and_may_lack_a_key():
    recs = [
        kafka.wire_record(
            topic="t",
            partition=p,
            offset=o,
            timestamp=1_717_243_200_000,
            key=b"k",
            value=b"v",
            headers={"h": bytes([118, 220, 0, 127, 128])},
        )
        for p, o in ((1, 4), (0, 9), (1, 5))
    ]
    keyless = kafka.wire_record(
        topic="t", partition=2, offset=0, timestamp=5, value=b"v", timestamp_type="LOG_APPEND_TIME"
    )
    event = kafka.wire_event([*recs, keyless], bootstrap_servers=["k1:9092"], variant="self_managed")
    assert list(event["records"]) == ["t-1", "t-0", "t-2"]
    assert [r["offset"] for r in event["records"]["t-1"]] == [4, 5]
    assert recs[0]["headers"] == [{"h": [118, -36, 0, 127, -128]}]  # aws-lambda-go's fixture bytes
    assert "key" not in keyless and keyless["timestampType"] == "LOG_APPEND_TIME"
    check_kafka(kafka.wire_event(recs, bootstrap_servers="kafka-1.internal:9092", variant="self_managed"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: kafka.wire_record(topic="t", partition=0, offset=1, timestamp=1, value=b"", timestamp_type="NOW"),
            r"^timestamp_type='NOW' is not a Kafka timestamp type; use one of \('CREATE_TIME', 'LOG_APPEND_TIME'\)$",
        ),
        (
            lambda: kafka.wire_record(topic="t", partition=-1, offset=1, timestamp=1, value=b""),
            r"^partition=-1 is not a partition number; pass an int >= 0$",
        ),
        (
            lambda: kafka.wire_event(
                [_documented_record(offset=3), _documented_record(offset=3)],
                bootstrap_servers="a:1",
                variant="self_managed",
            ),
            r"^records of mytopic-0 must be in increasing offset order, got offsets \[3, 3\]$",
        ),
        (lambda: kafka.wire_event([], bootstrap_servers="a:1"), r"^cluster_arn is required for variant='msk'"),
        (
            lambda: kafka.wire_event([], bootstrap_servers="a:1", variant="self_managed", cluster_arn=MSK_ARN),
            r"not sent for 'self_managed'",
        ),
    ],
)
def test_kafka_wire_builders_refuse_what_kafka_cannot_hold(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


ACTIVEMQ_KEYS = [
    "messageID",
    "messageType",
    "deliveryMode",
    "replyTo",
    "type",
    "expiration",
    "priority",
    "correlationId",
    "redelivered",
    "destination",
    "data",
    "timestamp",
    "brokerInTime",
    "brokerOutTime",
    "properties",
]
BROKER = "b-9bcfa592-423a-4942-879d-eb284b418fc8"


def test_activemq_message_rebuilds_the_documented_sample():
    message_id = mq.jms_message_id(BROKER, "us-west-2", port=37557, started_ms=1234520418293, connection=4)
    assert message_id == f"ID:{BROKER}-1.mq.us-west-2.amazonaws.com-37557-1234520418293-4:1:1:1:1"
    message = mq.activemq_message(
        message_id=message_id,
        data=b"ABC:AAAA",
        queue="testQueue",
        timestamp=1598827811958,
        broker_in_time=1598827811958,
        broker_out_time=1598827811959,
        persistent=False,
        priority=1,
        correlation_id="myJMSCoID",
        expiration=60000,
        properties={"index": "1", "doAlarm": "false", "myCustomProperty": "value"},
    )
    assert list(message) == ACTIVEMQ_KEYS
    assert (message["deliveryMode"], message["data"], message["destination"]) == (
        1,
        "QUJDOkFBQUE=",
        {"physicalName": "testQueue"},
    )
    event = mq.activemq_event([message], broker_arn=f"arn:aws:mq:us-west-2:111122223333:broker:test:{BROKER}")
    assert list(event) == ["eventSource", "eventSourceArn", "messages"] and event["eventSource"] == "aws:mq"
    check_mq(event)


def test_rabbitmq_message_rebuilds_the_documented_sample():
    message = mq.rabbitmq_message(
        data=b'{"timeout":0,"data":"CZrmf0Gw8Ov4bqLQxD4E"}',
        timestamp=2_021_000,
        content_type="text/plain",
        headers={"header1": "value1", "numberInHeader": 10},
        persistent=False,
        priority=34,
        expiration="60000",
        user_id="AIDACKCEVSQ6C2EXAMPLE",
    )
    assert list(message) == ["basicProperties", "redelivered", "data"]
    props = message["basicProperties"]
    assert list(props) == [
        "contentType",
        "contentEncoding",
        "headers",
        "deliveryMode",
        "priority",
        "correlationId",
        "replyTo",
        "expiration",
        "messageId",
        "timestamp",
        "type",
        "userId",
        "appId",
        "clusterId",
        "bodySize",
    ]
    assert props["headers"] == {"header1": {"bytes": [118, 97, 108, 117, 101, 49]}, "numberInHeader": 10}
    assert props["timestamp"] == "Jan 1, 1970, 12:33:41 AM" and props["bodySize"] == 43
    key = mq.rabbitmq_queue_key("pizzaQueue")
    event = mq.rabbitmq_event(
        {key: [message]}, broker_arn=f"arn:aws:mq:us-west-2:111122223333:broker:pizzaBroker:{BROKER}"
    )
    assert list(event) == ["eventSource", "eventSourceArn", "rmqMessagesByQueue"]
    assert (event["eventSource"], list(event["rmqMessagesByQueue"])) == ("aws:rmq", ["pizzaQueue::/"])
    check_mq(event)
    with pytest.raises(ConfigError, match=r"^queue key 'pizzaQueue' is not '<queue>::<virtual host>'"):
        mq.rabbitmq_event({"pizzaQueue": [message]}, broker_arn=event["eventSourceArn"])


def test_mq_wire_events_load_into_the_powertools_data_classes():
    pytest.importorskip("aws_lambda_powertools")
    from aws_lambda_powertools.utilities.data_classes.active_mq_event import ActiveMQEvent
    from aws_lambda_powertools.utilities.data_classes.rabbit_mq_event import RabbitMQEvent

    active = ActiveMQEvent(mq.event(seed=3))
    assert active.event_source == "aws:mq" and active.message.destination_physicalname == "orders"
    rabbit = RabbitMQEvent(mq.event(seed=3, variant="rabbitmq", virtual_host="/prod"))
    assert list(rabbit.rmq_messages_by_queue) == ["orders::/prod"]


def test_mq_wire_builders_refuse_what_lambda_never_delivers():
    common = dict(message_id="ID:x", data=b"", queue="q", timestamp=1, broker_in_time=1, broker_out_time=1)
    with pytest.raises(ConfigError, match=r"^message_type='jms/map-message' is not delivered by Lambda"):
        mq.activemq_message(**common, message_type="jms/map-message")
    with pytest.raises(ConfigError, match=r"^priority=10 is out of range; JMS priorities are 0 to 9$"):
        mq.activemq_message(**common, priority=10)


DOCDB_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:canaryclusterb2a659a2-qo5tcmqkcl03"
DOCDB_SAMPLE = {
    "eventSourceArn": DOCDB_ARN,
    "events": [
        {
            "event": {
                "_id": {"_data": "0163eeb6e7000000090100000009000041e1"},
                "clusterTime": {"$timestamp": {"t": 1676588775, "i": 9}},
                "documentKey": {"_id": {"$oid": "63eeb6e7d418cd98afb1c1d7"}},
                "fullDocument": {"_id": {"$oid": "63eeb6e7d418cd98afb1c1d7"}, "anyField": "sampleValue"},
                "ns": {"db": "test_database", "coll": "test_collection"},
                "operationType": "insert",
            }
        }
    ],
    "eventSource": "aws:docdb",
}


def test_documentdb_change_event_rebuilds_the_documented_sample_byte_for_byte():
    change = documentdb.change_event(
        operation_type="insert",
        object_id="63eeb6e7d418cd98afb1c1d7",
        database="test_database",
        collection="test_collection",
        cluster_time=1676588775,
        increment=9,
        full_document={"anyField": "sampleValue"},
        resume_token="0163eeb6e7000000090100000009000041e1",
    )
    assert json.dumps(documentdb.wire_event([change], cluster_arn=DOCDB_ARN)) == json.dumps(DOCDB_SAMPLE)


def test_documentdb_updates_carry_the_delta_and_the_full_document_only_with_update_lookup():
    default = documentdb.record(seed=2, operation_type="update", document={"status": "PAID", "total": 3, "x": 1})
    change = default["event"]
    assert "fullDocument" not in change and list(change)[-2:] == ["operationType", "updateDescription"]
    assert change["updateDescription"] == {"updatedFields": {"status": "PAID", "total": 3}, "removedFields": []}
    looked_up = documentdb.record(
        seed=2, operation_type="update", document={"status": "PAID"}, full_document_mode="UpdateLookup"
    )["event"]
    assert looked_up["fullDocument"] == {"_id": looked_up["documentKey"]["_id"], "status": "PAID"}
    check_documentdb(documentdb.event([default, documentdb.record(seed=3, operation_type="delete", increment=2)]))
    with pytest.raises(
        ConfigError, match=r"^full_document_mode='Full' is not valid; use one of \('Default', 'UpdateLookup'\)$"
    ):
        documentdb.record(full_document_mode="Full")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation_type": "delete", "full_document": {}}, r"^a delete change carries no fullDocument"),
        ({"operation_type": "insert"}, r"^an insert change carries its fullDocument"),
        (
            {"operation_type": "insert", "full_document": {}, "updated_fields": {"a": 1}},
            r"^only update changes have an updateDescription \(operation_type='insert'\)$",
        ),
        ({"operation_type": "delete", "object_id": "xyz"}, r"^object_id='xyz' is not an ObjectId"),
    ],
)
def test_documentdb_change_event_refuses_shapes_change_streams_never_send(kwargs, message):
    base = dict(object_id="63eeb6e7d418cd98afb1c1d7", database="d", collection="c", cluster_time=1, increment=1)
    with pytest.raises(ConfigError, match=message):
        documentdb.change_event(**{**base, **kwargs})
    with pytest.raises(ConfigError, match=r"is not a DocumentDB cluster ARN"):
        documentdb.wire_event([], cluster_arn="arn:aws:kafka:us-east-1:1:cluster/x")


def test_wire_builders_draw_nothing_so_equal_inputs_give_equal_bytes():
    args = dict(topic="t", partition=0, offset=1, timestamp=1, value=b"v", key=b"k")
    assert json.dumps(kafka.wire_record(**args)) == json.dumps(kafka.wire_record(**args))
    assert base64.b64decode(kafka.wire_record(**args)["key"]) == b"k"
