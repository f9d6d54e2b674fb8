from __future__ import annotations

import builtins
import io
import socket
import types

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError

from lambdachaos import faults as F
from lambdachaos.faults import FaultPlan, InvocationPoint, Target, injected

from .conftest import echo

ORIGINALS = {
    "getaddrinfo": socket.getaddrinfo,
    "gethostbyname": socket.gethostbyname,
    "open": builtins.open,
    "io.open": io.open,
}


def assert_nothing_patched():
    assert socket.getaddrinfo is ORIGINALS["getaddrinfo"]
    assert socket.gethostbyname is ORIGINALS["gethostbyname"]
    assert "connect" not in vars(socket.socket) and "connect_ex" not in vars(socket.socket)
    assert builtins.open is ORIGINALS["open"] and io.open is ORIGINALS["io.open"]
    import botocore.endpoint
    from botocore.retries import bucket

    assert vars(botocore.endpoint.Endpoint)["_do_get_response"].__module__ == "botocore.endpoint"
    assert vars(bucket.TokenBucket)["_acquire"].__module__ == "botocore.retries.bucket"
    assert (
        "current_time" in vars(bucket.Clock)
        and vars(bucket.Clock)["current_time"].__module__ == "botocore.retries.bucket"
    )


def decided(*faults, target=None):
    plan = FaultPlan.of(*faults, target=target)
    return plan.runner().decide(InvocationPoint(function_name="fn", attempt=1, time=0.0), lambda k: 0.0)


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("connection-refused", ConnectionRefusedError),
        ("connection-reset", ConnectionResetError),
        ("blackhole", TimeoutError),
        ("dns-failure", ConnectionRefusedError),  # a literal address has nothing to resolve: refused
    ],
)
def test_egress_loss_blocks_one_loopback_server_and_keeps_the_other(mode, error, echo_servers, clock):
    allowed, blocked = echo_servers
    faults = decided(F.EgressLoss(mode=mode, blocked_hosts=(f"127.0.0.1:{blocked}",)))
    with injected(faults, sleep=clock.sleep, now=clock.now) as log:
        assert echo(allowed) == b"ping"
        with pytest.raises(error):
            socket.create_connection(("127.0.0.1", blocked), timeout=2)
    assert_nothing_patched()
    assert echo(blocked) == b"ping"  # reachable again after the invocation
    assert log.count() == 1 and log.firings[0].rule_id == "egress-loss-1"
    if mode == "blackhole":
        assert clock.sleeps == [2] and "timed out after 2 s" in log.firings[0].effect
    else:
        assert clock.sleeps == []


def test_blackhole_without_socket_timeout_waits_the_linux_syn_limit(echo_servers, clock):
    faults = decided(F.EgressLoss(blocked_hosts=(f"127.0.0.1:{echo_servers[1]}",)))
    with injected(faults, sleep=clock.sleep), socket.socket() as s:
        with pytest.raises(TimeoutError) as info:
            s.connect(("127.0.0.1", echo_servers[1]))
        assert info.value.errno == 110
    assert clock.sleeps == [127.0]


def test_connect_ex_returns_the_errno(echo_servers, clock):
    faults = decided(F.EgressLoss(mode="connection-refused", blocked_hosts=(f"127.0.0.1:{echo_servers[1]}",)))
    with injected(faults, sleep=clock.sleep), socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", echo_servers[1])) == 111


def test_dns_failure_on_public_names_and_synthetic_addresses_elsewhere(clock):
    faults = decided(F.EgressLoss(mode="dns-failure"))
    with injected(faults, sleep=clock.sleep):
        with pytest.raises(socket.gaierror) as info:
            socket.getaddrinfo("api.example.com", 443)
        assert info.value.errno == socket.EAI_NONAME
        with pytest.raises(socket.gaierror):
            socket.create_connection(("api.example.com", 443))
    blackhole = decided(F.EgressLoss(mode="blackhole", connect_timeout_seconds=3))
    with injected(blackhole, sleep=clock.sleep):
        addr = socket.getaddrinfo("api.example.com", 443)[0][4]
        assert addr[0].startswith("198.51.100.")
        with pytest.raises(TimeoutError):
            socket.create_connection(("api.example.com", 443))
    assert clock.sleeps == [3]


def test_nat_gateway_and_vpc_endpoints_keep_destinations_reachable():
    nat = decided(F.EgressLoss(nat_gateway=True)).egress[0]
    assert not nat.blocks("api.example.com", 443)
    vpc = decided(F.EgressLoss(gateway_endpoints=("s3",), interface_endpoints=("sqs",))).egress[0]
    assert not vpc.blocks("my-bucket.s3.eu-west-1.amazonaws.com", 443)
    assert not vpc.blocks("sqs.eu-west-1.amazonaws.com", 443)
    assert vpc.blocks("kms.eu-west-1.amazonaws.com", 443)
    assert vpc.blocks("api.example.com", 443)
    assert not vpc.blocks("10.0.3.4", 5432) and not vpc.blocks("localhost", 80)
    narrowed = decided(F.EgressLoss(), target=Target(outbound_host="*.example.com")).egress[0]
    assert narrowed.blocks("api.example.com", 443) and not narrowed.blocks("kms.eu-west-1.amazonaws.com", 443)


def test_patches_are_restored_when_the_handler_raises(clock):
    faults = decided(F.EgressLoss(), F.DownstreamError(), F.TmpFull())
    with pytest.raises(RuntimeError), injected(faults, sleep=clock.sleep, now=clock.now, random_seed=7):
        raise RuntimeError("handler failed")
    assert_nothing_patched()


def test_tmp_full_raises_enospc_past_the_free_bytes(tmp_path, clock):
    faults = decided(F.TmpFull(free_bytes=4))
    with injected(faults, sleep=clock.sleep, tmp_dir=str(tmp_path)) as log:
        (tmp_path / "ok.txt").write_text("abc")
        with open(tmp_path / "big.bin", "wb") as f, pytest.raises(OSError) as info:
            f.write(b"0123456789")
        assert info.value.errno == 28
        assert (tmp_path / "ok.txt").read_text() == "abc"  # reads are untouched
    assert log.count("tmp-full-1") == 2
    assert_nothing_patched()


# ---- botocore ------------------------------------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch, clock):
    """moto behind botocore, dummy credentials, botocore's backoff sleeps on the fake clock."""
    import botocore.endpoint
    from moto import mock_aws

    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=clock.sleep))
    with mock_aws():
        yield


def client(service: str, mode: str, **config):
    import boto3
    from botocore.config import Config

    return boto3.client(service, region_name="us-east-1", config=Config(retries={"mode": mode}, **config))


@pytest.mark.parametrize(
    ("mode", "attempts", "max_backoff"),
    [("legacy", 5, 1 + 2 + 4 + 8), ("standard", 3, 1 + 2), ("adaptive", 3, 1 + 2 + 10)],
)
def test_throttling_retries_play_out_per_retry_mode(aws, clock, mode, attempts, max_backoff):
    from botocore.exceptions import ClientError

    sqs = client("sqs", mode)
    faults = decided(
        F.DownstreamError(error_code="ThrottlingException"),
        target=Target(outbound_service="sqs", outbound_operation="ListQueues"),
    )
    with (
        injected(faults, sleep=clock.sleep, now=clock.now, random_seed=1) as log,
        pytest.raises(ClientError) as info,
    ):
        sqs.list_queues()
    err = info.value.response
    assert err["Error"]["Code"] == "ThrottlingException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert log.count() == attempts
    assert 0 < sum(clock.sleeps) <= max_backoff
    assert_nothing_patched()


def test_retry_jitter_replays_with_the_same_seed(aws, monkeypatch):
    totals = []
    for _ in range(2):
        from .conftest import FakeClock

        c = FakeClock()
        import botocore.endpoint

        monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=c.sleep))
        sqs = client("sqs", "standard")
        faults = decided(F.DownstreamError(error_code="ServiceUnavailable"))
        with injected(faults, sleep=c.sleep, random_seed=42), pytest.raises(ClientError):
            sqs.list_queues()
        totals.append(c.sleeps)
    assert totals[0] == totals[1] and len(totals[0]) == 2


def test_a_throttle_that_clears_lets_the_call_succeed_without_side_effects(aws, clock):
    sqs = client("sqs", "standard")
    faults = decided(
        F.DownstreamError(error_code="RequestLimitExceeded", failures=2),
        target=Target(outbound_operation="CreateQueue"),
    )
    with injected(faults, sleep=clock.sleep) as log:
        url = sqs.create_queue(QueueName="q1")["QueueUrl"]
    assert url.endswith("/q1") and log.count() == 2 and len(clock.sleeps) == 2
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["q1"]


@pytest.mark.parametrize(
    ("code", "status", "retried"),
    [
        ("AccessDeniedException", 400, False),
        ("InternalServerError", 500, True),
        ("KMSInvalidStateException", 409, False),
    ],
)
def test_non_retryable_and_server_errors(aws, clock, code, status, retried):
    from botocore.exceptions import ClientError

    kms = client("kms", "standard")
    faults = decided(
        F.DownstreamError(error_code=code, error_message="injected"), target=Target(outbound_service="kms")
    )
    with injected(faults, sleep=clock.sleep) as log, pytest.raises(ClientError) as info:
        kms.list_keys()
    assert info.value.response["Error"] == {"Code": code, "Message": "injected"}
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert log.count() == (3 if retried else 1)


def test_rest_xml_errors_parse_for_s3(aws, clock):
    from botocore.exceptions import ClientError

    s3 = client("s3", "standard")
    faults = decided(F.DownstreamError(error_code="AccessDenied", error_message="no"))
    with injected(faults, sleep=clock.sleep), pytest.raises(ClientError) as info:
        s3.list_buckets()
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize(
    ("mode", "exc_name", "slept"),
    [
        ("blackhole", "ConnectTimeoutError", 3 * 60),
        ("connection-refused", "EndpointConnectionError", 0),
        ("dns-failure", "EndpointConnectionError", 0),
        ("connection-reset", "ConnectionClosedError", 0),
    ],
)
def test_egress_loss_raises_what_botocore_raises_after_its_retries(aws, clock, mode, exc_name, slept):
    sqs = client("sqs", "standard")
    faults = decided(F.EgressLoss(mode=mode, interface_endpoints=("dynamodb",)))
    with injected(faults, sleep=clock.sleep, now=clock.now) as log, pytest.raises(Exception) as info:
        sqs.list_queues()
    assert type(info.value).__name__ == exc_name
    assert log.count() == 3  # standard mode: 3 attempts
    connect_waits = [s for s in clock.sleeps if s >= 60]
    assert sum(connect_waits) == slept


def test_vpc_endpoint_keeps_the_service_reachable_through_botocore(aws, clock):
    sqs = client("sqs", "standard")
    faults = decided(F.EgressLoss(interface_endpoints=("sqs",)))
    with injected(faults, sleep=clock.sleep) as log:
        sqs.create_queue(QueueName="reachable")
    assert log.count() == 0 and clock.sleeps == []


def test_blackhole_uses_the_clients_connect_timeout(aws, clock):
    sqs = client("sqs", "legacy", connect_timeout=5)
    faults = decided(F.EgressLoss())
    with injected(faults, sleep=clock.sleep, random_seed=3), pytest.raises(ConnectTimeoutError):
        sqs.list_queues()
    assert [s for s in clock.sleeps if s == 5] == [5] * 5  # legacy: 5 attempts


def test_adaptive_mode_token_bucket_waits_advance_the_virtual_clock_with_the_seeded_sleeps(aws, clock, monkeypatch):
    # The adaptive limiter's waits are sleeps on the invocation's clock, in between the jittered retry
    # backoffs: with seed 1 exactly backoff, token wait, backoff, token wait. Wall time stands still, as it does for
    # a handler under the simulator's virtual time.time, so the limiter's refill is the same every run.
    import time as time_mod

    monkeypatch.setattr(time_mod, "time", lambda: 1_000.0)
    sqs = client("sqs", "adaptive")
    faults = decided(
        F.DownstreamError(error_code="ThrottlingException"),
        target=Target(outbound_service="sqs", outbound_operation="ListQueues"),
    )
    with injected(faults, sleep=clock.sleep, now=clock.now, random_seed=1), pytest.raises(ClientError):
        sqs.list_queues()
    assert [round(s, 3) for s in clock.sleeps] == [0.134, 1.866, 1.695, 0.305]
    assert clock.t == pytest.approx(sum(clock.sleeps))
