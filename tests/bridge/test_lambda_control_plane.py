"""The Lambda control plane through boto3 inside a simulation, and AWS's validation wording through
both the Python API and boto3."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import ConfigError, Sim

ROLE = "arn:aws:iam::123456789012:role/service"
SAM = Path(__file__).parent.parent / "service" / "sam_project"


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture
def sim():
    with Sim(seed=4) as s:
        yield s


@pytest.fixture
def lam():
    return boto3.client("lambda", region_name="us-east-1")


def _create(lam, name="orders", source="def handler(e, c):\n    return {'v': 1}\n", **kw):
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": _zip(source)}, **kw)


def test_create_function_from_a_zip_then_invoke_get_list_update_and_delete(sim, lam):
    created = _create(lam, Environment={"Variables": {"TABLE": "t"}}, MemorySize=256, Timeout=9)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert [k for k in created if k != "ResponseMetadata"][:12] == [
        "FunctionName", "FunctionArn", "Runtime", "Role", "Handler", "CodeSize", "Description", "Timeout",
        "MemorySize", "LastModified", "CodeSha256", "Version"]
    assert (created["FunctionArn"], created["Version"], created["State"], created["MemorySize"]) == (
        "arn:aws:lambda:us-east-1:123456789012:function:orders", "$LATEST", "Active", 256)
    assert created["Environment"] == {"Variables": {"TABLE": "t"}}
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == {"v": 1}
    assert sim.service.get("orders").config.timeout == 9
    got = lam.get_function(FunctionName="orders")
    assert got["Configuration"]["CodeSha256"] == created["CodeSha256"]
    assert got["Code"]["RepositoryType"] == "S3"
    updated = lam.update_function_configuration(FunctionName="orders", Timeout=20, Description="checkout")
    assert (updated["Timeout"], updated["Description"], updated["MemorySize"]) == (20, "checkout", 256)
    assert updated["RevisionId"] != created["RevisionId"]
    lam.update_function_code(FunctionName="orders", ZipFile=_zip("def handler(e, c):\n    return {'v': 2}\n"))
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == {"v": 2}
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["orders"]
    assert lam.delete_function(FunctionName="orders")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="orders")


def test_create_function_from_a_local_folder(sim, lam):
    lam.create_function(FunctionName="payments", Runtime="python3.12", Role=ROLE, Handler="app.lambda_handler",
                        Code={"S3Bucket": "lambdachaos-local", "S3Key": str(SAM / "payments")},
                        Environment={"Variables": {"PAYMENTS_QUEUE": "q"}})
    # the layer is missing: the import of shared_lib fails as on Lambda
    out = lam.invoke(FunctionName="payments", Payload=json.dumps({"items": []}))
    assert json.loads(out["Payload"].read())["errorType"] == "Runtime.ImportModuleError"


def test_versions_and_an_alias_with_weights(sim, lam):
    _create(lam, source="import os\ndef handler(e, c):\n    return os.environ['AWS_LAMBDA_FUNCTION_VERSION']\n")
    assert lam.publish_version(FunctionName="orders")["Version"] == "1"
    assert lam.publish_version(FunctionName="orders")["Version"] == "2"
    versions = lam.list_versions_by_function(FunctionName="orders")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[1]["FunctionArn"].endswith(":orders:1")
    alias = lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert (alias["AliasArn"], alias["FunctionVersion"], alias["RoutingConfig"]) == (
        "arn:aws:lambda:us-east-1:123456789012:function:orders:live", "1", {"AdditionalVersionWeights": {"2": 0.25}})
    seen = Counter(json.loads(lam.invoke(FunctionName="orders", Qualifier="live")["Payload"].read())
                   for _ in range(200))
    assert set(seen) == {"1", "2"} and 30 <= seen["2"] <= 70
    lam.update_alias(FunctionName="orders", Name="live", FunctionVersion="2", RoutingConfig={})
    assert lam.get_alias(FunctionName="orders", Name="live")["FunctionVersion"] == "2"
    assert "RoutingConfig" not in lam.get_alias(FunctionName="orders", Name="live")
    lam.delete_alias(FunctionName="orders", Name="live")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_alias(FunctionName="orders", Name="live")


def test_concurrency_and_provisioned_concurrency(sim, lam):
    _create(lam)
    put = lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=0)
    assert put["ReservedConcurrentExecutions"] == 0
    assert lam.get_function_concurrency(FunctionName="orders")["ReservedConcurrentExecutions"] == 0
    with pytest.raises(lam.exceptions.TooManyRequestsException) as throttled:
        lam.invoke(FunctionName="orders")
    assert throttled.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName="orders")
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="orders")
    lam.publish_version(FunctionName="orders")
    provisioned = lam.put_provisioned_concurrency_config(FunctionName="orders", Qualifier="1",
                                                         ProvisionedConcurrentExecutions=2)
    assert provisioned["Status"] == "READY" and provisioned["AllocatedProvisionedConcurrentExecutions"] == 2
    lam.invoke(FunctionName="orders", Qualifier="1")
    assert sim.ledger.attempts[-1].cold is False


def test_event_invoke_config_routes_failures_to_the_destination(sim, lam):
    _create(lam, source="def handler(e, c):\n    raise ValueError('bad order')\n")
    failures = sim.sqs_queue("failures")
    put = lam.put_function_event_invoke_config(FunctionName="orders", MaximumRetryAttempts=0,
                                               DestinationConfig={"OnFailure": {"Destination": failures.arn}})
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": failures.arn}}
    assert put["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    updated = lam.update_function_event_invoke_config(FunctionName="orders", MaximumEventAgeInSeconds=120)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 120)
    assert len(lam.list_function_event_invoke_configs(FunctionName="orders")["FunctionEventInvokeConfigs"]) == 1
    request_id = lam.invoke(FunctionName="orders", InvocationType="Event", Payload=b"{}")["ResponseMetadata"][
        "RequestId"]
    sim.run()
    assert len(sim.ledger.attempts) == 1
    assert sim.ledger.fate(request_id).status == "on_failure"
    lam.delete_function_event_invoke_config(FunctionName="orders")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName="orders")


def test_an_sqs_mapping_created_disabled_enabled_and_deleted_through_boto3(sim, lam):
    seen = []
    sim.function(lambda e, c: seen.extend(r["body"] for r in e["Records"]), name="consumer", timeout=5)
    queue = sim.sqs_queue("orders", visibility_timeout=30)
    created = lam.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName="consumer", BatchSize=5)
    assert (created["State"], created["StateTransitionReason"], created["BatchSize"]) == (
        "Creating", "USER_INITIATED", 5)
    uuid = created["UUID"]
    assert created["EventSourceMappingArn"] == f"arn:aws:lambda:us-east-1:123456789012:event-source-mapping:{uuid}"
    queue.send("one")
    sim.run()
    assert seen == ["one"]
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    queue.send("two")
    sim.run()
    assert seen == ["one"]
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    sim.run()
    assert seen == ["one", "two"]
    listed = lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    queue.send("three")
    sim.run()
    assert seen == ["one", "two"]
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)


def test_a_kinesis_mapping_reports_its_last_processing_result(sim, lam):
    sim.function(lambda e, c: None, name="reader")
    stream = sim.kinesis_stream("clicks")
    created = lam.create_event_source_mapping(EventSourceArn=stream.arn, FunctionName="reader",
                                              StartingPosition="TRIM_HORIZON")
    assert created["LastProcessingResult"] == "No records processed"
    assert created["StateTransitionReason"] == "User action"
    assert created["DestinationConfig"] == {"OnFailure": {}} and created["MaximumRetryAttempts"] == -1
    stream.put_record(b"x", partition_key="k")
    sim.run()
    assert lam.get_event_source_mapping(UUID=created["UUID"])["LastProcessingResult"] == "OK"


# ---- AWS's validation wording, both ways in --------------------------------------------------------
def _aws_error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _sim_error(call) -> str:
    with pytest.raises(ConfigError) as info:
        call()
    return str(info.value)


def test_validation_streams_without_or_with_a_bad_starting_position(sim, lam):
    fn = sim.function(lambda e, c: None, name="reader")
    stream = sim.kinesis_stream("clicks")
    table = sim.dynamodb_table("orders", key_schema="pk")
    missing = ("InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' "
               "failed to satisfy constraint: Member must not be null.")
    assert _aws_error(lambda: lam.create_event_source_mapping(EventSourceArn=stream.arn,
                                                               FunctionName="reader")) == missing
    enum = ("1 validation error detected: Value 'invalid' at 'startingPosition' failed to satisfy constraint: "
            "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
    assert _aws_error(lambda: lam.create_event_source_mapping(
        EventSourceArn=stream.arn, FunctionName="reader", StartingPosition="invalid")) == ("ValidationException", enum)
    assert _sim_error(lambda: sim.map(stream, fn, starting_position="invalid")) == enum
    at_ts = f"Unsupported starting position for arn type: {table.stream_arn}"
    assert _aws_error(lambda: lam.create_event_source_mapping(
        EventSourceArn=table.stream_arn, FunctionName="reader", StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=1)) == ("InvalidParameterValueException", at_ts)
    assert _sim_error(lambda: sim.map(table, fn, starting_position="AT_TIMESTAMP",
                                      starting_position_timestamp=1.0)) == at_ts
    assert sim.map(stream, fn).config.starting_position == "TRIM_HORIZON"  # the Python API keeps its default


def test_validation_destination_config_on_an_sqs_mapping(sim, lam):
    fn = sim.function(lambda e, c: None, name="consumer")
    queue, dlq = sim.sqs_queue("orders"), sim.sqs_queue("dlq")
    message = "Unsupported DestinationConfig parameter for given event source mapping type."
    assert _aws_error(lambda: lam.create_event_source_mapping(
        EventSourceArn=queue.arn, FunctionName="consumer",
        DestinationConfig={"OnFailure": {"Destination": dlq.arn}})) == ("InvalidParameterValueException", message)
    assert _sim_error(lambda: sim.map(queue, fn, on_failure=dlq)) == message


def test_validation_event_invoke_config(sim, lam):
    fn = sim.function(lambda e, c: None, name="orders")
    empty = "You must specify at least one of error handling or destination setting."
    assert _aws_error(lambda: lam.put_function_event_invoke_config(FunctionName="orders")) == (
        "InvalidParameterValueException", empty)
    assert _sim_error(lambda: fn.put_event_invoke_config()) == empty
    itself = "You can't specify the function as a destination for itself."
    assert _aws_error(lambda: lam.put_function_event_invoke_config(
        FunctionName="orders", DestinationConfig={"OnFailure": {"Destination": fn.arn}})) == (
        "InvalidParameterValueException", itself)
    assert _sim_error(lambda: fn.put_event_invoke_config(on_failure=fn)) == itself
    code, message = _aws_error(lambda: lam.put_function_event_invoke_config(
        FunctionName="orders", DestinationConfig={"OnFailure": {"Destination": "arn:nothing"}}))
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'arn:nothing' at "
                              "'destinationConfig.onFailure.destination' failed to satisfy constraint")
    assert _sim_error(lambda: sim.function(lambda e, c: None, name="g", on_failure="arn:nothing")) == message
    assert fn.event_invoke_configs == {}


@pytest.mark.parametrize(("name", "constraint"), [
    ("my function", "Member must satisfy regular expression pattern: "),
    ("", "Member must have length greater than or equal to 1"),
    ("x" * 65, "Member must have length less than or equal to 64"),
])
def test_validation_function_names(sim, lam, name, constraint):
    message = (f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
               f"{constraint}")
    assert _sim_error(lambda: sim.function(lambda e, c: None, name=name)).startswith(message)
    if name:  # botocore itself refuses an empty name before sending it
        code, text = _aws_error(lambda: _create(lam, name=name))
        assert code == "ValidationException" and text.startswith(message)
    assert sim.service.functions == {}


def test_validation_runtimes(sim, lam):
    message = ("The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda "
               "functions. We recommend you use a supported runtime while creating or updating functions.")
    assert _sim_error(lambda: sim.function(lambda e, c: None, name="old", runtime="python2.7")) == message
    assert _aws_error(lambda: lam.create_function(
        FunctionName="old", Runtime="python2.7", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": _zip("")})) == ("InvalidParameterValueException", message)
    fn = sim.function(lambda e, c: None, name="current")
    assert _sim_error(lambda: fn.update_configuration(runtime="python2.7")) == message
    assert _aws_error(lambda: lam.update_function_configuration(FunctionName="current", Runtime="python2.7")) == (
        "InvalidParameterValueException", message)
    assert fn.config.runtime == "python3.12"


_READS_AT_IMPORT = (
    "import os\n"
    "TABLE = os.environ['TABLE']\n"
    "def handler(e, c):\n"
    "    if e.get('nested'):\n"
    "        import boto3\n"
    "        boto3.client('lambda').update_function_configuration(\n"
    "            FunctionName='orders', Environment={'Variables': {'TABLE': 'during'}})\n"
    "    return TABLE\n"
)


def test_an_update_sends_later_requests_to_new_environments_with_the_new_settings(sim, lam):
    _create(lam, source=_READS_AT_IMPORT, Environment={"Variables": {"TABLE": "before"}})
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == "before"
    lam.update_function_configuration(FunctionName="orders", Environment={"Variables": {"TABLE": "after"}})
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == "after"
    # an environment busy during an update finishes its request with what it imported, then ends
    assert json.loads(lam.invoke(FunctionName="orders", Payload=b'{"nested": true}')["Payload"].read()) == "after"
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == "during"
    lam.update_function_code(FunctionName="orders", ZipFile=_zip(_READS_AT_IMPORT.replace("return TABLE",
                                                                                           "return TABLE + '!'")))
    assert json.loads(lam.invoke(FunctionName="orders")["Payload"].read()) == "during!"
    attempts = [a for a in sim.ledger.attempts if a.function == "orders"]
    assert [a.cold for a in attempts] == [True, True, False, True, True]
    assert len({a.env_id for a in attempts}) == 4


def test_update_configuration_through_the_python_api_also_starts_new_environments(sim):
    fn = sim.function("app.handler", name="reader", code_dir=str(SAM / "orders"),
                      layers=[str(SAM / "layers" / "shared")], environment={"ORDERS_TABLE": "one"})
    assert fn.invoke({}).payload["table"] == "one"
    fn.update_configuration(environment={"ORDERS_TABLE": "two"})
    assert fn.invoke({}).payload["table"] == "two"
    assert [a.cold for a in sim.ledger.attempts] == [True, True]


def test_last_processing_result_follows_the_last_invocation_of_a_stream_mapping(sim, lam):
    def reader(event, context):
        if any(r["kinesis"]["partitionKey"] == "bad" for r in event["Records"]):
            raise RuntimeError("poison")

    sim.function(reader, name="reader")
    stream = sim.kinesis_stream("clicks")
    uuid = lam.create_event_source_mapping(EventSourceArn=stream.arn, FunctionName="reader",
                                           StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0)["UUID"]
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "No records processed"
    stream.put_record(b"x", partition_key="bad")
    sim.run()
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "PROBLEM: Function call failed"
    stream.put_record(b"y", partition_key="good")
    sim.run()
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"
    listed = lam.list_event_source_mappings(FunctionName="reader")["EventSourceMappings"]
    assert [m["LastProcessingResult"] for m in listed] == ["OK"]


def test_update_event_source_mapping_destination_applies_to_later_failures(sim, lam):
    sim.function(lambda e, c: 1 / 0, name="reader")
    stream = sim.kinesis_stream("clicks")
    first, second = sim.sqs_queue("first"), sim.sqs_queue("second")
    uuid = lam.create_event_source_mapping(
        EventSourceArn=stream.arn, FunctionName="reader", StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": first.arn}})["UUID"]
    stream.put_record(b"a", partition_key="k")
    sim.run()
    updated = lam.update_event_source_mapping(UUID=uuid, DestinationConfig={"OnFailure": {"Destination": second.arn}})
    assert updated["DestinationConfig"] == {"OnFailure": {"Destination": second.arn}}
    stream.put_record(b"b", partition_key="k")
    sim.run()
    assert (first.approximate_number_of_messages, second.approximate_number_of_messages) == (1, 1)
    cleared = lam.update_event_source_mapping(UUID=uuid, DestinationConfig={"OnFailure": {}})
    assert cleared["DestinationConfig"] == {"OnFailure": {}}
    stream.put_record(b"c", partition_key="k")
    sim.run()
    assert (first.approximate_number_of_messages, second.approximate_number_of_messages) == (1, 1)
    code, message = _aws_error(lambda: lam.update_event_source_mapping(
        UUID=uuid, DestinationConfig={"OnFailure": {"Destination": "arn:nothing"}}))
    assert code == "InvalidParameterValueException" and "arn:nothing" in message


def test_update_event_source_mapping_destination_on_an_sqs_mapping_is_refused(sim, lam):
    sim.function(lambda e, c: None, name="reader")
    queue, dlq = sim.sqs_queue("orders"), sim.sqs_queue("dlq")
    uuid = lam.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName="reader")["UUID"]
    assert _aws_error(lambda: lam.update_event_source_mapping(
        UUID=uuid, DestinationConfig={"OnFailure": {"Destination": dlq.arn}})) == (
        "InvalidParameterValueException",
        "Unsupported DestinationConfig parameter for given event source mapping type.")


# ---- pagination ----------------------------------------------------------------------------------
def _pages(call, key, **kw):
    pages, marker = [], None
    while True:
        out = call(**kw, **({"Marker": marker} if marker else {}))
        pages.append([item for item in out[key]])
        marker = out.get("NextMarker")
        if marker is None:
            return pages


def test_list_functions_pages_with_marker_and_max_items_and_at_most_50_per_response(sim, lam):
    for i in range(53):
        sim.function(lambda e, c: None, name=f"f{i:02d}")
    first = lam.list_functions()
    assert len(first["Functions"]) == 50 and "NextMarker" in first
    rest = lam.list_functions(Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in rest["Functions"]] == ["f50", "f51", "f52"] and "NextMarker" not in rest
    assert len(lam.list_functions(MaxItems=10_000)["Functions"]) == 50
    pages = _pages(lam.list_functions, "Functions", MaxItems=20)
    assert [len(p) for p in pages] == [20, 20, 13]
    assert [f["FunctionName"] for p in pages for f in p] == [f"f{i:02d}" for i in range(53)]
    assert _aws_error(lambda: lam.list_functions(MaxItems=10_001)) == (
        "ValidationException", "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy "
        "constraint: Member must have value less than or equal to 10000")
    code, message = _aws_error(lambda: lam.list_functions(Marker="not-a-marker"))
    assert code == "InvalidParameterValueException" and "Marker='not-a-marker'" in message


def test_the_other_lists_page_too(sim, lam):
    _create(lam)
    fn = sim.service.get("orders")
    for _ in range(3):
        lam.publish_version(FunctionName="orders")
    for name in ("a", "b", "c"):
        lam.create_alias(FunctionName="orders", Name=name, FunctionVersion="1")
        fn.put_event_invoke_config(None if name == "a" else name, maximum_retry_attempts=1)
    queues = [sim.sqs_queue(f"q{i}") for i in range(3)]
    for queue in queues:
        lam.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName="orders")
    versions = _pages(lam.list_versions_by_function, "Versions", FunctionName="orders", MaxItems=3)
    assert [[v["Version"] for v in p] for p in versions] == [["$LATEST", "1", "2"], ["3"]]
    aliases = _pages(lam.list_aliases, "Aliases", FunctionName="orders", MaxItems=2)
    assert [[a["Name"] for a in p] for p in aliases] == [["a", "b"], ["c"]]
    assert lam.list_aliases(FunctionName="orders", FunctionVersion="2")["Aliases"] == []
    configs = _pages(lam.list_function_event_invoke_configs, "FunctionEventInvokeConfigs", FunctionName="orders",
                     MaxItems=1)
    assert [[c["FunctionArn"].rsplit(":", 1)[-1] for c in p] for p in configs] == [["$LATEST"], ["b"], ["c"]]
    mappings = _pages(lam.list_event_source_mappings, "EventSourceMappings", FunctionName="orders", MaxItems=2)
    assert [[m["EventSourceArn"] for m in p] for p in mappings] == [[queues[0].arn, queues[1].arn], [queues[2].arn]]
    assert _aws_error(lambda: lam.list_function_event_invoke_configs(FunctionName="orders", MaxItems=51)) == (
        "ValidationException", "1 validation error detected: Value '51' at 'maxItems' failed to satisfy "
        "constraint: Member must have value less than or equal to 50")


def test_list_event_source_mappings_returns_at_most_100_per_response(sim, lam):
    _create(lam)
    queue = sim.sqs_queue("q")
    for _ in range(101):
        lam.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName="orders", Enabled=False)
    first = lam.list_event_source_mappings(MaxItems=500)
    assert len(first["EventSourceMappings"]) == 100
    assert len(lam.list_event_source_mappings(Marker=first["NextMarker"])["EventSourceMappings"]) == 1


def test_docs_list_every_lambda_call_the_simulation_answers():
    from lambdachaos.service.bridge._lambda_api_esm import OPERATIONS
    from lambdachaos.service.bridge._push import RECURSION_OPERATIONS

    docs = Path(__file__).parent.parent.parent / "docs"
    service = (docs / "service.md").read_text()
    answered = {"Invoke", *OPERATIONS, *RECURSION_OPERATIONS}
    assert [op for op in sorted(answered) if f"`{op}`" not in service] == []
