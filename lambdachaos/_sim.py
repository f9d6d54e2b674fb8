"""``Sim``: one simulated AWS account and region on a virtual clock, deterministic from a seed.

Example::

    from lambdachaos import Sim

    def handler(event, context):
        raise RuntimeError("payment service down")

    with Sim(seed=7) as sim:
        dlq = sim.sqs_queue("orders-dlq")
        fn = sim.function(handler, name="orders", dead_letter_queue=dlq)
        request_id = fn.invoke_async({"order": 1})
        sim.run()
        assert [a.start for a in sim.ledger.attempts] == [0.0, 60.0, 180.0]
        assert sim.ledger.fate(request_id).status == "dead_lettered"
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack, cast, final

from lambdachaos._clock import Clock
from lambdachaos._errors import ConfigError
from lambdachaos._registry import Registry
from lambdachaos._sim_backend import _Activation, _Backend
from lambdachaos._sim_esm import EsmFactories
from lambdachaos._sim_push import PushFactories
from lambdachaos._sim_resources import ResourceFactories
from lambdachaos._sim_sources import PollSourceFactories
from lambdachaos._world import DEFAULT_ACCOUNT_ID, DEFAULT_EPOCH, DEFAULT_REGION, World
from lambdachaos.ledger._ledger import Ledger
from lambdachaos.service.invoke._async import RETRY_DELAYS_S, AsyncInvoker
from lambdachaos.service.invoke._config import (
    ACCOUNT_CONCURRENCY_DEFAULT,
    ASYNC_PAYLOAD_LIMIT,
    FunctionConfig,
    FunctionSettings,
)
from lambdachaos.service.invoke._function import Function
from lambdachaos.service.invoke._isolation import check_mode
from lambdachaos.service.invoke._logs import tail
from lambdachaos.service.invoke._payloads import encode_result
from lambdachaos.service.invoke._recursion import RECURSION_LIMIT, tracker
from lambdachaos.service.invoke._service import DEFAULT_GUARD_SECONDS, LambdaService
from lambdachaos.templates._mixin import TemplateMixin

if TYPE_CHECKING:
    from lambdachaos._protocols import Handler

_CONFIG_FIELDS = frozenset(FunctionSettings.__annotations__)


_UNSET: Any = object()
_encode = encode_result  # compact JSON without building an encoder per call


@final
class InvokeResult:
    """The response of a synchronous ``Invoke`` (docs/aws-behaviour.md §2.3)."""

    __slots__ = ("_payload", "duration_ms", "executed_version", "function_error", "log_result", "raw_payload",
                 "request_id", "status_code")

    def __init__(
        self, *, status_code: int, raw_payload: bytes, function_error: str | None, executed_version: str,
        request_id: str, duration_ms: float, log_result: str | None = None,
    ) -> None:
        self.status_code = status_code
        """200 for every completed request, also when the function failed."""
        self.raw_payload = raw_payload
        """The response body as Lambda returns it (JSON bytes)."""
        self.function_error = function_error
        """``"Unhandled"`` when the function failed (errors, timeouts, runtime exits), else ``None``."""
        self.executed_version = executed_version
        """The version that ran (``$LATEST``, ``"3"``)."""
        self.request_id = request_id
        """The invocation's request id."""
        self.duration_ms = duration_ms
        """Virtual duration of the invocation in milliseconds."""
        self.log_result = log_result
        """With ``log_type="Tail"``: ``LogResult``, the base64 of the last 4 KB of the invocation's log."""
        self._payload = _UNSET

    @property
    def payload(self) -> Any:
        """The function's result (or error object), parsed from JSON."""
        if self._payload is _UNSET:
            self._payload = json.loads(self.raw_payload) if self.raw_payload else None
        return self._payload

    def __repr__(self) -> str:
        return (
            f"<InvokeResult {self.status_code} {self.function_error or 'ok'} version={self.executed_version} "
            f"{self.duration_ms:.1f}ms>"
        )


@final
class Sim(ResourceFactories, EsmFactories, PushFactories, PollSourceFactories, TemplateMixin):
    """One simulated account and region: clock, resources, functions, ledger and seeded randomness."""

    def __init__(
        self,
        *,
        seed: int = 0,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        epoch: datetime = DEFAULT_EPOCH,
        account_concurrency: int = ACCOUNT_CONCURRENCY_DEFAULT,
        async_payload_limit: int = ASYNC_PAYLOAD_LIMIT,
        async_retry_delays: tuple[int, int] = RETRY_DELAYS_S,
        guard_seconds: float = DEFAULT_GUARD_SECONDS,
        recursion_limit: int = RECURSION_LIMIT,
        isolation: str = "in-process",
        ledger: str = "full",
        ledger_path: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ConfigError(f"seed={seed!r} must be an integer")
        if isinstance(guard_seconds, bool) or not isinstance(guard_seconds, (int, float)) or not (
                0 < guard_seconds < float("inf")):
            raise ConfigError(f"guard_seconds={guard_seconds!r} must be a finite number of real seconds greater "
                              f"than 0 (default {DEFAULT_GUARD_SECONDS})")
        self.seed = seed
        self.world = World(seed=seed, region=region, account_id=account_id, epoch=epoch, clock=Clock())
        self.ledger = Ledger(seed, mode=ledger, path=None if ledger_path is None else os.fspath(ledger_path))
        """The ledger: ``ledger="full"`` keeps every entry; ``"stream"`` writes them to ``ledger_path`` as JSON
        Lines while the run goes; ``"summary"`` keeps counts and the pending and failed records (docs/scale.md)."""
        self.world.keep_history = ledger == "full"
        self.registry = Registry()
        """Every resource of the simulation by kind and name, and by ARN."""
        self.service = LambdaService(
            self.world, self.ledger, account_concurrency=account_concurrency, guard_seconds=guard_seconds,
            async_payload_limit=async_payload_limit, resolve=self.find_resource,
        )
        self.async_invoker = AsyncInvoker(self.service, retry_delays=async_retry_delays)
        self.service.isolation = check_mode(isolation)
        if isinstance(recursion_limit, bool) or not isinstance(recursion_limit, int) or recursion_limit < 1:
            raise ConfigError(
                f"recursion_limit={recursion_limit!r} must be a positive integer: the number of invocations one "
                "chain of requests may reach before Lambda stops the next one (AWS stops after about 16)"
            )
        tracker(self.service).limit = recursion_limit
        self._bridge: Any = None
        self._closed = False
        self._replays: list[Any] = []

    # ---- time ---------------------------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        """The virtual clock."""
        return self.world.clock

    @property
    def now(self) -> float:
        """Virtual seconds since the simulation started."""
        return self.world.clock.now

    def run(self, until: float | timedelta | Callable[[], bool] | None = None) -> None:
        """Run the simulation: until idle (default), until an absolute virtual time, or until a predicate holds."""
        with self._active():
            self.world.clock.run(until)

    def advance(self, seconds: float | timedelta) -> None:
        """Run everything due in the next ``seconds`` of virtual time."""
        with self._active():
            self.world.clock.advance(seconds)

    # ---- functions ----------------------------------------------------------------------------
    def function(
        self,
        handler: Handler | Callable[[Any, Any], Any] | str,
        *,
        name: str | None = None,
        code_dir: str | None = None,
        layers: list[str] | tuple[str, ...] = (),
        isolate_environments: bool = False,
        reserved_concurrency: int | None = None,
        dead_letter_queue: Any = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        on_success: Any = None,
        on_failure: Any = None,
        isolation: str | None = None,
        **config: Unpack[FunctionSettings],
    ) -> Function:
        """Create a function from a callable or a ``"module.function"`` handler string.

        ``config`` takes :class:`FunctionConfig` fields (``memory_size``, ``timeout``,
        ``ephemeral_storage``, ``environment``, ``architecture``, ``base_duration``,
        ``init_duration``, ``duration_model``). The asynchronous settings and DLQ given here are
        the function's (``$LATEST``) ones. A string handler with ``code_dir`` imports its modules from
        that folder and from the ``python/`` folders of ``layers`` (Lambda's ``/opt/python``), in a
        module namespace of its own; see docs/service.md, "The runtime contract". ``isolation``
        (``"in-process"`` or ``"process"``, default: the ``Sim``'s) says where its handler code runs.
        """
        if isolation is not None:
            check_mode(isolation)
        unknown = sorted(set(config) - _CONFIG_FIELDS) if config else None
        if unknown:
            raise ConfigError(f"unknown function setting(s) {unknown}; valid: {sorted(_CONFIG_FIELDS)}")
        if name is None:  # derived from the handler: keep the characters a function name may have
            derived = handler.rsplit(".", 1)[-1] if isinstance(handler, str) else getattr(handler, "__name__", "fn")
            name = "".join(ch for ch in str(derived) if ch.isascii() and (ch.isalnum() or ch in "-_"))[:64] or "fn"
        settings = {
            k: v for k, v in {
                "maximum_retry_attempts": maximum_retry_attempts,
                "maximum_event_age_in_seconds": maximum_event_age_in_seconds,
                "on_success": on_success, "on_failure": on_failure,
            }.items() if v is not None
        }
        if settings:  # validated before the function exists, so a refused setting leaves nothing behind
            from lambdachaos.service.invoke._config import EventInvokeConfig
            from lambdachaos.service.invoke._destinations import check_async_destinations
            from lambdachaos.service.invoke._validation import check_event_invoke_settings

            check_event_invoke_settings(self.world.arn("lambda", f"function:{name}"), settings, given=settings)
            checked = EventInvokeConfig(**settings)
            check_async_destinations(checked.on_success, checked.on_failure)
        if dead_letter_queue is not None:
            self.service.check_dlq_target(dead_letter_queue)
        fn = self.service.create_function(
            name, handler, code_dir=code_dir, config=FunctionConfig(**cast("dict[str, Any]", config)),
            isolate_environments=isolate_environments, layers=tuple(layers),
        )
        if reserved_concurrency is not None:
            fn.put_reserved_concurrency(reserved_concurrency)
        if dead_letter_queue is not None:
            fn.put_dead_letter_config(dead_letter_queue)
        if settings:
            fn.put_event_invoke_config(**settings)
        if isolation is not None:
            self.service.isolation_of[name] = isolation
        fn.sim = self
        return fn

    def invoke(
        self,
        function: Function | str,
        event: Any = None,
        *,
        qualifier: str | None = None,
        invocation_type: str = "RequestResponse",
        client_context: Any = None,
        log_type: str = "None",
    ) -> InvokeResult | str:
        """Invoke a function: ``RequestResponse`` returns an :class:`InvokeResult`; ``Event`` a request id.

        ``log_type="Tail"`` (``RequestResponse`` only, as on AWS) fills :attr:`InvokeResult.log_result`."""
        fn = function if isinstance(function, Function) else self.service.get(function)
        payload = event if isinstance(event, (bytes, bytearray)) else _encode(
            {} if event is None else event
        ).encode()
        if self._bridge is None or self._closed:
            self._activate()
        if invocation_type == "Event":
            return self.async_invoker.accept(fn, bytes(payload), qualifier=qualifier)
        if invocation_type != "RequestResponse":
            raise ConfigError(
                f"invocation_type={invocation_type!r}: use 'RequestResponse' or 'Event' "
                "(DryRun has nothing to simulate)"
            )
        if log_type not in ("None", "Tail"):
            raise ConfigError(f"log_type={log_type!r}: LogType must be one of None, Tail")
        ex = self.service.invoke_sync(fn, bytes(payload), qualifier=qualifier, client_context=client_context,
                                      log=log_type == "Tail")
        return InvokeResult(
            status_code=200, raw_payload=ex.payload,
            function_error="Unhandled" if ex.failed else None, executed_version=ex.executed_version or "$LATEST",
            request_id=ex.request_id, duration_ms=(ex.end_ns - ex.start_ns) / 1e6,
            log_result=base64.b64encode(tail(ex.log)).decode() if log_type == "Tail" else None,
        )

    def replay(
        self, path: str | os.PathLike[str], target: Any, *, format: str = "auto", timing: str = "preserve",
        factor: float = 1.0, start: float = 0.0,
    ) -> Any:
        """Replay a recording (JSON Lines, an SQS dump, an EventBridge archive ...) into a queue, a function, a
        Kinesis stream, or a resource of the source table that replays recorded events (Kafka topics, MQ queues),
        reading the file while the simulation runs (bounded memory; a file of 32 MB or more is read by a reader
        process on another core; ``docs/scale.md``).

        ``format`` is one of the replay formats (``docs/scenarios.md``) or ``auto``; ``timing`` is
        ``preserve`` (recorded gaps, to the microsecond), ``compress`` (gaps divided by ``factor``) or ``fast``
        (all at ``start``). Returns the :class:`~lambdachaos.replay._feed.Replay` (``format``, ``items``,
        ``sends``, ``close()``); closing the Sim stops a replay that has not finished.
        """
        from lambdachaos.replay._feed import Replay

        replay = Replay(self, os.fspath(path), target, fmt=format, timing=timing, factor=factor, start=start)
        self._replays.append(replay)
        return replay

    # ---- faults -------------------------------------------------------------------------------
    def apply_faults(self, plan: Any) -> None:
        """Apply a :class:`lambdachaos.faults.FaultPlan` to every attempt from now on.

        Every firing is written to ``ledger.faults`` (which rule, where, when, what it caused) and
        the attempt it affected lists the rule in ``Attempt.faults``.
        """
        from lambdachaos.faults import FaultPlan
        from lambdachaos.service.chaos._chaos import FaultInjector

        if not isinstance(plan, FaultPlan):
            raise ConfigError(f"plan={plan!r} must be a lambdachaos.faults.FaultPlan")
        if self.service.injector is not None:
            plan = self.service.injector.plan + plan
        self.service.injector = FaultInjector(self.service, plan, self.registry)

    # ---- activation: the boto3 bridge and the process environment -----------------------------
    def _active(self) -> Any:
        return _Activation(self)

    def _activate(self) -> None:
        if self._closed:
            raise ConfigError("this Sim was closed; create a new Sim for another scenario")
        self._ensure_bridge()

    def close(self) -> None:
        """Stop routing boto3 calls to this simulation, restore the process environment and stop replays that
        did not finish (their reader processes end)."""
        for replay in self._replays:
            replay.close()
        self._replays.clear()
        if self._bridge is not None:
            self._bridge.__exit__(None, None, None)
            self._bridge = None
        self.service.restore_environment()
        self.ledger.close()
        self._closed = True

    def __enter__(self) -> Sim:
        self._ensure_bridge()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _ensure_bridge(self) -> None:
        if self._bridge is None:
            from lambdachaos.service.bridge._bridge import Bridge

            self._bridge = Bridge(_Backend(self))
            self._bridge.__enter__()

    def __repr__(self) -> str:
        return (
            f"<Sim seed={self.seed} now={self.now:.3f}s functions={len(self.service.functions)} "
            f"attempts={len(self.ledger)}>"
        )
