"""Lambda layers through boto3: publish, get, list and delete layer versions, and functions importing
from the layers they name (``/opt/python`` semantics)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim

ROLE = "arn:aws:iam::123456789012:role/service"
SAM = Path(__file__).parent.parent / "service" / "sam_project"
LOCAL = "lambdachaos-local"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def sim():
    with Sim(seed=5) as s:
        yield s


@pytest.fixture
def lam():
    return boto3.client("lambda", region_name="us-east-1")


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _payments(lam, layers):
    return lam.create_function(FunctionName="payments", Runtime="python3.12", Role=ROLE,
                               Handler="app.lambda_handler", Layers=layers,
                               Code={"S3Bucket": LOCAL, "S3Key": str(SAM / "payments")},
                               Environment={"Variables": {"PAYMENTS_QUEUE": "q"}})


def test_publish_a_layer_from_a_local_folder_and_a_function_imports_from_it(sim, lam):
    published = lam.publish_layer_version(LayerName="shared", Description="helpers",
                                          Content={"S3Bucket": LOCAL, "S3Key": str(SAM / "layers" / "shared")},
                                          CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (published["LayerArn"], published["LayerVersionArn"], published["Version"]) == (
        "arn:aws:lambda:us-east-1:123456789012:layer:shared", "arn:aws:lambda:us-east-1:123456789012:layer:shared:1", 1)
    assert (published["Description"], published["CompatibleRuntimes"], published["CompatibleArchitectures"]) == (
        "helpers", ["python3.12"], ["x86_64"])
    assert set(published["Content"]) == {"Location", "CodeSha256", "CodeSize"}
    created = _payments(lam, [published["LayerVersionArn"]])
    assert created["Layers"] == [{"Arn": published["LayerVersionArn"], "CodeSize": published["Content"]["CodeSize"]}]
    out = json.loads(lam.invoke(FunctionName="payments", Payload=json.dumps({"items": [{"price": 2, "qty": 3}]}))
                     ["Payload"].read())
    assert (out["code"], out["layer"]) == ("payments", "shared layer loaded for payments")
    got = lam.get_function_configuration(FunctionName="payments")
    assert got["Layers"] == created["Layers"]


def test_a_zipped_layer_a_second_version_and_update_function_configuration_layers(sim, lam):
    v1 = lam.publish_layer_version(LayerName="tag", Content={"ZipFile": _zip(
        {"python/shared_lib.py": "def layer_tag():\n    return 'v1'\n"})})["LayerVersionArn"]
    v2 = lam.publish_layer_version(LayerName="tag", Content={"ZipFile": _zip(
        {"python/shared_lib.py": "def layer_tag():\n    return 'v2'\n"})})["LayerVersionArn"]
    assert (v1.rsplit(":", 1)[-1], v2.rsplit(":", 1)[-1]) == ("1", "2")
    _payments(lam, [v1])

    def tag() -> str:
        return json.loads(lam.invoke(FunctionName="payments", Payload=b'{"items": []}')["Payload"].read())["layer"]

    assert tag() == "v1"
    updated = lam.update_function_configuration(FunctionName="payments", Layers=[v2])
    assert [layer["Arn"] for layer in updated["Layers"]] == [v2]
    assert tag() == "v2"
    cleared = lam.update_function_configuration(FunctionName="payments", Layers=[])
    assert "Layers" not in cleared
    body = json.loads(lam.invoke(FunctionName="payments", Payload=b'{"items": []}')["Payload"].read())
    assert body["errorType"] == "Runtime.ImportModuleError" and "shared_lib" in body["errorMessage"]


def test_get_list_and_delete_layer_versions(sim, lam):
    for runtime in ("python3.11", "python3.12", "python3.12"):
        lam.publish_layer_version(LayerName="alpha", CompatibleRuntimes=[runtime],
                                  Content={"ZipFile": _zip({"python/a.py": ""})})
    lam.publish_layer_version(LayerName="beta", Content={"ZipFile": _zip({"python/b.py": ""})})
    got = lam.get_layer_version(LayerName="alpha", VersionNumber=2)
    assert (got["Version"], got["CompatibleRuntimes"]) == (2, ["python3.12"])
    assert lam.get_layer_version_by_arn(Arn=got["LayerVersionArn"])["Version"] == 2
    by_arn = lam.get_layer_version(LayerName="arn:aws:lambda:us-east-1:123456789012:layer:alpha", VersionNumber=1)
    assert by_arn["Version"] == 1
    versions = lam.list_layer_versions(LayerName="alpha")["LayerVersions"]
    assert [v["Version"] for v in versions] == [3, 2, 1]
    assert "Content" not in versions[0]
    first = lam.list_layer_versions(LayerName="alpha", MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [3, 2]
    rest = lam.list_layer_versions(LayerName="alpha", MaxItems=2, Marker=first["NextMarker"])
    assert [v["Version"] for v in rest["LayerVersions"]] == [1] and "NextMarker" not in rest
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="alpha", CompatibleRuntime="python3.11")
            ["LayerVersions"]] == [1]
    layers = lam.list_layers()["Layers"]
    assert [(layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in layers] == [
        ("alpha", 3), ("beta", 1)]
    assert [layer["LayerName"] for layer in lam.list_layers(CompatibleRuntime="python3.11")["Layers"]] == ["alpha"]
    page = lam.list_layers(MaxItems=1)
    assert [layer["LayerName"] for layer in page["Layers"]] == ["alpha"]
    assert [layer["LayerName"] for layer in lam.list_layers(Marker=page["NextMarker"])["Layers"]] == ["beta"]
    assert lam.delete_layer_version(LayerName="alpha", VersionNumber=3)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.delete_layer_version(LayerName="alpha", VersionNumber=3)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(lambda: lam.get_layer_version(LayerName="alpha", VersionNumber=3)) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")
    # deleted numbers are not reused
    assert lam.publish_layer_version(LayerName="alpha", Content={"ZipFile": _zip({"python/a.py": ""})})["Version"] == 4
    assert _error(lambda: lam.list_layers(MaxItems=51))[0] == "ValidationException"


def test_an_unknown_or_deleted_layer_version_is_refused_with_awss_message(sim, lam):
    missing = "arn:aws:lambda:us-east-1:123456789012:layer:nothing:1"
    assert _error(lambda: _payments(lam, [missing])) == (
        "InvalidParameterValueException", f"Layer version {missing} does not exist.")
    arn = lam.publish_layer_version(LayerName="gone", Content={"ZipFile": _zip({"python/g.py": ""})})[
        "LayerVersionArn"]
    lam.delete_layer_version(LayerName="gone", VersionNumber=1)
    assert _error(lambda: _payments(lam, [arn])) == (
        "InvalidParameterValueException", f"Layer version {arn} does not exist.")
    assert "payments" not in sim.service.functions


def test_a_layer_without_a_python_folder_is_refused_when_a_function_uses_it(sim, lam):
    arn = lam.publish_layer_version(LayerName="flat", Content={"ZipFile": _zip({"lib.py": ""})})["LayerVersionArn"]
    code, message = _error(lambda: _payments(lam, [arn]))
    assert code == "InvalidParameterValueException" and "has no python/ folder" in message
