"""The simulated Lambda service: runs one attempt, and the synchronous invocation path (AWS developer guide:
"Synchronous invocation"; docs/aws-behaviour.md).

``execute`` is the single place a handler runs: it resolves the version, applies concurrency and
burst limits, finds or starts an execution environment, runs the init phase on a cold start,
runs the handler on handler time, writes the attempt to the ledger and holds the concurrency slot
until the attempt's virtual end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos._world import World
from lambdachaos.ledger._ledger import Attempt, Fate, FateStatus, Ledger, Outcome, Path
from lambdachaos.service.invoke import _guard, _handler_time, _isolation, _recursion
from lambdachaos.service.invoke._attempt import run_attempt
from lambdachaos.service.invoke._concurrency import Concurrency
from lambdachaos.service.invoke._config import ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT, FunctionConfig
from lambdachaos.service.invoke._environments import (
    Environment,
    EnvironmentPool,
    initialise,
    log_day,
    prepare_scope,
    runtime_environment,
)
from lambdachaos.service.invoke._errors import (
    RequestEntityTooLargeException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from lambdachaos.service.invoke._execution import OUTCOMES, parse_payload, record_rejection
from lambdachaos.service.invoke._execution import Execution as Execution
from lambdachaos.service.invoke._function import Function
from lambdachaos.service.invoke._handler_time import HandlerClock
from lambdachaos.service.invoke._isolation_worker import forwarded
from lambdachaos.service.invoke._loading import InitError, check_handler_string
from lambdachaos.service.invoke._logs import invocation_log
from lambdachaos.service.invoke._runtime import guarded_init, warn_guard_stopped
from lambdachaos.service.invoke._validation import check_dlq_target, check_function_name, check_runtime

if TYPE_CHECKING:
    from lambdachaos.service.invoke._injection import Injector

INIT_TIMEOUT_NS: Final = 10_000_000_000
DEFAULT_GUARD_SECONDS: Final = 5.0

@final
@forwarded("sync")
class LambdaService:
    """The functions of one simulated account and the machinery that runs them."""

    def __init__(
        self,
        world: World,
        ledger: Ledger,
        *,
        account_concurrency: int,
        guard_seconds: float = DEFAULT_GUARD_SECONDS,
        async_payload_limit: int = ASYNC_PAYLOAD_LIMIT,
        resolve: Callable[[str], object | None] = lambda arn: None,
    ) -> None:
        self.world = world
        self.ledger = ledger
        self.functions: dict[str, Function] = {}
        self.concurrency = Concurrency(account_concurrency)
        self.pool = EnvironmentPool()
        self.guard_seconds = guard_seconds
        self.async_payload_limit = async_payload_limit
        self.resolve = resolve
        self.injector: Injector | None = None
        self._env_rng = world.stream("environments")
        self._route_rng = world.stream("routing")
        self.isolation = _isolation.IN_PROCESS
        """Where handler code runs by default: ``"in-process"`` or ``"process"`` (a worker per environment)."""
        self.isolation_of: dict[str, str] = {}
        self.isolation_workers: list[_isolation.Worker] = []
        self._namespaces: dict[tuple[str, object], dict[str, Any]] = {}
        self.last_outcome: dict[tuple[str, str], Outcome] = {}
        """The outcome of the last invocation per (function, event source ARN)."""
        self.recursion = _recursion.RecursionTracker()
        """The recursive loop detector (``recursion.limit`` is the ``recursion_limit`` knob)."""

    # ---- functions ----------------------------------------------------------------------------
    def create_function(
        self,
        name: str,
        handler: Callable[[Any, Any], Any] | str,
        *,
        code_dir: str | None,
        config: FunctionConfig,
        isolate_environments: bool,
        layers: tuple[str, ...] = (),
    ) -> Function:
        """CreateFunction."""
        check_function_name(name)
        check_runtime(config.runtime)
        if name in self.functions:
            raise ConfigError(f"name={name!r}: Function already exist: {name} (ResourceConflictException)")
        if isinstance(handler, str):
            check_handler_string(handler)
        elif not callable(handler):
            raise ConfigError(f"handler={handler!r} must be a callable (event, context) or 'module.function'")
        fn = Function(
            self, name, handler=handler, code_dir=code_dir, config=config, isolate_environments=isolate_environments,
            layers=layers,
        )
        self.functions[name] = fn
        return fn

    def get(self, name_or_arn: str) -> Function:
        """A function by name, ARN or qualified ARN; ``ResourceNotFoundException`` otherwise."""
        name = name_or_arn
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) > 6 else name
        else:
            name = name.split(":")[0]
        fn = self.functions.get(name)
        if fn is None:
            raise ResourceNotFoundException(f"Function not found: {self.world.arn('lambda', 'function:' + name)}")
        return fn

    def check_dlq_target(self, target: Any) -> None:
        """A DLQ must be an SQS queue or SNS topic, not FIFO."""
        check_dlq_target(target)

    def put_provisioned(self, fn: Function, qualifier: str, value: int) -> None:
        """PutProvisionedConcurrencyConfig: pre-initialise environments (never on ``$LATEST``)."""
        if qualifier in (None, "$LATEST"):
            raise ConfigError(
                f"qualifier={qualifier!r}: provisioned concurrency applies to a published version or alias, "
                "not $LATEST"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"provisioned_concurrency={value!r} must be a positive integer")
        if fn.reserved_concurrency is not None and value > fn.reserved_concurrency:
            raise ConfigError(
                f"provisioned_concurrency={value} exceeds reserved_concurrency={fn.reserved_concurrency} "
                f"of {fn.name}; provisioned concurrency must not exceed the function's reserved concurrency"
            )
        version, _ = fn.resolve(qualifier, self._route_rng)
        envs = []
        for _ in range(value):
            env = self._new_env(fn, version.number, provisioned_for=qualifier)
            self._init_env(env, fn)
            envs.append(env)
        fn.provisioned[qualifier] = value
        self.pool.set_provisioned(fn, qualifier, envs)

    def retire(self, fn: Function, version: str) -> None:
        """Configuration or code of ``version`` changed: its idle environments end, busy ones end after
        their request, so later requests start new environments (a cold start with the new settings)."""
        for env in self.pool.discard(fn.name, version):
            _isolation.drop(env)

    def _new_env(self, fn: Function, version: str, provisioned_for: str | None = None) -> Environment:
        self.pool.created += 1
        hex_id = f"{self._env_rng.getrandbits(128):032x}"
        day = log_day(self.world.wall_ns())
        env = Environment(
            id=hex_id[:12], function=fn.name, version=version, handler=None, module=None,
            log_stream_name=f"{day}/[{version}]{hex_id}", provisioned_for=provisioned_for,
        )
        v = fn.versions[version]
        shared = None
        if v.location is not None and not fn.isolate_environments:
            shared = self._namespaces.setdefault((fn.name, v.location), {})
        prepare_scope(env, v, self.world.region, shared)
        return env

    def _init_env(self, env: Environment, fn: Function) -> int:
        """Run the init phase on handler time; returns its virtual duration in ns."""
        _handler_time.install()
        version = fn.versions[env.version]
        in_process = self.isolation_of.get(fn.name, self.isolation) != _isolation.PROCESS
        if in_process and callable(version.handler):  # its module ran on import: no function code runs now
            initialise(env, version, fn.isolate_environments)
            return round(version.config.init_duration * 1e9)
        clock = self.world.clock
        start = clock.now_ns
        hc = HandlerClock(
            start_wall_ns=self.world.wall_ns(start), start_virtual_ns=start, deadline_ns=INIT_TIMEOUT_NS
        )
        if not in_process:
            _isolation.init_env(self, env, version.handler, version.code_dir, runtime_environment(env),
                                version.config.memory_size, hc)
            return round(version.config.init_duration * 1e9) + hc.elapsed_ns
        previous = _handler_time.set_current(hc)
        saved = clock.set_local_now(start)
        try:
            guarded_init(lambda: initialise(env, version, fn.isolate_environments), env, fn.name,
                         self.guard_seconds)
        finally:
            _handler_time.set_current(previous)
            clock.set_local_now(saved)
        return round(version.config.init_duration * 1e9) + hc.elapsed_ns

    # ---- one attempt --------------------------------------------------------------------------
    def reserved_in_force(self, fn: Function) -> int | None:
        """Reserved concurrency at this instant (a scheduled fault may change it)."""
        if self.injector is None:
            return fn.reserved_concurrency
        return self.injector.reserved_at(fn, self.world.clock.now)

    def execute(
        self,
        fn: Function,
        qualifier: str | None,
        payload: bytes,
        *,
        path: Path,
        request_id: str,
        event_id: str,
        attempt: int,
        records: tuple[str, ...] = (),
        source: str | None = None,
        client_context: Any = None,
        event: Any = None,
        batch_id: str | None = None,
        bisect_depth: int = 0,
        log: bool = False,
        release_now: bool = False,
    ) -> Execution:
        """Run one attempt now (or record its throttle) and return its result (with ``log``: and its log).

        ``release_now``: the caller runs the clock to the attempt's end right away, so when nothing else is
        scheduled the environment and concurrency slot are released at once instead of through the clock.
        """
        world = self.world
        clock = world.clock
        start = clock.now_ns
        tracker = self.recursion
        if tracker.may_stop():  # only when something was created inside a handler (loop chains)
            stopped = tracker.check(self, fn, qualifier, path, request_id, event_id, attempt, records, source)
            if stopped is not None:
                return stopped  # a recursive loop: the handler never runs
        if qualifier is None:
            version, invoked_arn = fn.versions["$LATEST"], fn.arn
        else:
            version, invoked_arn = fn.resolve(qualifier, self._route_rng)
        injector = self.injector
        concurrency = self.concurrency
        if injector is None:
            reason = concurrency.check(fn, reserved=fn.reserved_concurrency)
        else:
            sched = injector.schedule(fn)
            now_s = start / 1e9
            reason = concurrency.check(
                fn, reserved=sched.reserved_concurrency_at(now_s, fn.reserved_concurrency),
                account_available=sched.account_available_at(now_s),
            )
        env = None
        if reason is None:
            env = self.pool.take_idle(fn, version, qualifier)
            if env is None:
                burst = injector.schedule(fn).burst_at(start / 1e9) if injector is not None else None
                if burst is None:
                    reason = concurrency.take_burst_token(fn, start)
                else:
                    reason = concurrency.take_burst_token(fn, start, capacity=burst[0], refill_per_s=burst[1])
        if reason is not None:
            if injector is not None:
                injector.record_throttle(fn, reason, now_ns=start, event_id=event_id, attempt=attempt,
                                         qualifier=qualifier)
            return record_rejection(self.ledger, clock.now_ns, fn, qualifier, path, request_id, event_id, attempt,
                                    records, source, Outcome.THROTTLED, reason)
        decided = None
        if injector is not None:
            if event is None:
                event = parse_payload(payload)
            decided = injector.decide(fn, qualifier, event_id=event_id, attempt=attempt, now_ns=start,
                                      cold=env is None, event=event, source=source)
            if decided.force_cold_start and env is not None:
                env.broken = True  # discarded: this request gets a new environment
                _isolation.drop(env)
                env = None
        concurrency.acquire(fn)
        reserved_at_start = fn.reserved_concurrency is not None
        init_ns = 0
        cold = env is None
        if env is None:
            env = self._new_env(fn, version.number)
            init_ns = self._init_env(env, fn)
            if decided is not None:
                init_ns += decided.init_delay_ms * 1_000_000
                if decided.init_error is not None:
                    err = decided.init_error
                    env.init_error = InitError(err.error_type, err.error_message, [])
        lines: list[str] | None = [] if log else None
        result = run_attempt(self, fn, env, version.config, invoked_arn, request_id, payload, event,
                             client_context, start + init_ns, decided, event_id, records, lines)
        end = start + init_ns + result.elapsed_ns
        env.invocations += 1
        if result.env_broken:
            env.broken = True
        outcome = OUTCOMES[result.outcome]
        error = result.error
        ledger = self.ledger
        ledger.add_attempt(Attempt(
            seq=ledger.next_seq(), path=path, function=fn.name, qualifier=qualifier,
            executed_version=version.number, request_id=request_id, event_id=event_id, attempt=attempt,
            outcome=outcome, start_ns=start, end_ns=end, env_id=env.id, cold=cold,
            error_type=error.get("errorType") if error else None,
            error_message=error.get("errorMessage") if error else None,
            records=records, source=source, batch_id=batch_id, bisect_depth=bisect_depth,
            faults=tuple(f.rule_id for f in decided.firings) if decided is not None else (),
            reason="real-time guard" if result.guard_fired else None,
        ))
        if source is not None:
            self.last_outcome[(fn.name, source)] = outcome
        if release_now and not clock.pending:  # nothing can run before the release at `end`
            self._release(fn, env, reserved_at_start)
        else:
            clock.call_at(end, self._release, fn, env, reserved_at_start, priority=-1)
        if result.guard_fired:
            warn_guard_stopped(fn.name, request_id, self.guard_seconds)
        ex = Execution(outcome, result.payload, error, request_id, version.number, start, end)
        if lines is not None:
            ex.log = invocation_log(ex, lines, version.config, end_wall_ns=world.wall_ns(end),
                                    duration_ns=result.elapsed_ns, init_ns=init_ns if cold else 0)
        return ex

    def restore_environment(self) -> None:
        """Stop the worker processes of ``isolation="process"``; an environment's variables are only
        in place while its code runs, so there is nothing else to put back."""
        _isolation.stop_all(self)

    def _release(self, fn: Function, env: Environment, reserved_at_start: bool) -> None:
        self.concurrency.release(fn, reserved_at_start=reserved_at_start)
        version = fn.versions.get(env.version)
        if version is None or (env.scope_config is not version.config and env.provisioned_for is None):
            env.broken = True  # updated while it ran: later requests start environments with the new settings
        if env.broken:
            _isolation.drop(env)
        self.pool.give_back(env)

    # ---- synchronous path ---------------------------------------------------------------------
    def invoke_sync(
        self, fn: Function, payload: bytes, *, qualifier: str | None = None, client_context: Any = None,
        path: Path = Path.SYNC, log: bool = False,
    ) -> Execution:
        """Invoke with ``RequestResponse``: no retries; throttles raise ``TooManyRequestsException``.

        From test code the caller waits: virtual time advances to the end of the invocation. From
        inside another handler the caller's own virtual time advances by the callee's duration.
        """
        paused = _guard.pause()  # called from a handler: the caller's guard waits until this returns
        if paused is None:
            return self._invoke_sync(fn, payload, qualifier=qualifier, client_context=client_context, path=path,
                                     log=log)
        try:
            return self._invoke_sync(fn, payload, qualifier=qualifier, client_context=client_context, path=path,
                                     log=log)
        finally:
            _guard.resume(paused)

    def _invoke_sync(
        self, fn: Function, payload: bytes, *, qualifier: str | None, client_context: Any, path: Path, log: bool
    ) -> Execution:
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            raise RequestEntityTooLargeException(
                f"Request must be smaller than {SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation"
            )
        event = parse_payload(payload)
        request_id = self.world.uuid()
        outer = _handler_time.current()
        ex = self.execute(fn, qualifier, payload, path=path, request_id=request_id, event_id=request_id,
                          attempt=1, event=event, client_context=client_context, log=log, release_now=outer is None)
        self.settle_sync(ex)
        if ex.outcome is Outcome.THROTTLED:
            raise TooManyRequestsException("Rate Exceeded.", reason=ex.reason or "")
        if outer is not None:
            outer.advance(ex.end_ns - ex.start_ns)
        else:
            self.world.clock.run_until_ns(ex.end_ns)
        return ex

    def settle_sync(self, ex: Execution) -> None:
        """A synchronous request's fate is its single attempt's outcome."""
        outcome = ex.outcome
        if outcome is Outcome.SUCCESS:
            fate = Fate(event_id=ex.request_id, status=FateStatus.SUCCEEDED, at_ns=ex.end_ns, condition=None,
                        attempts=1)
        else:
            fate = Fate(event_id=ex.request_id, status=FateStatus.DROPPED, at_ns=ex.end_ns, condition=outcome.value,
                        attempts=0 if outcome is Outcome.THROTTLED else 1)
        self.ledger.settle(fate)

    def check_async_payload(self, payload: bytes) -> Any:
        """Validate an ``Event`` payload: size (1 MB default, A1) and JSON."""
        if len(payload) > self.async_payload_limit:
            raise RequestEntityTooLargeException(
                f"{len(payload)} byte payload is too large for the Event invocation type "
                f"(limit {self.async_payload_limit} bytes)"
            )
        return parse_payload(payload)
