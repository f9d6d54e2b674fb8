"""Temporary attribute patches that always restore exactly what was there (also on exceptions)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from ._outcome import FaultFiring, InvocationFaults

__all__ = ["InjectionLog", "Sleep", "patched"]

#: ``sleep(seconds)``: advances the invocation's clock (the virtual clock in the simulator).
Sleep = Callable[[float], None]
_ABSENT = object()


@contextlib.contextmanager
def patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """Set ``owner.name = value`` for the block; restore the previous value, or delete the attribute when
    it was
    only inherited (so ``socket.socket.connect`` goes back to the C method)."""
    before = vars(owner).get(name, _ABSENT) if hasattr(owner, "__dict__") else getattr(owner, name, _ABSENT)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if before is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, before)


class InjectionLog:
    """What the injectors did during one handler call: one :class:`FaultFiring` per affected connection or API
    request, in order. The service appends ``firings`` to the ledger next to ``InvocationFaults.firings``."""

    def __init__(self, faults: InvocationFaults, now: Callable[[], float] | None) -> None:
        """Log hits for the invocation ``faults`` was decided for; ``now`` gives the virtual time of each
        hit."""
        self._faults = faults
        self._now = now
        self.firings: list[FaultFiring] = []

    def record(self, rule_id: str, kind: str, effect: str, **detail: Any) -> None:
        """Append one hit."""
        f = self._faults
        self.firings.append(
            FaultFiring(
                rule_id=rule_id,
                kind=kind,
                function_name=f.function_name,
                qualifier=f.qualifier,
                event_source=f.event_source,
                attempt=f.attempt,
                time=self._now() if self._now else f.time,
                effect=effect,
                detail=tuple(detail.items()),
            )
        )

    def count(self, rule_id: str | None = None) -> int:
        """Number of hits (of ``rule_id`` when given)."""
        return sum(1 for f in self.firings if rule_id is None or f.rule_id == rule_id)
