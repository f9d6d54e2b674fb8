"""The shapes user code meets: a handler, the context object Lambda passes it, and the virtual clock.

They are :class:`typing.Protocol` classes: annotate your own handlers and fakes with them; nothing needs to
inherit from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class LambdaContext(Protocol):
    """The context object of Lambda's Python runtime (``context`` in ``handler(event, context)``)."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    """A string, as in the Python runtime."""
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    identity: Any
    client_context: Any

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out (on the virtual clock)."""
        ...


class Handler(Protocol):
    """A Lambda handler: ``handler(event, context)`` returning the response (anything JSON-serialisable)."""

    def __call__(self, event: Any, context: LambdaContext, /) -> Any:
        """Handle one event."""
        ...


@runtime_checkable
class VirtualClock(Protocol):
    """The simulation's clock (``sim.clock``): virtual time that moves only when the simulation runs."""

    @property
    def now(self) -> float:
        """Virtual seconds since the simulation started."""
        ...

    @property
    def now_ns(self) -> int:
        """Virtual nanoseconds since the simulation started."""
        ...

    def call_at(self, at_ns: int, callback: Callable[..., object], *args: Any, priority: int = 0) -> Any:
        """Run ``callback(*args)`` when virtual time reaches ``at_ns``."""
        ...

    def advance(self, duration: Any) -> None:
        """Run everything due in the next ``duration`` of virtual time."""
        ...
