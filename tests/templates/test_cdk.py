"""A CDK cloud assembly (cdk.out, synthesized by hand here): assets found through <Stack>.assets.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lambdachaos import Sim
from lambdachaos.templates import TemplateError

CDK_OUT = Path(__file__).parent / "cdk_app" / "cdk.out"
ASSET = "asset.3f1c2b7a9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"


@pytest.mark.parametrize("path", [CDK_OUT, CDK_OUT / "OrdersStack.template.json"])
def test_the_function_code_is_the_asset_folder_named_by_the_s3_key(path):
    with Sim.from_template(path, seed=1) as sim:
        (load,) = sim.templates
        assert (load.kind, load.stack_name) == ("cdk", "OrdersStack")
        store = sim.functions["StoreFunction5E6F7A8B"]
        assert store.versions["$LATEST"].code_dir == str(CDK_OUT / ASSET)
        assert (store.config.memory_size, store.config.timeout, dict(store.config.environment)) == (
            1024, 20, {"TABLE_NAME": "orders"})
        assert load.recorded == {"StoreFunctionServiceRole1A2B3C4D": "IAM is not simulated: handlers run with "
                                 "every permission", "CDKMetadata": "CDK bookkeeping"}
        assert load.skipped == {}


def test_bootstrap_version_and_rules_are_ignored_and_the_metadata_condition_is_evaluated():
    with Sim.from_template(CDK_OUT, region="ap-south-1") as sim:
        assert sim.templates[0].skipped == {"CDKMetadata": "condition CDKMetadataAvailable is false"}
        assert sim.templates[0].outputs["QueueUrl"].startswith("https://sqs.ap-south-1.amazonaws.com/")


def test_a_failing_batch_is_retried_until_max_receive_count_then_dead_lettered():
    with Sim.from_template(CDK_OUT, seed=1) as sim:
        queue = sim.resources["OrdersQueue9B3E2A4F"]
        dlq = sim.resources["OrdersQueueDLQ4C3E8A21"]
        ok, boom = queue.send("fine"), queue.send("boom")
        sim.run()
        assert [a.start for a in sim.ledger.attempts_for(boom.message_id)] == [0.0, 120.0, 240.0, 360.0]
        assert sim.ledger.fate(boom.message_id).status == "dead_lettered"
        # no partial batch responses: the good message shares every failing batch and its fate
        assert (sim.ledger.fate(ok.message_id).status, sim.ledger.fate(ok.message_id).attempts) == (
            "dead_lettered", 4)
        assert [m.body for m in dlq.messages] == ["fine", "boom"]


def test_several_stacks_need_a_stack_name(tmp_path):
    out = tmp_path / "cdk.out"
    shutil.copytree(CDK_OUT, out)
    shutil.copy(out / "OrdersStack.template.json", out / "OtherStack.template.json")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(out)
    assert str(raised.value) == (f"template={str(out)!r} holds 2 stacks ['OrdersStack', 'OtherStack']: "
                                 "give stack=<name>")
    with Sim.from_template(out, stack="OtherStack") as sim:
        assert sim.templates[0].stack_name == "OtherStack"
        assert json.loads(json.dumps(sim.templates[0].outputs))["QueueUrl"].endswith(
            sim.resources["OrdersQueue9B3E2A4F"].name)


def test_an_asset_folder_that_is_missing_is_an_error(tmp_path):
    out = tmp_path / "cdk.out"
    shutil.copytree(CDK_OUT, out)
    shutil.rmtree(out / ASSET)
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(out)
    assert str(raised.value) == (f"{out / 'OrdersStack.template.json'}: StoreFunction5E6F7A8B: code folder "
                                 f"{out.resolve() / ASSET} does not exist")
