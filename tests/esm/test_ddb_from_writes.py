"""Conformance: DynamoDB Streams records from real boto3 writes on a sim table (docs/aws-behaviour.md §11, DynamoDB)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError


def _collect(sim, table, **map_kw):
    events = []
    fn = sim.function(lambda event, context: events.extend(event["Records"]), name=f"reader-{table.name}")
    sim.map(table, fn, batch_size=100, **map_kw)
    return events


def test_put_update_delete_through_boto3_produce_insert_modify_remove_with_both_images(sim):
    table = sim.dynamodb_table("orders", key_schema="pk")
    events = _collect(sim, table)
    ddb = boto3.client("dynamodb")
    ddb.put_item(TableName="orders", Item={"pk": {"S": "o1"}, "qty": {"N": "1"}})
    ddb.update_item(TableName="orders", Key={"pk": {"S": "o1"}}, UpdateExpression="SET qty = :q",
                    ExpressionAttributeValues={":q": {"N": "2"}})
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "o1"}})
    sim.run()
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (e["dynamodb"] for e in events)
    assert insert["Keys"] == {"pk": {"S": "o1"}}
    assert insert["NewImage"] == {"pk": {"S": "o1"}, "qty": {"N": "1"}} and "OldImage" not in insert
    assert modify["OldImage"]["qty"] == {"N": "1"} and modify["NewImage"]["qty"] == {"N": "2"}
    assert remove["OldImage"] == {"pk": {"S": "o1"}, "qty": {"N": "2"}} and "NewImage" not in remove
    sequences = [int(e["dynamodb"]["SequenceNumber"]) for e in events]
    assert sequences == sorted(sequences) and all(21 <= len(str(s)) <= 28 for s in sequences)
    assert all(e["dynamodb"]["SizeBytes"] > 0 for e in events)
    assert {e["eventSourceARN"] for e in events} == {table.stream_arn}
    # moto holds the items: the write is readable back through boto3.
    assert "Item" not in ddb.get_item(TableName="orders", Key={"pk": {"S": "o1"}})


@pytest.mark.parametrize(("view", "new", "old"), [
    ("KEYS_ONLY", False, False), ("NEW_IMAGE", True, False), ("OLD_IMAGE", False, True),
])
def test_stream_view_type_decides_the_images_of_a_modify(sim, view, new, old):
    table = sim.dynamodb_table("t", stream_view_type=view)
    events = _collect(sim, table)
    ddb = boto3.client("dynamodb")
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"S": "2"}})
    sim.run()
    modify = events[1]["dynamodb"]
    assert (events[1]["eventName"], "NewImage" in modify, "OldImage" in modify) == ("MODIFY", new, old)
    assert modify["Keys"] == {"pk": {"S": "a"}} and modify["StreamViewType"] == view


def test_a_write_that_changes_nothing_produces_no_record(sim):
    table = sim.dynamodb_table("t")
    events = _collect(sim, table)
    ddb = boto3.client("dynamodb")
    item = {"pk": {"S": "a"}, "v": {"N": "1"}}
    ddb.put_item(TableName="t", Item=item)
    ddb.put_item(TableName="t", Item=item)
    ddb.delete_item(TableName="t", Key={"pk": {"S": "missing"}})
    sim.run()
    assert [e["eventName"] for e in events] == ["INSERT"]


def test_batch_write_and_transact_write_items_stream_every_item_in_request_order(sim):
    table = sim.dynamodb_table("t", key_schema=("pk", "sk"))
    events = _collect(sim, table)
    ddb = boto3.client("dynamodb")
    ddb.batch_write_item(RequestItems={"t": [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
    ]})
    ddb.transact_write_items(TransactItems=[
        {"Delete": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}},
                    "UpdateExpression": "SET flag = :t", "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
    ])
    sim.run()
    assert [(e["eventName"], e["dynamodb"]["Keys"]["sk"]["N"]) for e in events] == [
        ("INSERT", "1"), ("INSERT", "2"), ("REMOVE", "1"), ("MODIFY", "2")]
    assert events[3]["dynamodb"]["NewImage"]["flag"] == {"BOOL": True}


def test_a_failed_conditional_write_produces_no_record(sim):
    table = sim.dynamodb_table("t")
    events = _collect(sim, table)
    ddb = boto3.client("dynamodb")
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}})
    with pytest.raises(ClientError, match=r"ConditionalCheckFailed"):
        ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"S": "x"}},
                     ConditionExpression="attribute_not_exists(pk)")
    sim.run()
    assert [e["eventName"] for e in events] == ["INSERT"]


def test_writes_from_a_handler_reach_the_table_stream_and_its_mapping(sim):
    table = sim.dynamodb_table("audit")
    events = _collect(sim, table)

    def writer(event, context):
        boto3.resource("dynamodb").Table("audit").put_item(Item={"pk": context.aws_request_id, "n": 3})

    result = sim.function(writer, name="writer").invoke({})
    sim.run()
    assert [e["dynamodb"]["Keys"] for e in events] == [{"pk": {"S": result.request_id}}]
    assert events[0]["dynamodb"]["NewImage"]["n"] == {"N": "3"}
    assert table.get_item({"pk": result.request_id}) == {"pk": result.request_id, "n": 3}


def test_tables_the_sim_does_not_stream_are_moto_only(sim):
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName="plain", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="plain", Item={"id": {"S": "1"}})
    assert ddb.get_item(TableName="plain", Key={"id": {"S": "1"}})["Item"] == {"id": {"S": "1"}}
