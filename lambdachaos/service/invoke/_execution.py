"""What one attempt gives back to the invocation paths, and how a request payload is read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.ledger._ledger import Attempt, Outcome, Path
from lambdachaos.service.invoke._errors import InvalidRequestContentException

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Ledger
    from lambdachaos.service.invoke._function import Function

OUTCOMES: Final = {"success": Outcome.SUCCESS, "function_error": Outcome.FUNCTION_ERROR, "timeout": Outcome.TIMEOUT,
                   "guard_stopped": Outcome.GUARD_STOPPED}
"""A run's outcome word (:class:`~lambdachaos.service.invoke._runtime.RunResult`) as a ledger outcome."""


@final
@dataclass(slots=True)
class Execution:
    """The result of one attempt as the invocation paths see it."""

    outcome: Outcome
    payload: bytes
    error: dict[str, Any] | None
    request_id: str
    executed_version: str | None
    start_ns: int
    end_ns: int
    reason: str | None = None
    log: bytes = b""
    """The attempt's log lines (``START`` … ``REPORT``), for ``LogType="Tail"``."""

    @property
    def failed(self) -> bool:
        """True for a function error or timeout (not for throttles)."""
        return self.outcome in (Outcome.FUNCTION_ERROR, Outcome.TIMEOUT, Outcome.GUARD_STOPPED)


def _non_json_number(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


_decoder = json.JSONDecoder(parse_constant=_non_json_number)  # AWS refuses NaN and Infinity
_decode = _decoder.decode
_raw_decode = _decoder.raw_decode


def parse_payload(payload: bytes) -> Any:
    """The event a request's JSON payload carries (``InvalidRequestContentException`` when it is not JSON)."""
    try:
        if not payload:
            return {}
        text = payload.decode()
        try:  # JSON without surrounding whitespace (what SDKs send) needs no whitespace scan
            value, end = _raw_decode(text)
            if end == len(text):
                return value
        except ValueError:
            pass
        return _decode(text)  # parsed again for the error's position, or around whitespace
    except ValueError as exc:
        token = str(exc) if str(exc).startswith("Non-standard token") else None
        raise InvalidRequestContentException(
            "Could not parse request body into json: Could not parse payload into json"
            + (f": {token}: JSON numbers are finite (NaN and Infinity are not JSON)" if token else "")
        ) from None


def record_rejection(
    ledger: Ledger, now: int, fn: Function, qualifier: str | None, path: Path, request_id: str, event_id: str,
    attempt: int, records: tuple[str, ...], source: str | None, outcome: Outcome, reason: str,
) -> Execution:
    """Write an attempt the handler never ran for (a throttle or a service error) and return its execution."""
    ledger.add_attempt(Attempt(
        seq=ledger.next_seq(), path=path, function=fn.name, qualifier=qualifier,
        executed_version=None, request_id=request_id, event_id=event_id, attempt=attempt, outcome=outcome,
        start_ns=now, end_ns=now, records=records, source=source, reason=reason,
        error_type="TooManyRequestsException" if outcome is Outcome.THROTTLED else "ServiceException",
        error_message="Rate Exceeded." if outcome is Outcome.THROTTLED else "Lambda service error",
    ))
    return Execution(outcome, b"", None, request_id, None, now, now, reason=reason)
