"""The public surface: re-exports, uniform builder API, overrides and import rules."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import lambdachaos.generators as gen
from lambdachaos._errors import ConfigError
from lambdachaos.generators import _catalogue, _fake, dynamodb_streams, kinesis, s3, sns, sqs

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "lambdachaos" / "generators"
SOURCE_MODULES = _catalogue.module_names()


def test_all_equals_the_public_names_of_the_package():
    for name in gen.__all__:  # every exported name resolves (source modules are imported on first use)
        getattr(gen, name)
    public = {
        n
        for n, v in vars(gen).items()
        if not n.startswith(("_", "@"))  # pytest rewrites asserts in the plugin's distribution: "@py_builtins"
        and n != "annotations"
        and not (inspect.ismodule(v) and n not in gen.__all__ and n in ("strategies",))
    }
    assert set(gen.__all__) == public


@pytest.mark.parametrize("name", SOURCE_MODULES)
def test_each_source_module_has_the_uniform_api(name):
    module = getattr(gen, name)
    assert callable(module.event) and callable(module.events)
    assert isinstance(module.BATCHING, bool)
    for fn in ("record", "records", "event", "events"):
        if hasattr(module, fn):
            params = inspect.signature(getattr(module, fn)).parameters
            assert "seed" in params
    if hasattr(module, "record"):
        params = inspect.signature(module.record).parameters
        assert {"seed", "region", "account_id", "now"} <= set(params)
        assert next(iter(inspect.signature(module.records).parameters)) == "n"
    assert set(module.__all__) <= set(dir(module))


def test_event_source_modules_never_import_one_another_nor_the_core():
    for path in GEN.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                if node.module and node.module.startswith("lambdachaos"):
                    assert node.module == "lambdachaos._errors", path
                if path.stem in SOURCE_MODULES and node.level == 1 and node.module is None:
                    assert not set(names) & set(SOURCE_MODULES), path


def test_no_module_imports_faker_and_only_the_strategy_modules_import_hypothesis():
    def importers(lib):
        return sorted(
            p.name for p in GEN.glob("*.py") if f"from {lib}" in p.read_text() or f"import {lib}" in p.read_text()
        )

    assert importers("faker") == []
    assert importers("hypothesis") == ["_strategy_kit.py"]


def test_importing_the_package_does_not_import_hypothesis():
    code = "import sys, lambdachaos.generators; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_modules_stay_under_400_lines():
    for path in GEN.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name


def test_same_seed_gives_byte_identical_json_across_processes():
    code = (
        "import json; from lambdachaos.generators import SOURCES; "
        "print(json.dumps({n: s.build(count=3, seed=42) for n, s in SOURCES.items()}))"
    )
    outs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        outs.append(subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True).stdout)
    assert outs[0] == outs[1]


def test_different_seeds_give_different_events():
    assert sqs.event(n=2, seed=1) != sqs.event(n=2, seed=2)


def test_a_fully_specified_sqs_record_draws_nothing_random(monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("random value drawn")

    monkeypatch.setattr("lambdachaos.generators._common.as_rng", boom)
    monkeypatch.setattr(_fake, "pick", boom)
    rec = sqs.record(
        body="Test message.",
        message_id="m-1",
        receipt_handle="AQEBx",
        sender_id="AIDAEXAMPLE",
        queue_arn="arn:aws:sqs:eu-west-1:111111111111:q",
        sent_timestamp=1_000,
        receive_count=3,
    )
    assert rec["md5OfBody"] == "e4e68fb7bd0e697a0ae8f1bb342846b3"
    assert rec["awsRegion"] == "eu-west-1"
    assert rec["attributes"]["ApproximateReceiveCount"] == "3"


def test_sqs_fifo_overrides_and_dead_letter_source_are_rendered():
    rec = sqs.record(
        seed=1,
        fifo=True,
        message_group_id="g1",
        sequence_number="18849496460467696128",
        message_deduplication_id="d1",
        dead_letter_queue_source_arn="arn:aws:sqs:us-east-1:1:src",
    )
    attrs = rec["attributes"]
    assert (attrs["MessageGroupId"], attrs["SequenceNumber"], attrs["MessageDeduplicationId"]) == (
        "g1",
        "18849496460467696128",
        "d1",
    )
    assert rec["eventSourceARN"].endswith(":orders.fifo")
    assert attrs["DeadLetterQueueSourceArn"].endswith(":src")


def test_sqs_message_attributes_are_camel_case_with_a_digest():
    rec = sqs.record(seed=1, message_attributes={"tenant": "acme", "retries": 2, "blob": b"\x00\x01"})
    assert rec["messageAttributes"]["retries"]["dataType"] == "Number"
    assert rec["messageAttributes"]["blob"]["binaryValue"] == "AAE="
    assert len(rec["md5OfMessageAttributes"]) == 32


def test_too_many_sqs_message_attributes_are_refused():
    with pytest.raises(ConfigError, match=r"^message_attributes has 11 entries; SQS allows at most 10$"):
        sqs.record(seed=1, message_attributes={f"a{i}": "x" for i in range(11)})


def test_kinesis_overrides_are_used_verbatim():
    rec = kinesis.record(
        data=b"hi",
        partition_key="pk",
        sequence_number="4" * 56,
        shard_id="shardId-000000000007",
        approximate_arrival_timestamp=1.5,
        stream_arn="arn:aws:kinesis:ap-south-1:1:stream/s",
    )
    assert rec["kinesis"]["data"] == "aGk="
    assert rec["eventID"] == "shardId-000000000007:" + "4" * 56
    assert rec["awsRegion"] == "ap-south-1"


def test_dynamodb_keys_and_images_are_marshalled_and_follow_the_view_type():
    rec = dynamodb_streams.record(
        seed=1,
        event_name="MODIFY",
        stream_view_type="OLD_IMAGE",
        keys={"pk": "a"},
        new_image={"pk": "a", "n": 1},
        old_image={"pk": "a", "n": 0},
    )
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    assert rec["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "n": {"N": "0"}}
    assert "NewImage" not in rec["dynamodb"]


def test_dynamodb_ttl_deletes_carry_the_service_identity():
    rec = dynamodb_streams.record(seed=1, event_name="REMOVE", ttl_delete=True)
    assert rec["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    with pytest.raises(ConfigError, match=r"^ttl_delete=True needs event_name='REMOVE'"):
        dynamodb_streams.record(seed=1, event_name="INSERT", ttl_delete=True)


def test_s3_keys_are_form_url_encoded():
    rec = s3.record(seed=1, key="my folder/a+b é.json")
    assert rec["s3"]["object"]["key"] == "my+folder/a%2Bb+%C3%A9.json"


def test_s3_eventbridge_keeps_the_raw_key_and_lower_case_etag():
    event = s3.eventbridge_event(seed=1, key="a b.txt")
    assert event["detail"]["object"]["key"] == "a b.txt" and "etag" in event["detail"]["object"]


def test_sns_attributes_and_region_follow_the_topic():
    rec = sns.record(seed=1, topic_arn="arn:aws:sns:eu-central-1:1:t", message_attributes={"n": 3})
    assert rec["Sns"]["MessageAttributes"] == {"n": {"Type": "Number", "Value": "3"}}
    assert "sns.eu-central-1.amazonaws.com" in rec["Sns"]["SigningCertUrl"]


def test_partitioned_regions_use_their_partition_in_arns():
    rec = sqs.record(seed=1, region="cn-north-1")
    assert rec["eventSourceARN"].startswith("arn:aws-cn:sqs:cn-north-1:")


@pytest.mark.parametrize("bad", ["1", 1.5, True])
def test_bad_seeds_are_refused_with_the_value_and_type(bad):
    with pytest.raises(ConfigError, match=r"^seed=.* is not a valid seed; pass an int, a random.Random or None$"):
        sqs.record(seed=bad)


def test_bad_counts_are_refused():
    with pytest.raises(ConfigError, match=r"^n=0 is out of range; pass an int from 1 to 10000$"):
        sqs.records(0)


class Shipment(typing.TypedDict):
    tracking_id: str
    carrier: typing.Literal["UPS", "DHL"]
    weight_kg: float


@dataclasses.dataclass
class Parcel:
    email: str
    quantity: int
    shipment: Shipment
    tags: list[str]


def test_payload_types_shape_the_bodies():
    from pydantic import BaseModel

    class Invoice(BaseModel):
        invoice_id: str
        amount: float
        paid: bool

    body = json.loads(sqs.record(seed=3, payload=Parcel)["body"])
    assert set(body) == {"email", "quantity", "shipment", "tags"} and "@" in body["email"]
    assert body["shipment"]["carrier"] in ("UPS", "DHL")
    inv = Invoice.model_validate_json(sqs.record(seed=3, payload=Invoice)["body"])
    assert inv.amount >= 0
    schema = {
        "type": "object",
        "required": ["id", "n"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "n": {"type": "integer", "minimum": 5, "maximum": 6},
            "kind": {"enum": ["a", "b"]},
        },
    }
    value = json.loads(
        kinesis.records(1, seed=1, payload=schema)[0]["kinesis"]["data"].encode()
        and __import__("base64").b64decode(kinesis.records(1, seed=1, payload=schema)[0]["kinesis"]["data"])
    )
    assert 5 <= value["n"] <= 6


def test_the_default_order_total_equals_its_lines():
    order = gen.payload(seed=5)
    assert order["total"] == round(sum(i["quantity"] * i["unitPrice"] for i in order["items"]), 2)


def test_unsupported_payload_types_are_refused():
    with pytest.raises(ConfigError, match=r"^payload=42 \(int\) is not a payload type"):
        gen.payload(42)  # type: ignore[arg-type]
