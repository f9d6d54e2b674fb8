"""The response payloads the Python runtime writes: errors, timeouts, exits and plain JSON results.

The shapes and strings follow the AWS Lambda developer guide ("Lambda function errors in Python")
and docs/aws-behaviour.md.
"""

from __future__ import annotations

import json
import os
import threading
import traceback
from typing import Any

from lambdachaos.service.invoke import _contain


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, as the runtime writes a response."""
    return json.dumps(value, separators=(",", ":")).encode()


_compact = json.JSONEncoder(separators=(",", ":"))
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)


def _new_encoder() -> Any:
    if _c_make_encoder is None:
        return None
    return _c_make_encoder({}, _compact.default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False,
                           True)


_per_thread = threading.local()


def encode_result(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))`` for a handler's result, without building an encoder per
    call (each thread keeps its C encoder between calls; it is rebuilt after an error, which may leave
    its circular-reference markers set)."""
    encoder = getattr(_per_thread, "encoder", None)
    if encoder is None:
        encoder = _per_thread.encoder = _new_encoder()
        if encoder is None:
            return _compact.encode(value)
    if isinstance(value, str):
        return json.encoder.encode_basestring_ascii(value)
    try:
        return "".join(encoder(value, 0))
    except BaseException:
        _per_thread.encoder = None
        raise


def format_trace(exc: BaseException) -> list[str]:
    """AWS's ``stackTrace``: formatted frames from the handler's first frame on (harness frames cut)."""
    frames = traceback.extract_tb(exc.__traceback__)
    here = os.path.dirname(__file__)
    kept = [f for f in frames if not f.filename.startswith(here)]
    return traceback.format_list(kept)


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error object the Python runtime returns for an unhandled exception (docs/aws-behaviour.md,
    "unhandled exception payload")."""
    return {
        "errorMessage": _contain.safe_str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": format_trace(exc),
    }


def timeout_payload(request_id: str, timeout_s: float) -> dict[str, Any]:
    """``Sandbox.Timedout`` with the configured timeout to two decimals (docs/aws-behaviour.md, "timeout")."""
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds",
    }


def exit_payload(request_id: str, code: object) -> dict[str, Any]:
    """``Runtime.ExitError`` for a handler that ended the runtime process."""
    if code in (None, 0):
        message = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
    elif isinstance(code, int):
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
    else:
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status 1"
    return {"errorType": "Runtime.ExitError", "errorMessage": message}


def oom_payload(request_id: str) -> dict[str, Any]:
    """Out of memory (decision A12): ``Runtime.ExitError`` with ``signal: killed``."""
    message = f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
    return {"errorType": "Runtime.ExitError", "errorMessage": message}
