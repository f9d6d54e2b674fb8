"""The poison catalogue and the hypothesis strategies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos.generators import Order, poison, sqs, strategies
from lambdachaos.generators._payload import fields_of

from .invariants import check_dynamodb, check_kinesis, check_sqs
from .smallest import smallest

models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")


def test_every_poison_kind_is_tagged_and_json_validity_matches_its_flag():
    for p in poison.catalogue(seed=1):
        assert p.kind in poison.KINDS
        try:
            json.loads(p.body.decode("utf-8"), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            parsed = True
        except (ValueError, RecursionError, UnicodeDecodeError):
            parsed = p.kind == "deeply_nested"
        assert parsed == p.json_valid, p.kind


def test_size_poison_sits_exactly_at_or_just_over_the_aws_limit():
    assert len(poison.make("sqs_at_limit").body) == poison.SQS_MAX_MESSAGE_BYTES
    assert len(poison.make("sqs_over_limit").body) == poison.SQS_MAX_MESSAGE_BYTES + 1


def test_schema_invalid_poison_is_rejected_by_the_payload_model():
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(Order)
    for p in poison.catalogue(seed=2):
        if p.json_valid and p.kind != "deeply_nested":
            if p.schema_valid:
                adapter.validate_json(p.body)
            else:
                with pytest.raises(ValidationError):
                    adapter.validate_json(p.body)


def test_invalid_base64_kinesis_data_is_rejected_by_the_powertools_model():
    from pydantic import ValidationError

    rec = poison.embed("kinesis", poison.make("invalid_base64"), seed=1)
    with pytest.raises(ValidationError):
        models.KinesisDataStreamModel.model_validate({"Records": [rec]})


def test_mix_keeps_batch_invariants_and_names_each_poisoned_record():
    batch, tags = poison.mix(
        "sqs",
        sqs.records(30, seed=1),
        rate=0.5,
        seed=3,
        kinds=[k for k in poison.KINDS if k not in ("duplicate_message_id", "lone_surrogate")],
    )
    assert tags and set(tags.values()) <= set(poison.KINDS)
    ids = {r["messageId"] for r in batch}
    assert set(tags) <= ids
    check_sqs(batch)


def test_mix_refuses_rates_outside_zero_to_one():
    from lambdachaos._errors import ConfigError

    with pytest.raises(ConfigError, match=r"^rate=1.5 is out of range; pass a fraction from 0.0 to 1.0$"):
        poison.mix("sqs", [], rate=1.5)


@settings(max_examples=40, deadline=None)
@given(strategies.sqs_events(bodies=strategies.payloads(Order)))
def test_sqs_event_strategy_draws_valid_batches_of_orders(event):
    models.SqsModel.model_validate(event)
    check_sqs(event["Records"])
    for r in event["Records"]:
        assert set(json.loads(r["body"])) == set(fields_of(Order))


@settings(max_examples=30, deadline=None)
@given(strategies.kinesis_events(), strategies.dynamodb_streams_events())
def test_stream_strategies_draw_valid_batches(kinesis_event, ddb_event):
    models.KinesisDataStreamModel.model_validate(kinesis_event)
    models.DynamoDBStreamModel.model_validate(ddb_event)
    check_kinesis(kinesis_event["Records"])
    check_dynamodb(ddb_event["Records"])


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(strategies.source_events())
def test_any_source_strategy_draws_events_that_serialise(event):
    json.dumps(event)


@settings(max_examples=20, deadline=None)
@given(strategies.poisoned_batches("sqs", rate=0.3))
def test_poisoned_batch_tags_point_at_records_of_the_batch(drawn):
    event, tags = drawn
    ids = {r["messageId"] for r in event["Records"]}
    assert all(t.split("#")[0] in ids for t in tags)


def test_shrinking_goes_to_a_single_small_record():
    records = smallest("strategies.sqs_records()")
    assert len(records) == 1 and len(json.loads(records[0]["body"])["items"]) == 1


def test_from_type_draws_powertools_models_after_registration():
    registered = strategies.register_powertools_types()
    assert "SqsModel" in registered and "DynamoDBStreamModel" in registered

    @settings(max_examples=5, deadline=None)
    @given(st.from_type(models.SqsModel))
    def check(model):
        assert model.Records

    check()


def test_missing_hypothesis_names_the_extra():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n import lambdachaos.generators.strategies\nexcept ImportError as e: print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'lambdachaos[hypothesis]'" in out
