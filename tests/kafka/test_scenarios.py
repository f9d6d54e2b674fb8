"""Kafka and Amazon MQ resources and traffic in scenario files; the LocalStack target refuses them."""

from __future__ import annotations

import base64
import json
import textwrap
from typing import Any

from lambdachaos.scenarios import load_scenario, run_scenario


def fail_on_poison(event: Any, context: Any) -> None:
    for records in event["records"].values():
        for record in records:
            json.loads(base64.b64decode(record["value"]))  # a truncated body raises


def test_kafka_scenario_poison_blocks_until_retention(tmp_path):
    path = tmp_path / "kafka.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: kafka-poison
        resources:
          queues:
            failures: {}
          kafka_topics:
            orders: {partitions: 2, cluster: payments, retention_ms: 600000}
        functions:
          consumer: {handler: tests.kafka.test_scenarios.fail_on_poison}
        mappings:
          - {source: orders, function: consumer, batch_size: 5, maximum_batching_window_in_seconds: 0}
        traffic:
          - {kafka_topic: orders, count: 9, payload: order}
          - {kafka_topic: orders, start: 30, count: 1, poison_rate: 1, poison_kinds: [truncated_json]}
        expectations:
          - fates: {succeeded: 9, expired: 1}
        """))
    scenario = load_scenario(path)
    result = run_scenario(scenario)
    assert result.passed, result
    statuses = sorted(f.status.value for f in result.sim.ledger.fates.values())
    assert statuses == ["expired"] + ["succeeded"] * 9


def test_mq_scenario_runs(tmp_path):
    path = tmp_path / "mq.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: mq
        resources:
          mq_queues:
            orders: {broker: shop, engine: rabbitmq}
        functions:
          consumer: {handler: tests.kafka.test_scenarios.ok}
        mappings:
          - {source: orders, function: consumer, batch_size: 10}
        traffic:
          - {mq_queue: orders, count: 12}
        expectations:
          - fates: {succeeded: 12}
        """))
    result = run_scenario(load_scenario(path))
    assert result.passed, result
    assert [len(a.records) for a in result.sim.ledger.attempts] == [10, 2]


def ok(event: Any, context: Any) -> None:
    return None


def test_localstack_target_refuses_kafka(tmp_path):
    from lambdachaos.targets._ls_scenario import unsupported

    path = tmp_path / "k.yaml"
    path.write_text("version: 1\nname: k\nresources: {kafka_topics: {orders: {}}}\nfunctions:\n"
                    "  consumer: {handler: tests.kafka.test_scenarios.ok}\n"
                    "traffic:\n  - {function: consumer, count: 1}\n")
    (message,) = unsupported(load_scenario(path))
    assert message.startswith("resources.kafka_topics.orders: LocalStack's community edition has no Kafka event "
                              "source poller")


def record_skus(event: Any, context: Any) -> None:
    for item in event["events"]:
        change = item["event"]
        if change["operationType"] != "insert" or "$oid" not in change["fullDocument"]["_id"]:
            raise ValueError(f"not an inserted document: {change}")


def test_docdb_scenario_inserts_documents_and_the_mapping_reads_them_in_order(tmp_path):
    path = tmp_path / "docdb.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: docdb
        resources:
          docdb_collections:
            orders: {cluster: shop, database: sales}
        functions:
          consumer: {handler: tests.kafka.test_scenarios.record_skus}
        mappings:
          - {source: orders, function: consumer, batch_size: 2, full_document: UpdateLookup}
        traffic:
          - {docdb_collection: orders, count: 5, payload: order}
        expectations:
          - fates: {succeeded: 5}
          - ordered: {by: collection}
        """))
    scenario = load_scenario(path)
    assert scenario.sources == {"docdb_collections": {"orders": {"cluster": "shop", "database": "sales"}}}
    result = run_scenario(scenario)
    assert result.passed, result
    assert [len(a.records) for a in result.sim.ledger.attempts] == [2, 2, 1]
    collection = result.sim.registry.get("docdb_clusters", "shop").collection("sales", "orders")
    assert len(collection.documents) == 5
