"""The process environment while a boto3 bridge is active: fake credentials and the simulation's region, so
that a client created in the test or in a handler signs its calls and finds a region without real
credentials; put back exactly as it was when the bridge exits.

Entering and leaving a simulation does this every time, so it works on ``os.environ``'s own storage with the
variable names and values encoded once: a variable that already has the value is left alone (no ``putenv``),
and on exit a variable that was absent is removed again and one that was present gets its original bytes
back. ``os.environ`` and the C environment (``putenv``/``unsetenv``, what child processes inherit) change
together, exactly as ``os.environ[key] = value`` and ``del os.environ[key]`` change them.
"""

from __future__ import annotations

import os
from typing import Any, Final

FAKE_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}
REGION_VARIABLE: Final = "AWS_DEFAULT_REGION"

_environ: Any = os.environ
_encode_key: Final = _environ.encodekey
_encode_value: Final = _environ.encodevalue
_putenv: Final = os.putenv
_unsetenv: Final = os.unsetenv
_CREDENTIALS: Final = tuple((_encode_key(k), _encode_value(v)) for k, v in FAKE_CREDENTIALS.items())
_REGION_KEY: Final = _encode_key(REGION_VARIABLE)
_regions: dict[str, Any] = {}

Saved = tuple[tuple[Any, Any], ...]
"""What :func:`put` found: each variable's encoded name and its encoded previous value (None: absent)."""


def put(region: str) -> Saved:
    """Set the fake credentials and ``AWS_DEFAULT_REGION=region``; returns what :func:`restore` puts back."""
    value = _regions.get(region)
    if value is None:
        value = _regions[region] = _encode_value(region)
    data = _environ._data
    get = data.get
    saved = []
    for key, new in (*_CREDENTIALS, (_REGION_KEY, value)):
        old = get(key)
        saved.append((key, old))
        if old != new:
            _putenv(key, new)
            data[key] = new
    return tuple(saved)


def restore(saved: Saved) -> None:
    """Put every variable :func:`put` set back to what it was (removed when it was absent)."""
    data = _environ._data
    for key, old in saved:
        current = data.get(key)
        if current == old:
            continue
        if old is None:
            _unsetenv(key)
            del data[key]
        else:
            _putenv(key, old)
            data[key] = old
