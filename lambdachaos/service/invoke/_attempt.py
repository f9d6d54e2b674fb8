"""One handler run inside an execution environment: handler time, the runtime contract's scope, the
context object and the faults decided for the attempt."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from lambdachaos.service.invoke._config import DurationModel, FunctionConfig
from lambdachaos.service.invoke._contract import enter as enter_scope
from lambdachaos.service.invoke._contract import leave as leave_scope
from lambdachaos.service.invoke._environments import Environment, prepare_scope
from lambdachaos.service.invoke._execution import parse_payload
from lambdachaos.service.invoke._faulted import after_handler, before_handler
from lambdachaos.service.invoke._function import Function
from lambdachaos.service.invoke._handler_time import HandlerClock
from lambdachaos.service.invoke._logs import LogCapture
from lambdachaos.service.invoke._payloads import dumps
from lambdachaos.service.invoke._runtime import Context, RunResult, run_handler, timed_out

if TYPE_CHECKING:
    from lambdachaos.service.invoke._service import LambdaService


def run_attempt(
    service: LambdaService, fn: Function, env: Environment, config: FunctionConfig, invoked_arn: str,
    request_id: str, payload: bytes, event: Any, client_context: Any, start_ns: int, decided: Any, event_id: str,
    records: tuple[str, ...] = (), log_lines: list[str] | None = None,
) -> RunResult:
    """Run the handler of ``env`` for one request starting at virtual ``start_ns`` (after its init phase);
    with ``log_lines``, what the handler logs is appended to it."""
    world = service.world
    clock = world.clock
    hc = HandlerClock(
        start_wall_ns=world.wall_ns(start_ns), start_virtual_ns=start_ns, deadline_ns=config.timeout_ns,
        on_advance=clock.set_local_now,
    )
    if env.init_error is not None:
        env.broken = True
        if env.init_error.error_type == "Sandbox.Timedout":
            return timed_out(hc, request_id, config.timeout, guard_fired=False)
        error = env.init_error.payload(request_id)
        return RunResult("function_error", dumps(error), error, 0, env_broken=True)
    pre = config.base_duration_ns
    if decided is not None:
        pre += decided.startup_delay_ms * 1_000_000
    saved = clock.set_local_now(start_ns)
    scope = entered = None
    if env.scope_config is not config:
        prepare_scope(env, fn.versions[env.version], world.region, None)
    try:
        if pre >= hc.deadline_ns:
            return timed_out(hc, request_id, config.timeout, guard_fired=False)
        hc.elapsed_ns = pre
        if decided is not None:
            early = before_handler(decided, hc, request_id, config.timeout)
            if early is not None:
                return early
        handler_event = parse_payload(payload) if event is None else event
        assert env.handler is not None
        cpu_scale = 1.0 / config.vcpu_share if config.duration_model is DurationModel.MEASURED else None
        context = Context(
            function_name=fn.name, function_version=env.version, invoked_function_arn=invoked_arn,
            memory_limit_in_mb=config.memory_size, aws_request_id=request_id,
            log_stream_name=env.log_stream_name, clock=hc, client_context=client_context,
        )
        scope = env.scope
        entered = enter_scope(scope) if scope is not None else None
        run: Callable[..., RunResult] = env.state.get("run", run_handler)  # a worker's, with isolation="process"
        injector = service.injector
        if (decided is not None and decided.needs_injection and injector is not None) or log_lines is not None:
            with ExitStack() as stack:
                if decided is not None and decided.needs_injection and injector is not None:
                    stack.enter_context(injector.around(decided, hc, event_id))
                if log_lines is not None:
                    stack.enter_context(LogCapture(request_id, hc, log_lines))
                result = run(env.handler, handler_event, context, hc, timeout_s=config.timeout,
                             guard_seconds=service.guard_seconds, cpu_scale=cpu_scale)
        else:
            result = run(env.handler, handler_event, context, hc, timeout_s=config.timeout,
                         guard_seconds=service.guard_seconds, cpu_scale=cpu_scale)
        if decided is not None:
            return after_handler(decided, result, hc, request_id, config.timeout, records)
        return result
    finally:
        if scope is not None and entered is not None:
            leave_scope(scope, entered)
        clock.set_local_now(saved)
