"""Payload bodies: the default ``Order`` and bodies shaped by a user's dataclass, pydantic model, TypedDict or
JSON Schema.

A *payload spec* (:data:`PayloadSpec`) is one of:

* ``None`` -- the built-in order-like payload (:class:`Order`);
* a dataclass, a pydantic model class or a ``TypedDict`` -- fields are filled from their type hints;
* a ``dict`` -- a JSON Schema (``type``, ``properties``, ``required``, ``items``, ``enum``, ``const``,
  ``format``, ``minimum``/``maximum``, ``minLength``/``maxLength``, ``minItems``/``maxItems``,
  ``anyOf``/``oneOf`` and local ``$ref`` into ``$defs``/``definitions``).

Field names steer the values (``email`` gets an address, ``city`` a city, ``*_at`` a timestamp...), so bodies
look like production data rather than random strings.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import random
import types
import typing
import uuid as _uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import DEFAULT_NOW, JSON, Seed, as_rng, dumps, iso_ms, uuid4

PayloadSpec: TypeAlias = type[Any] | Mapping[str, Any] | None
"""Accepted payload types: ``None`` (an :class:`Order`), a dataclass/pydantic/TypedDict class or a JSON Schema
dict.
"""

_MAX_DEPTH = 6


@dataclasses.dataclass(frozen=True)
class Address:
    """A postal address inside an :class:`Order`."""

    street: str
    city: str
    state: str
    zip: str
    country: str


@dataclasses.dataclass(frozen=True)
class Customer:
    """The buyer of an :class:`Order`."""

    id: str
    name: str
    email: str
    address: Address


@dataclasses.dataclass(frozen=True)
class LineItem:
    """One order line; ``unitPrice`` in the order's currency."""

    sku: str
    name: str
    quantity: int
    unitPrice: float


@dataclasses.dataclass(frozen=True)
class Order:
    """The default payload: an e-commerce order whose ``total`` equals the sum of its lines."""

    orderId: str
    createdAt: str
    status: str
    currency: str
    customer: Customer
    items: list[LineItem]
    total: float


ORDER_STATUSES = ("PLACED", "PAID", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED")


def line_item(rng: random.Random) -> dict[str, Any]:
    """One realistic order line as a JSON dict."""
    sku, name, quantity, price = _draw_line(rng)
    return {"sku": sku, "name": name, "quantity": quantity, "unitPrice": price}


def _draw_line(rng: random.Random) -> tuple[str, str, int, float]:
    r = rng.random
    return f"SKU-{int(r() * 89_999) + 10_000}", _fake.product(rng), int(r() * 5) + 1, (int(r() * 49_800) + 199) / 100


_Drawn = tuple[str, str, str, str, str, str, str, str, str, str, str]


def _draw_order(rng: random.Random, now: float) -> _Drawn:
    """The random scalars of an order, drawn in one fixed order (shared by the dict and the text renderers)."""
    r = rng.random
    first, last = _fake.first_name(rng), _fake.last_name(rng)
    city, state, zip_code = _fake.place(rng)
    return (
        uuid4(rng),
        iso_ms(now - int(r() * 3_600)),
        ORDER_STATUSES[int(r() * len(ORDER_STATUSES))],
        f"cus_{rng.getrandbits(48):012x}",
        f"{first} {last}",
        _fake.email(rng, first, last),
        _fake.street_address(rng),
        city,
        state,
        zip_code,
        "US",
    )


def order(rng: random.Random, now: float = DEFAULT_NOW, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A realistic :class:`Order` as a JSON dict (the fast path behind ``payload(None)``).

    The address is consistent (the ZIP code lies in the city's state) and the total is the sum of the lines.
    """
    lines = items if items is not None else [line_item(rng) for _ in range(int(rng.random() * 3) + 1)]
    total = round(sum(item["quantity"] * item["unitPrice"] for item in lines), 2)
    oid, created, status, cid, name, mail, street, city, state, zip_code, country = _draw_order(rng, now)
    return {
        "orderId": oid,
        "createdAt": created,
        "status": status,
        "currency": "USD",
        "customer": {
            "id": cid,
            "name": name,
            "email": mail,
            "address": {"street": street, "city": city, "state": state, "zip": zip_code, "country": country},
        },
        "items": lines,
        "total": total,
    }


def order_json(rng: random.Random, now: float = DEFAULT_NOW) -> str:
    """``dumps(order(rng, now))`` -- the same text for the same ``rng`` state -- rendered without building
    the dict (the hot path of SQS, SNS, Kinesis and Kafka bodies). Every drawn string comes from the word
    lists, which hold no character JSON escapes, so the values are written as they are.
    """
    lines = [_draw_line(rng) for _ in range(int(rng.random() * 3) + 1)]
    total = round(sum(quantity * price for _, _, quantity, price in lines), 2)
    oid, created, status, cid, name, mail, street, city, state, zip_code, country = _draw_order(rng, now)
    items = ",".join(
        [
            f'{{"sku":"{sku}","name":"{title}","quantity":{quantity},"unitPrice":{price!r}}}'
            for sku, title, quantity, price in lines
        ]
    )
    return (
        f'{{"orderId":"{oid}","createdAt":"{created}","status":"{status}","currency":"USD",'
        f'"customer":{{"id":"{cid}","name":"{name}","email":"{mail}","address":{{"street":"{street}",'
        f'"city":"{city}","state":"{state}","zip":"{zip_code}","country":"{country}"}}}},'
        f'"items":[{items}],"total":{total!r}}}'
    )


def leaf_string(name: str, rng: random.Random, fmt: str | None = None, now: float = DEFAULT_NOW) -> str:
    """A realistic string for a field called ``name`` (or with JSON Schema ``format`` ``fmt``)."""
    key = name.lower().replace("-", "_")
    if fmt in ("email",) or "email" in key:
        return _fake.email(rng)
    if fmt == "date-time" or (key.endswith(("_at", "at", "time", "timestamp")) and not key.endswith("format")):
        return iso_ms(now - rng.randrange(0, 86_400))
    if fmt == "date" or key.endswith("date"):
        return iso_ms(now - rng.randrange(0, 86_400 * 365))[:10]
    if fmt == "uuid" or key in ("id", "uuid") or key.endswith(("_id", "id")):
        return uuid4(rng)
    if fmt in ("ipv4", "ip") or key.endswith("ip"):
        return _fake.ipv4(rng)
    if fmt in ("uri", "url") or key.endswith(("url", "uri")):
        return f"https://www.{_fake.word(rng)}.example.com/{_fake.word(rng)}"
    table: dict[str, Callable[[random.Random], str]] = {
        "name": _fake.full_name,
        "first_name": _fake.first_name,
        "firstname": _fake.first_name,
        "last_name": _fake.last_name,
        "lastname": _fake.last_name,
        "city": _fake.city,
        "street": _fake.street_address,
        "address": _fake.street_address,
        "state": _fake.state_abbr,
        "zip": _fake.postcode,
        "postcode": _fake.postcode,
        "company": _fake.company,
        "user_agent": _fake.user_agent,
        "username": _fake.username,
        "user": _fake.username,
        "status": lambda r: r.choice(ORDER_STATUSES),
        "currency": lambda r: r.choice(("USD", "EUR", "GBP")),
        "country": lambda r: r.choice(("US", "GB", "DE", "FR", "JP")),
        "sku": lambda r: f"SKU-{r.randrange(10_000, 99_999)}",
    }
    for suffix, make in table.items():
        if key == suffix or key.endswith("_" + suffix):
            return make(rng)
    if key in ("description", "comment", "message", "text", "note", "subject"):
        return _fake.sentence(rng)
    return _fake.word(rng)


def leaf_number(
    name: str, rng: random.Random, integer: bool, low: float | None = None, high: float | None = None
) -> float:
    """A realistic number for a field called ``name`` within ``[low, high]``."""
    key = name.lower()
    if low is None and high is None:
        if any(w in key for w in ("price", "amount", "total", "cost")):
            low, high = 1, 500
        elif any(w in key for w in ("qty", "quantity", "count")):
            low, high = 1, 10
        else:
            low, high = 0, 1000
    lo = 0 if low is None else low
    hi = lo + 1000 if high is None else high
    if integer:
        return rng.randint(int(lo), int(hi))
    return round(rng.uniform(lo, hi), 2)


def _from_type(tp: Any, name: str, rng: random.Random, depth: int, now: float) -> JSON:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is object:
        return leaf_string(name, rng, now=now)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _from_type(options[rng.randrange(len(options))], name, rng, depth, now) if options else None
    if origin is typing.Literal:
        return args[rng.randrange(len(args))]
    if origin in (typing.Annotated,):
        return _from_type(args[0], name, rng, depth, now)
    if origin in (list, set, frozenset, tuple) or tp in (list, set, tuple):
        if depth >= _MAX_DEPTH:
            return []
        item = args[0] if args else str
        return [_from_type(item, name, rng, depth + 1, now) for _ in range(rng.randint(1, 3))]
    if origin is dict or tp is dict:
        value_tp = args[1] if len(args) == 2 else str
        return {_fake.word(rng): _from_type(value_tp, name, rng, depth + 1, now) for _ in range(rng.randint(1, 3))}
    if tp is bool:
        return rng.random() < 0.5
    if tp is int:
        return leaf_number(name, rng, True)
    if tp in (float, decimal.Decimal):
        return leaf_number(name, rng, False)
    if tp is str:
        return leaf_string(name, rng, now=now)
    if tp is _dt.datetime:
        return iso_ms(now - rng.randrange(0, 86_400))
    if tp is _dt.date:
        return iso_ms(now - rng.randrange(0, 86_400 * 365))[:10]
    if tp is _uuid.UUID:
        return uuid4(rng)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return list(tp)[rng.randrange(len(tp))].value
    if isinstance(tp, type):
        if depth >= _MAX_DEPTH:
            return {}
        return {field: _from_type(hint, field, rng, depth + 1, now) for field, hint in fields_of(tp).items()}
    raise ConfigError(f"payload field {name!r} has type {tp!r}, which lambdachaos cannot generate; use a JSON Schema")


def fields_of(cls: type[Any]) -> dict[str, Any]:
    """The ``{field name: type}`` of a dataclass, pydantic model or TypedDict (JSON field names, aliases
    applied).
    """
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, Mapping):  # pydantic v2
        return {(info.alias or name): info.annotation for name, info in model_fields.items()}
    if dataclasses.is_dataclass(cls) or typing.is_typeddict(cls):
        return dict(typing.get_type_hints(cls))
    raise ConfigError(
        f"payload={cls!r} is not a dataclass, pydantic model, TypedDict or JSON Schema dict; pass one of those"
    )


def _from_schema(
    schema: Mapping[str, Any], root: Mapping[str, Any], name: str, rng: random.Random, depth: int, now: float
) -> JSON:
    if "$ref" in schema:
        ref = str(schema["$ref"])
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part] if part else target
        return _from_schema(target, root, name, rng, depth, now)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][rng.randrange(len(schema["enum"]))]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _from_schema(options[rng.randrange(len(options))], root, name, rng, depth, now)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_from_schema(part, root, name, rng, depth, now))
        return merged
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        if depth >= _MAX_DEPTH:
            return {}
        props: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", props))
        return {
            k: _from_schema(v, root, k, rng, depth + 1, now)
            for k, v in props.items()
            if k in required or rng.random() < 0.7
        }
    if kind == "array":
        low = int(schema.get("minItems", 1))
        high = max(low, int(schema.get("maxItems", low + 2)))
        items = schema.get("items", {"type": "string"})
        return (
            []
            if depth >= _MAX_DEPTH
            else [
                _from_schema(items, root, name, rng, depth + 1, now)
                for _ in range(rng.randint(low, min(high, low + 3)))
            ]
        )
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        return leaf_number(name, rng, kind == "integer", low, high)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    text = leaf_string(name, rng, schema.get("format"), now)
    min_len, max_len = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(text) < min_len:
        text = (text + "x" * min_len)[: max(min_len, len(text))]
    return text[: int(max_len)] if max_len is not None else text


def payload(spec: PayloadSpec = None, *, seed: Seed = None, now: float = DEFAULT_NOW) -> JSON:
    """Generate one JSON-compatible payload of the shape ``spec`` describes (see :data:`PayloadSpec`)."""
    rng = as_rng(seed, "payload")
    if spec is None or spec is Order:
        return order(rng, now)
    if isinstance(spec, Mapping):
        return _from_schema(spec, spec, "root", rng, 0, now)
    if isinstance(spec, type):
        return _from_type(spec, spec.__name__, rng, 0, now)
    raise ConfigError(
        f"payload={spec!r} ({type(spec).__name__}) is not a payload type; pass None, a dataclass, "
        "a pydantic model, a TypedDict or a JSON Schema dict"
    )


def payload_json(spec: PayloadSpec = None, *, seed: Seed = None, now: float = DEFAULT_NOW) -> str:
    """:func:`payload` serialised as compact JSON text (the form SQS bodies and SNS messages carry)."""
    if spec is None or spec is Order:
        return order_json(as_rng(seed, "payload"), now)
    return dumps(payload(spec, seed=seed, now=now))
