"""Anonymise recorded events before they are stored in a repository.

A field list names what to replace: ``path`` or ``path:kind``. A path is dotted (``customer.email``), ``*``
matches any key or list element, and a path continues into JSON held in a string (an SQS ``Body``, an SNS
``Message``) and into base64 JSON (Kinesis ``Data``). The kind picks the fake value (``name``,
``first_name``, ``last_name``, ``email``, ``street``, ``city``, ``postcode``, ``ip``, ``company``,
``username``, ``phone``, ``uuid``, ``digits``, ``text``, ``redact``); without one it is guessed from the
field name. Replacement is deterministic: one original value always becomes the same fake value for a given
seed, so joins between records survive.

>>> anonymise({"customer": {"email": "ana@corp.example"}}, ["customer.email"], seed=1)["customer"]["email"] != \
"ana@corp.example"
True
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections.abc import Callable, Sequence
from typing import Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos._world import derive_seed
from lambdachaos.generators import _fake

_KINDS: Final[dict[str, Callable[[random.Random, str], str]]] = {
    "name": lambda r, _: _fake.full_name(r),
    "first_name": lambda r, _: _fake.first_name(r),
    "last_name": lambda r, _: _fake.last_name(r),
    "email": lambda r, _: _fake.email(r),
    "street": lambda r, _: _fake.street_address(r),
    "city": lambda r, _: _fake.city(r),
    "postcode": lambda r, _: _fake.postcode(r),
    "ip": lambda r, _: _fake.ipv4(r),
    "company": lambda r, _: _fake.company(r),
    "username": lambda r, _: _fake.username(r),
    "phone": lambda r, _: "+1-555-" + "".join(str(r.randrange(10)) for _ in range(7)),
    "uuid": lambda r, _: f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-4{r.getrandbits(12):03x}-"
                         f"a{r.getrandbits(12):03x}-{r.getrandbits(48):012x}",
    "digits": lambda r, v: "".join(str(r.randrange(10)) if c.isdigit() else c for c in v),
    "text": lambda r, _: _fake.sentence(r),
    "redact": lambda r, _: "REDACTED",
}
KINDS: Final = tuple(_KINDS)
_GUESS: Final = (("email", "email"), ("first", "first_name"), ("last", "last_name"), ("name", "name"),
                 ("street", "street"), ("address", "street"), ("city", "city"), ("zip", "postcode"),
                 ("post", "postcode"), ("ip", "ip"), ("company", "company"), ("user", "username"),
                 ("phone", "phone"), ("card", "digits"), ("iban", "digits"), ("ssn", "digits"))


def guess_kind(field: str) -> str:
    """The fake-value kind for a field name (``customerEmail`` → ``email``); ``text`` when nothing fits."""
    low = field.lower()
    return next((kind for needle, kind in _GUESS if needle in low), "text")


def parse_fields(fields: Sequence[str]) -> list[tuple[list[str], str]]:
    """``["a.b:email", "c"]`` → ``[(["a", "b"], "email"), (["c"], "text")]``; unknown kinds are refused."""
    out = []
    for spec in fields:
        path, _, kind = spec.partition(":")
        parts = [p for p in path.split(".") if p]
        if not parts:
            raise ConfigError(f"field {spec!r} has no path; write it like 'customer.email' or 'body.card:digits'")
        kind = kind or guess_kind(parts[-1])
        if kind not in _KINDS:
            raise ConfigError(f"field {spec!r}: kind {kind!r} is unknown; use one of {', '.join(KINDS)}")
        out.append((parts, kind))
    return out


def _fake_value(value: Any, kind: str, seed: int) -> Any:
    original = json.dumps(value, sort_keys=True)
    rng = random.Random(derive_seed(seed, "anonymise", kind, original))
    fake = _KINDS[kind](rng, value if isinstance(value, str) else str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and kind == "digits":
        return type(value)(fake) if fake.replace(".", "", 1).lstrip("-").isdigit() else fake
    return fake


def _nested(text: str) -> tuple[Any, Callable[[Any], str]] | None:
    try:
        return json.loads(text), lambda v: json.dumps(v, separators=(",", ":"))
    except ValueError:
        pass
    try:
        decoded = base64.b64decode(text, validate=True)
        return json.loads(decoded), lambda v: base64.b64encode(json.dumps(v).encode()).decode()
    except (binascii.Error, ValueError):
        return None


def _walk(obj: Any, parts: list[str], kind: str, seed: int) -> tuple[Any, int]:
    if not parts:
        return _fake_value(obj, kind, seed), 1
    if isinstance(obj, str):
        nested = _nested(obj)
        if nested is None:
            return obj, 0
        inner, encode = nested
        new, n = _walk(inner, parts, kind, seed)
        return (encode(new), n) if n else (obj, 0)
    head, rest = parts[0], parts[1:]
    if isinstance(obj, dict):
        keys = list(obj) if head == "*" else [head] if head in obj else []
        total = 0
        for k in keys:
            obj[k], n = _walk(obj[k], rest, kind, seed)
            total += n
        return obj, total
    if isinstance(obj, list):
        idx = range(len(obj)) if head == "*" else [int(head)] if head.isdigit() and int(head) < len(obj) else []
        total = 0
        for i in idx:
            obj[i], n = _walk(obj[i], rest, kind, seed)
            total += n
        return obj, total
    return obj, 0


def anonymise(item: Any, fields: Sequence[str], *, seed: int = 0) -> Any:
    """A copy of ``item`` with every field in ``fields`` replaced by a consistent fake value."""
    out, _ = anonymise_counted(item, fields, seed=seed)
    return out


def anonymise_counted(item: Any, fields: Sequence[str], *, seed: int = 0) -> tuple[Any, int]:
    """:func:`anonymise`, plus how many values were replaced."""
    copy = json.loads(json.dumps(item))
    total = 0
    for parts, kind in parse_fields(fields):
        copy, n = _walk(copy, parts, kind, seed)
        total += n
    return copy, total
