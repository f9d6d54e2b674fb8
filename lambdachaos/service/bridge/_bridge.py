"""The boto3 bridge: botocore calls that address a sim resource reach the sim; every other call goes
to moto's in-process mock, started lazily.

While a :class:`Bridge` is active, ``botocore.client.BaseClient._make_api_call`` is replaced by a
dispatcher, so clients created before the bridge are caught too. A call on a sim queue, topic, bus or
function is answered by the sim, then runs the original method with a ``before-send`` hook that hands
botocore the sim's answer on the wire (:mod:`lambdachaos.service.bridge._wire`): botocore parses it,
raises AWS's ``ClientError`` shapes and retries as it would against AWS. Any other call is handed to
the original method with moto's stubber attached, so nothing ever reaches real AWS. Fake credentials
and the sim's region are set in the environment while the bridge is active. Bridges nest: the
innermost backend that knows a resource answers for it.

Example::

    with Bridge(sim) as bridge:
        boto3.client("sqs").send_message(QueueUrl=queue.url, MessageBody="hi")   # the sim queue
        boto3.client("dynamodb").list_tables()                                  # moto, started now
    assert bridge.moto_started
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Protocol, final

from lambdachaos._world import World
from lambdachaos.resources import _sqs_api as sqs_api
from lambdachaos.resources._errors import AWSError
from lambdachaos.service.bridge import _answers as answers
from lambdachaos.service.bridge import _dynamodb as bridge_ddb
from lambdachaos.service.bridge import _environment as environment
from lambdachaos.service.bridge import _kafka_api as bridge_kafka
from lambdachaos.service.bridge import _lambda_api_esm as lambda_api_esm
from lambdachaos.service.bridge import _push as bridge_push
from lambdachaos.service.bridge import _routes as routes
from lambdachaos.service.bridge import _wire as wire
from lambdachaos.service.invoke import _guard
from lambdachaos.service.invoke._destinations import set_s3_mirror

if TYPE_CHECKING:
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._events import EventBus
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._sns import Subscription, Topic
    from lambdachaos.resources._sqs import Queue

__all__ = ["Bridge", "BridgeBackend", "moto_active"]

moto_active = answers.moto_active

FAKE_CREDENTIALS: Final = environment.FAKE_CREDENTIALS


class BridgeBackend(Protocol):
    """What the bridge needs from the simulated service: its world and lookups of its resources."""

    @property
    def world(self) -> World:
        """The simulation's world (region, account, clock, seeded ids for request ids)."""
        ...

    def find_queue(self, url_or_name_or_arn: str) -> Queue | None:
        """The sim queue with this URL, name or ARN, or None when the sim has none."""
        ...

    def find_topic(self, arn: str) -> Topic | None:
        """The sim topic with this ARN, or None."""
        ...

    def find_bus(self, name_or_arn: str) -> EventBus | None:
        """The sim event bus with this name or ARN (``default`` included), or None."""
        ...

    def invoke_function(
        self,
        *,
        function_name: str,
        qualifier: str | None,
        invocation_type: str,
        payload: bytes,
        client_context: str | None,
        log_type: str | None,
    ) -> dict[str, Any] | None:
        """Run ``Invoke`` on a sim function; None when it is not a sim function (the call goes to moto).

        Return the parsed response (``StatusCode``, ``ExecutedVersion``, ``Payload`` as bytes,
        ``FunctionError``, ``LogResult``); raise an :class:`AWSError` or a botocore ``ClientError``
        (for example 429 ``TooManyRequestsException``) to fail the call.
        """
        ...

    # The hooks below are optional: the bridge looks them up with getattr, and a backend without one
    # owns no resource of that kind.
    def find_stream(self, name_or_arn: str) -> KinesisStream | None:
        """The sim Kinesis stream with this name or ARN, or None."""
        ...

    def find_table(self, name_or_arn: str) -> DynamoDBTable | None:
        """The sim DynamoDB table (with its stream) with this name or ARN, or None."""
        ...

    def find_bucket(self, name: str) -> Any | None:
        """The sim S3 bucket with this name (its ``notify(event_name, key, size=, etag=, version_id=)``
        is called after a write that reached moto), or None."""
        ...

    def subscribe_function(self, topic: Topic, function_arn: str) -> Subscription:
        """Subscribe a sim function to a sim topic (SNS ``Subscribe`` with protocol ``lambda``)."""
        ...

    def recursion_config(self, function_name: str, recursive_loop: str | None) -> str | None:
        """Set (when ``recursive_loop`` is given) and return a sim function's ``RecursiveLoop``; None
        when the function is not a sim function."""
        ...


# --- process-wide patch state ----------------------------------------------------------------------
_STATE_LOCK: Final = threading.RLock()
_MOTO_LOCK: Final = threading.RLock()
_active: tuple[Bridge, ...] = ()
_original: Callable[..., Any] | None = None
_own_moto: Any = None  # the mock_aws instance the bridges started, if any
_base_client_type: Any = None  # botocore.client.BaseClient once a bridge was entered


_PATCHED: Final = "_make_api_call"


OutboundGuard = Callable[[Any, str], None]
_outbound_guard: threading.local = threading.local()


def set_outbound_guard(guard: OutboundGuard | None) -> OutboundGuard | None:
    """Install (per thread) a check run before the sim answers a call itself; returns the previous one.

    The simulated service sets it while a handler runs under a VPC egress fault: a call that the
    function's network could not make must fail even when the addressed resource is simulated.
    """
    previous: OutboundGuard | None = getattr(_outbound_guard, "guard", None)
    _outbound_guard.guard = guard
    return previous


def _dispatch(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    """The replacement of ``BaseClient._make_api_call`` while a bridge is active."""
    paused = _guard.pause()  # from a handler: no guard signal lands in the sim's or moto's code
    try:
        return _route(client, operation_name, api_params)
    finally:
        _guard.resume(paused)


def _route(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    bridges = _active
    service = client.meta.service_model.service_name
    if bridges and service in _WRITE_HOOKS and operation_name in _WRITE_HOOKS[service]:
        # moto stores the write; the sim streams it (DynamoDB) or sends its notifications (S3).
        def send(target: Any, op: str, params: dict[str, Any]) -> Any:
            return _passthrough(bridges[-1], target, op, params)

        hook = routes.dynamodb_write if service == "dynamodb" else routes.s3_write
        written = hook(bridges, client, operation_name, api_params, send)
        if written is not routes.PASS:
            return written
    if not bridges or service not in _SERVICES:
        return _passthrough(bridges[-1] if bridges else None, client, operation_name, api_params)
    guard = getattr(_outbound_guard, "guard", None)
    if guard is not None:
        guard(client, operation_name)
    if client.meta.config.parameter_validation and operation_name in _VALIDATED:
        from botocore.validate import validate_parameters

        model = client.meta.service_model.operation_model(operation_name)
        validate_parameters(api_params, model.input_shape)

    def answer() -> tuple[Bridge, Any] | object:
        if service == "sqs":
            return answers.sqs(bridges, operation_name, api_params)
        if service == "sns":
            return answers.sns(bridges, operation_name, api_params)
        if service == "events":
            return answers.events(bridges, client, operation_name, api_params, _passthrough)
        if service == "kinesis":
            routed = routes.kinesis_call(bridges, operation_name, api_params, answers.missing)
            return answers.PASS if routed is routes.PASS else routed
        if service == "scheduler":
            routed = routes.scheduler_call(bridges, operation_name, api_params)
            return answers.PASS if routed is routes.PASS else routed
        if service in ("kafka", "mq"):
            return bridge_kafka.route(bridges, service, operation_name, api_params) or answers.PASS
        return answers.lambda_(bridges, operation_name, api_params)

    try:
        outcome: Any = answer()
    except AWSError as error:
        outcome = error
    if outcome is answers.PASS:
        return _passthrough(bridges[-1], client, operation_name, api_params)
    from botocore.client import BaseClient

    original = _original or BaseClient.__dict__[_PATCHED]
    first = outcome[0] if isinstance(outcome, tuple) else bridges[-1]
    return wire.call_through_botocore(original, client, operation_name, api_params, first, outcome, answer)


_SERVICES: Final = frozenset({"sqs", "sns", "events", "lambda", *routes.ROUTED_SERVICES})
_VALIDATED: Final = frozenset(
    {*sqs_api.OPERATIONS, "Publish", "PublishBatch", "PutEvents", "Invoke", *routes.VALIDATED,
     *lambda_api_esm.OPERATIONS}
)
_WRITE_HOOKS: Final = {"dynamodb": bridge_ddb.WRITE_OPERATIONS, "s3": bridge_push.S3_BUCKET_OPERATIONS}


def _passthrough(bridge: Bridge | None, client: Any, operation_name: str, params: dict[str, Any]) -> Any:
    global _own_moto
    original = _original
    if original is None:  # the last bridge exited while this call was on its way
        from botocore.client import BaseClient

        return getattr(BaseClient, _PATCHED)(client, operation_name, params)
    with _MOTO_LOCK:  # moto's state is process-global and not thread-safe (DESIGN.md)
        if not moto_active():
            from moto import mock_aws

            _own_moto = mock_aws()
            _own_moto.start()
            if bridge is not None:
                bridge._moto_started = True
        from moto.core.models import botocore_stubber

        # Exactly one stubber per client: clients created after moto was imported already carry
        # moto's own registration, and a second one makes S3 bodies arrive empty.
        events = client.meta.events
        events.unregister("before-send", botocore_stubber, unique_id="lambdachaos-moto-stubber")
        events.unregister("before-send", botocore_stubber)
        events.register("before-send", botocore_stubber, unique_id="lambdachaos-moto-stubber")
        if client.meta.service_model.service_name == "dynamodbstreams":
            client.meta.events.register_first(
                "before-send", _streams_standard_endpoint, unique_id="lambdachaos-ddb-streams-endpoint"
            )
        if bridge is not None:
            bridge._passthrough_calls += 1
        return original(client, operation_name, params)


_STREAMS_ACCOUNT_ENDPOINT: Final = re.compile(r"^https://\d{12}\.streams-ddb\.([a-z0-9-]+)\.amazonaws\.com")


def _streams_standard_endpoint(request: Any, **_: Any) -> None:
    """DynamoDB Streams calls with a stream ARN go to an account-id endpoint moto does not route
    (DESIGN.md, botocore 1.44); point them at the regional endpoint while moto answers."""
    if _active or moto_active():
        request.url = _STREAMS_ACCOUNT_ENDPOINT.sub(r"https://streams.dynamodb.\1.amazonaws.com", request.url)


def store_in_moto(bucket: str, key: str, data: bytes, region: str) -> bool:
    """Write the object to moto as well, creating moto's bucket on first use; False when moto is not running.

    Goes through the boto3 bridge's passthrough (not its S3 write hook), so the sim bucket's notifications,
    already sent by ``put_object``, do not fire twice. Without an active bridge or moto nothing is written:
    a plain boto3 call could reach real AWS.
    """
    bridges = _active
    if not bridges and not moto_active():
        return False
    import boto3

    client = boto3.client("s3", region_name=region)

    def call(operation: str, params: dict[str, Any]) -> Any:
        if bridges:
            return _passthrough(bridges[-1], client, operation, params)
        return getattr(client, "_make_api_call")(operation, params)  # noqa: B009 - private on the stubs

    def put() -> Any:  # botocore turns Body into a stream it reads, so each attempt gets fresh parameters
        return call("PutObject", {"Bucket": bucket, "Key": key, "Body": data, "ContentType": "application/json"})

    try:
        put()
    except Exception as exc:  # moto has not seen this sim bucket yet: create it, as the bridge does
        if getattr(exc, "response", {}).get("Error", {}).get("Code") != "NoSuchBucket":
            raise
        create: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        call("CreateBucket", create)
        put()
    return True


set_s3_mirror(store_in_moto)  # S3 destination objects reach moto too (the invocation core cannot import this)


def _base_client() -> Any:
    global _base_client_type
    if _base_client_type is None:  # imported once: an import statement costs a lookup on every bridge
        from botocore.client import BaseClient

        _base_client_type = BaseClient
    return _base_client_type


def _install(bridge: Bridge) -> None:
    global _active, _original
    client_type = _base_client()
    with _STATE_LOCK:  # the environment and the stack of bridges change together
        bridge._env_saved = environment.put(bridge.world.region)
        if not _active:
            _original = client_type.__dict__[_PATCHED]
            setattr(client_type, _PATCHED, _dispatch)
            wire.install()
        _active = (*_active, bridge)


def _uninstall(bridge: Bridge) -> None:
    global _active, _original, _own_moto
    with _STATE_LOCK:
        saved, bridge._env_saved = bridge._env_saved, None
        index = _active.index(bridge) if bridge in _active else -1
        if 0 <= index < len(_active) - 1:  # a bridge entered later (another thread's) is still active: the
            _active[index + 1]._env_saved = saved  # environment stays its own until it exits, then comes back
        elif saved is not None:
            environment.restore(saved)
        _active = tuple(b for b in _active if b is not bridge)
        if _active:
            return
        client_type = _base_client()
        if client_type.__dict__.get(_PATCHED) is _dispatch:
            setattr(client_type, _PATCHED, _original)
        wire.uninstall()
        _original = None
        if _own_moto is not None:
            with _MOTO_LOCK:
                _own_moto.stop()
                _own_moto = None


@final
class Bridge:
    """Route boto3 calls on sim resources to the sim while active (a context manager).

    Handled in the sim: SQS ``SendMessage(Batch)``, ``ReceiveMessage``, ``DeleteMessage(Batch)``,
    ``ChangeMessageVisibility(Batch)``, ``GetQueueUrl``, ``GetQueueAttributes``, ``PurgeQueue``; SNS
    ``Publish(Batch)``, ``Subscribe``, ``Unsubscribe``, ``ListSubscriptionsByTopic``; EventBridge
    ``PutEvents``; Lambda ``Invoke`` and ``Put/GetFunctionRecursionConfig`` (delegated to the backend);
    Kinesis ``PutRecord(s)``, ``GetShardIterator``, ``GetRecords``, ``DescribeStream(Summary)``,
    ``ListShards``. DynamoDB writes on a sim table and S3 writes on a sim bucket go to moto and are then
    mirrored into the table's stream or the bucket's notifications. A name
    the sim does not know goes to moto when moto runs; otherwise it fails as AWS would (for example
    ``AWS.SimpleQueueService.NonExistentQueue``) without starting moto. Every other call goes to moto.
    """

    __slots__ = ("_env_saved", "_moto_started", "_passthrough_calls", "context", "world")

    def __init__(self, backend: BridgeBackend) -> None:
        self.context: BridgeBackend = backend
        """The backend answering for sim resources."""
        world = getattr(backend, "world", None)
        self.world: World = world if world is not None else World()
        """The backend's world (a default us-east-1 world, seed 0, if the backend has none)."""
        self._env_saved: environment.Saved | None = None
        self._moto_started = False
        self._passthrough_calls = 0

    @property
    def moto_started(self) -> bool:
        """True when this bridge had to start moto (a call addressed something outside the sim)."""
        return self._moto_started

    @property
    def passthrough_calls(self) -> int:
        """How many calls this bridge handed to moto."""
        return self._passthrough_calls

    @property
    def active(self) -> bool:
        """True between ``__enter__`` and ``__exit__``."""
        return self in _active

    def __enter__(self) -> Bridge:
        if self._env_saved is not None:
            raise RuntimeError("this Bridge is already active; create a new Bridge to nest one")
        _install(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _uninstall(self)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return (
            f"<Bridge {state} moto_started={self._moto_started} passthrough_calls={self._passthrough_calls}>"
        )
