"""The LocalStack target's clients and its executor install, without a LocalStack: where requests would go."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest

import lambdachaos
from lambdachaos.targets import _ls_install
from lambdachaos.targets._ls_connection import Connection

ENDPOINT = "http://127.0.0.1:45123"


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "USE_SSL", "LOCALSTACK_HOST", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_clients_are_built_through_localstack_client_on_the_connections_loopback_port(clean_env):
    session_module = pytest.importorskip("localstack_client.session")
    made: list[str] = []
    real = session_module.Session

    class Recording(real):  # type: ignore[misc, valid-type]
        def client(self, service_name, **kwargs):
            made.append(service_name)
            return super().client(service_name, **kwargs)

    clean_env.setattr(session_module, "Session", Recording)
    conn = Connection(endpoint_url=ENDPOINT, region="eu-west-1")
    for service in ("sqs", "kinesis", "lambda", "logs"):
        client = conn.client(service)
        assert (client.meta.endpoint_url, client.meta.region_name) == (ENDPOINT, "eu-west-1")
        assert client.meta.config.retries["total_max_attempts"] == 3  # max_attempts=2 retries after the first
        assert client.meta.config.read_timeout == 70
    assert made == ["sqs", "kinesis", "lambda", "logs"]
    assert conn.session().get_credentials().access_key == "test"


def test_an_endpoint_in_the_environment_never_sends_requests_elsewhere(clean_env):
    pytest.importorskip("localstack_client.session")
    clean_env.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # localstack-client would prefer this one
    clean_env.setenv("AWS_ACCESS_KEY_ID", "test")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "test")
    assert Connection(endpoint_url=ENDPOINT).client("sqs").meta.endpoint_url == ENDPOINT
    clean_env.delenv("AWS_ENDPOINT_URL")
    clean_env.setenv("USE_SSL", "1")  # localstack-client would switch to https
    assert Connection(endpoint_url=ENDPOINT).client("sqs").meta.endpoint_url == ENDPOINT


def test_without_localstack_client_boto3_builds_the_same_client(clean_env):
    clean_env.setitem(sys.modules, "localstack_client.session", None)
    conn = Connection(endpoint_url=ENDPOINT)
    assert conn.session() is None
    client = conn.client("lambda")
    assert (client.meta.endpoint_url, client.meta.region_name) == (ENDPOINT, "us-east-1")


def _entry_points(site):
    found = {}
    for dist in importlib.metadata.distributions(path=[str(site)]):
        for ep in dist.entry_points:
            found[(ep.group, ep.name)] = (ep.value, dist.version)
    return found


def test_the_executor_entry_point_is_declared_in_localstacks_environment_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDACHAOS_LOCALSTACK_HOME", str(tmp_path / "home"))
    site = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    stale = site / "lambdachaos_localstack_executor-0.0.1.dist-info"
    stale.mkdir(parents=True)
    (stale / "METADATA").write_text("Metadata-Version: 2.1\nName: lambdachaos-localstack-executor\nVersion: 0.0.1\n")
    _ls_install.install_executor(tmp_path / "venv")
    assert _entry_points(site) == {
        ("localstack.lambda.runtime_executor", "lambdachaos"): (
            "lambdachaos.targets._ls_executor:ProcessRuntimeExecutor", lambdachaos.__version__)}
    assert not stale.exists()
    assert sorted(p.name for p in (site / "lambdachaos" / "targets").iterdir()) == [
        "__init__.py", "_ls_bootstrap.py", "_ls_executor.py"]
    ours = importlib.metadata.distribution("lambdachaos")
    assert [ep for ep in ours.entry_points if ep.group == "localstack.lambda.runtime_executor"] == []
