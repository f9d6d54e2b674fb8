"""Recorded Lambda Kafka and Amazon MQ events replayed into sim topics and queues."""

from __future__ import annotations

import json
from pathlib import Path

from lambdachaos.service.mappings._kafka_records import event as kafka_event
from lambdachaos.service.mappings._mq import send_recorded

RECORDED_MSK = {
    "eventSource": "aws:kafka",
    "eventSourceArn": "arn:aws:kafka:sa-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-2",
    "bootstrapServers": "b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092",
    "records": {"mytopic-0": [{"topic": "mytopic", "partition": 0, "offset": 15, "timestamp": 1545084650987,
                               "timestampType": "CREATE_TIME", "key": "abcDEFghiJKLmnoPQRstuVWXyz123w==",
                               "value": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
                               "headers": [{"headerKey": [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101]}]}]},
}


def test_recorded_kafka_event_replays_byte_for_byte(sim, tmp_path: Path):
    """The documented MSK example, replayed: the function receives the same record (new offset, same content).

    The documented key ``...1234==`` has non-zero padding bits; its canonical form ``...123w==`` is used."""
    path = tmp_path / "kafka.jsonl"
    path.write_text(json.dumps(RECORDED_MSK) + "\n")
    cluster = sim.kafka_cluster("replay")
    topic = cluster.topic("mytopic")
    seen = []
    sim.map(topic, sim.function(lambda e, c: seen.append(e), name="f"))
    replay = sim.replay(path, topic, timing="fast")
    sim.run()
    assert (replay.items, replay.sends) == (1, 1)
    assert [a.records for a in sim.ledger.attempts] == [("mytopic-0:0",)]
    (record,) = seen[0]["records"]["mytopic-0"]
    original = RECORDED_MSK["records"]["mytopic-0"][0]  # type: ignore[index]
    assert {k: v for k, v in record.items() if k != "offset"} == {k: v for k, v in original.items() if k != "offset"}
    assert kafka_event(cluster, [topic.partitions[0].records[0]])["records"]["mytopic-0"][0] == record


def test_recorded_mq_events_replay(sim):
    broker = sim.mq_broker("b")
    queue = broker.queue("testQueue")
    recorded = {"eventSource": "aws:mq", "messages": [
        {"messageID": "ID:x", "messageType": "jms/text-message", "data": "QUJDOkFBQUE=", "correlationId": "c",
         "properties": {"index": "1"}}]}
    seen = []
    sim.map(queue, sim.function(lambda e, c: seen.extend(e["messages"]), name="f"))
    ids = send_recorded(queue, recorded)
    sim.run()
    assert [m["messageID"] for m in seen] == ids
    assert (seen[0]["data"], seen[0]["properties"], seen[0]["correlationId"]) == ("QUJDOkFBQUE=", {"index": "1"}, "c")
    rabbit = sim.mq_broker("r", engine="rabbitmq").queue("q")
    rmq = {"eventSource": "aws:rmq", "rmqMessagesByQueue": {"q::/": [
        {"basicProperties": {"headers": {"h": {"bytes": [118, 49]}, "n": 10}}, "data": "aGk="}]}}
    assert len(send_recorded(rabbit, rmq)) == 1
    assert rabbit.ready[0].properties == {"h": "v1", "n": 10} and rabbit.ready[0].data == b"hi"


def test_sim_replay_sends_a_recorded_mq_event_through_the_source_table(sim, tmp_path: Path):
    path = tmp_path / "mq.jsonl"
    path.write_text(json.dumps({"eventSource": "aws:mq", "messages": [
        {"messageID": "ID:a", "messageType": "jms/text-message", "data": "QUJD"},
        {"messageID": "ID:b", "messageType": "jms/text-message", "data": "REVG"}]}) + "\n")
    queue = sim.mq_broker("b").queue("orders")
    seen = []
    sim.map(queue, sim.function(lambda e, c: seen.extend(m["data"] for m in e["messages"]), name="f"))
    replay = sim.replay(path, queue, timing="fast")
    sim.run()
    assert (replay.items, replay.sends) == (1, 2)
    assert seen == ["QUJD", "REVG"]
