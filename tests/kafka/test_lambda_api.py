"""CreateEventSourceMapping through boto3 for MSK, self-managed Kafka, Amazon MQ and DocumentDB
(fact sections A5, A7, B2, C2; see test_kafka_conformance)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim


@pytest.fixture
def sim():
    with Sim(seed=4) as s:
        yield s


def _client():
    return boto3.client("lambda", region_name="us-east-1")


def test_self_managed_defaults_as_recorded(sim):
    """A5/A7: recorded defaults: 202, BatchSize 100, StartingPosition TRIM_HORIZON, State Creating,
    ConsumerGroupId = UUID, Topics and SourceAccessConfigurations echoed."""
    sim.kafka_cluster("onprem", self_managed=True, bootstrap_servers=["kafka:1000"])
    sim.function(lambda e, c: None, name="consumer")
    access = [{"Type": "SASL_SCRAM_512_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k"}]
    out = _client().create_event_source_mapping(
        FunctionName="consumer", Topics=["topic"], SourceAccessConfigurations=access,
        SelfManagedEventSource={"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["kafka:1000"]}})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (out["BatchSize"], out["StartingPosition"], out["State"]) == (100, "TRIM_HORIZON", "Creating")
    assert out["StateTransitionReason"] == "USER_INITIATED"
    assert out["LastProcessingResult"] == "No records processed"
    assert out["SelfManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": out["UUID"]}
    assert out["Topics"] == ["topic"] and out["SourceAccessConfigurations"] == access
    assert "EventSourceArn" not in out


def test_self_managed_needs_source_access_configurations(sim):
    """A7: recorded message for a missing SourceAccessConfigurations."""
    sim.kafka_cluster("onprem", self_managed=True, bootstrap_servers=["kafka:1000"])
    sim.function(lambda e, c: None, name="consumer")
    with pytest.raises(ClientError) as caught:
        _client().create_event_source_mapping(
            FunctionName="consumer", Topics=["topic"],
            SelfManagedEventSource={"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["kafka:1000"]}})
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidParameterValueException",
                                                 "Required 'sourceAccessConfigurations' parameter is missing.")


def test_duplicate_mapping_conflicts(sim):
    """A7: a second mapping of the function on the same servers and topic: ResourceConflictException, recorded text."""
    sim.kafka_cluster("onprem", self_managed=True, bootstrap_servers=["kafka:1000"])
    fn = sim.function(lambda e, c: None, name="consumer")
    params = {"FunctionName": "consumer", "Topics": ["topic"],
              "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:x"}],
              "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["kafka:1000"]}}}
    first = _client().create_event_source_mapping(**params)
    with pytest.raises(ClientError) as caught:
        _client().create_event_source_mapping(**params)
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Code"] == "ResourceConflictException"
    assert error["Message"] == (
        f'An event source mapping with event source ("kafka:1000"), function ("{fn.arn}"), topics ("topic") '
        f"already exists. Please update or delete the existing mapping with UUID {first['UUID']}")


def test_msk_mapping_delivers_and_lists(sim):
    """A5: an MSK mapping without StartingPosition defaults to TRIM_HORIZON (decision) and delivers records."""
    cluster = sim.kafka_cluster("payments")
    seen = []
    sim.function(lambda e, c: seen.extend(e["records"]), name="consumer")
    out = _client().create_event_source_mapping(
        FunctionName="consumer", EventSourceArn=cluster.arn, Topics=["orders"],
        AmazonManagedKafkaEventSourceConfig={"ConsumerGroupId": "billing"},
        ProvisionedPollerConfig={"MinimumPollers": 1, "MaximumPollers": 3})
    assert out["StartingPosition"] == "TRIM_HORIZON" and out["EventSourceArn"] == cluster.arn
    assert out["AmazonManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": "billing"}
    assert out["ProvisionedPollerConfig"] == {"MinimumPollers": 1, "MaximumPollers": 3}
    cluster.topic("orders").produce(b"x")
    sim.run()
    assert seen == ["orders-0"]
    listed = _client().list_event_source_mappings(EventSourceArn=cluster.arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [out["UUID"]]


def test_retry_controls_need_provisioned_mode_through_the_api(sim):
    """A4 decision through the API: InvalidParameterValueException naming ProvisionedPollerConfig."""
    cluster = sim.kafka_cluster("payments")
    sim.function(lambda e, c: None, name="consumer")
    with pytest.raises(ClientError) as caught:
        _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=cluster.arn, Topics=["orders"],
                                              MaximumRetryAttempts=3)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "ProvisionedPollerConfig" in caught.value.response["Error"]["Message"]


def test_mq_mapping_with_virtual_host(sim):
    """B2: Queues holds one queue; RabbitMQ's VIRTUAL_HOST source access configuration picks the vhost;
    DestinationConfig is refused."""
    broker = sim.mq_broker("pizza", engine="rabbitmq")
    seen = []
    sim.function(lambda e, c: seen.extend(e["rmqMessagesByQueue"]), name="consumer")
    access = [{"Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:x"}, {"Type": "VIRTUAL_HOST", "URI": "shop"}]
    out = _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=broker.arn,
                                                Queues=["pizzaQueue"], SourceAccessConfigurations=access)
    assert out["Queues"] == ["pizzaQueue"] and "StartingPosition" not in out
    broker.queue("pizzaQueue", vhost="shop").send("hi")
    sim.run()
    assert seen == ["pizzaQueue::shop"]
    with pytest.raises(ClientError) as caught:
        _client().create_event_source_mapping(
            FunctionName="consumer", EventSourceArn=broker.arn, Queues=["other"], SourceAccessConfigurations=access,
            DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:q"}})
    assert caught.value.response["Error"]["Message"] == \
        "Unsupported DestinationConfig parameter for given event source mapping type."


def test_docdb_mapping(sim):
    """C2: DocumentDBEventSourceConfig picks the database and collection, FullDocument is kept."""
    cluster = sim.docdb_cluster("shop")
    seen = []
    sim.function(lambda e, c: seen.extend(i["event"]["ns"]["coll"] for i in e["events"]), name="consumer")
    config = {"DatabaseName": "shop", "CollectionName": "orders", "FullDocument": "UpdateLookup"}
    out = _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=cluster.arn,
                                                StartingPosition="LATEST", DocumentDBEventSourceConfig=config)
    assert out["DocumentDBEventSourceConfig"] == config and out["StartingPosition"] == "LATEST"
    cluster.collection("shop", "orders").insert_one({"_id": 1})
    cluster.collection("shop", "other").insert_one({"_id": 2})
    sim.run()
    assert seen == ["orders"]


def test_window_default_has_no_key_and_an_update_sets_it(sim):
    """A2/A7: the 500 ms default shows no MaximumBatchingWindowInSeconds key (as recorded); once updated, the
    window is whole seconds and there is no value that brings the 500 ms default back."""
    cluster = sim.kafka_cluster("payments")
    sim.function(lambda e, c: None, name="consumer")
    created = _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=cluster.arn,
                                                    Topics=["orders"])
    assert "MaximumBatchingWindowInSeconds" not in created
    updated = _client().update_event_source_mapping(UUID=created["UUID"], MaximumBatchingWindowInSeconds=0,
                                                    BatchSize=50)
    assert (updated["MaximumBatchingWindowInSeconds"], updated["BatchSize"]) == (0, 50)
    assert updated["State"] == "Updating"
    cluster.topic("orders").produce(b"x")
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.0]


def test_at_timestamp_through_the_api_takes_unix_time_and_answers_it_back(sim):
    """A5: StartingPositionTimestamp is Unix time on the API (not the simulation's virtual seconds): a record
    produced 10 s into the run is read from a timestamp 5 s after the simulation's epoch, and the answer echoes
    the same instant; a Kinesis mapping takes it the same way."""
    from datetime import timedelta

    from lambdachaos._world import DEFAULT_EPOCH

    topic = sim.kafka_cluster("onprem", self_managed=True, bootstrap_servers=["kafka:1000"]).topic("t")
    seen: list[int] = []
    sim.function(lambda e, c: seen.extend(r["offset"] for rs in e["records"].values() for r in rs), name="consumer")
    topic.produce(b"early")
    sim.advance(10)
    topic.produce(b"late")
    at = DEFAULT_EPOCH + timedelta(seconds=5)
    out = _client().create_event_source_mapping(
        FunctionName="consumer", Topics=["t"], StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=at,
        SourceAccessConfigurations=[{"Type": "SASL_SCRAM_512_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:"
                                     "123456789012:secret:k"}],
        SelfManagedEventSource={"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["kafka:1000"]}})
    assert out["StartingPositionTimestamp"] == at
    sim.run()
    assert seen == [1]
    stream = sim.kinesis_stream("clicks")
    sim.function(lambda e, c: None, name="reader")
    answer = _client().create_event_source_mapping(
        FunctionName="reader", EventSourceArn=stream.arn, StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=at)
    assert answer["StartingPositionTimestamp"] == at


def test_settings_mq_and_documentdb_lack_are_refused_on_create_and_update(sim):
    """B2, C4: retry and age controls, bisect, partial batch responses and ProvisionedPollerConfig do not apply to
    Amazon MQ or DocumentDB: the request is refused naming the setting instead of being dropped."""
    broker = sim.mq_broker("shop")
    broker.queue("orders")
    sim.function(lambda e, c: None, name="consumer")
    access = [{"Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq"}]
    for extra, named in (({"MaximumRetryAttempts": 2}, "maximum_retry_attempts=2"),
                         ({"ProvisionedPollerConfig": {"MinimumPollers": 1}}, "provisioned_poller_config")):
        with pytest.raises(ClientError, match=named):
            _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=broker.arn,
                                                  Queues=["orders"], SourceAccessConfigurations=access, **extra)
    out = _client().create_event_source_mapping(FunctionName="consumer", EventSourceArn=broker.arn,
                                                Queues=["orders"], SourceAccessConfigurations=access)
    with pytest.raises(ClientError, match="maximum_retry_attempts: not a setting of this event source mapping"):
        _client().update_event_source_mapping(UUID=out["UUID"], MaximumRetryAttempts=3)


@pytest.mark.parametrize(("change", "message"), [
    ({"SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": "arn:x"}] * 23},
     "at 'sourceAccessConfigurations' failed to satisfy constraint: Member must have length less than or equal "
     "to 22"),
    ({"SourceAccessConfigurations": [{"Type": "NOPE", "URI": "arn:x"}]},
     "Value 'NOPE' at 'sourceAccessConfigurations.1.member.type' failed to satisfy constraint: Member must satisfy "
     "enum value set: [BASIC_AUTH,"),
    ({"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": [f"k{i}:9092" for i in range(11)]}}},
     "at 'selfManagedEventSource.endpoints.KAFKA_BOOTSTRAP_SERVERS' failed to satisfy constraint: Member must "
     "have length less than or equal to 10 and greater than or equal to 1"),
    ({"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["bad host 0"]}}},
     "Value 'bad host 0' at 'selfManagedEventSource.endpoints.KAFKA_BOOTSTRAP_SERVERS.member' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern"),
])
def test_source_access_and_endpoint_constraints(sim, change, message):
    """A7: SourceAccessConfigurations 0..22 items of a known type; KAFKA_BOOTSTRAP_SERVERS 1..10 host:port."""
    sim.kafka_cluster("onprem", self_managed=True, bootstrap_servers=["kafka:1000"])
    sim.function(lambda e, c: None, name="consumer")
    request = {"FunctionName": "consumer", "Topics": ["topic"],
               "SourceAccessConfigurations": [{"Type": "SASL_SCRAM_512_AUTH", "URI": "arn:aws:secretsmanager:k"}],
               "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["kafka:1000"]}}, **change}
    with pytest.raises(ClientError) as info:
        _client().create_event_source_mapping(**request)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert message in info.value.response["Error"]["Message"]
