"""Amazon CloudWatch Logs subscription filter events as delivered to a Lambda destination.

AWS page: "Using CloudWatch Logs subscription filters" (Lambda example) and "Using Lambda with CloudWatch
Logs". The event is ``{"awslogs": {"data": ...}}`` where ``data`` is base64 of the **gzip** of a JSON
document: ``messageType`` ``DATA_MESSAGE``, ``owner`` (the account), ``logGroup``, ``logStream``,
``subscriptionFilters`` (filter names) and ``logEvents`` -- each ``{id, timestamp, message}`` with ``id`` a
56-digit decimal string and ``timestamp`` epoch **milliseconds**. Gzip output here uses a zero mtime, so the
same seed gives the same bytes.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`
(a record is one log event).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    as_rng,
    b64,
    check_count,
    dumps,
    hex_digits,
    iso_ms,
    many,
    to_ms,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "cloudwatch_logs"
BATCHING = True
VARIANTS = ("application", "lambda")
MAX_BATCH_SIZE = 10_000

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "decode", "encode", "event", "events", "record", "records"]


def encode(document: JSON) -> str:
    """``awslogs.data`` for a decoded document: base64(gzip(JSON)), deterministic (gzip mtime 0)."""
    return b64(gzip.compress(dumps(document).encode(), mtime=0))


def decode(data: str) -> Any:
    """The decoded document of an ``awslogs.data`` string (inverse of :func:`encode`)."""
    return json.loads(gzip.decompress(base64.b64decode(data)))


def _event_id(timestamp_ms: int, rng: Any) -> str:
    # Log event ids are 56 decimal digits; the leading digits grow with the ingestion time.
    return f"{timestamp_ms:013d}{rng.randrange(10**42, 10**43)}"


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    message: str | None = None,
    timestamp: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One log event ``{id, timestamp, message}``.

    ``message`` defaults to a JSON log line about a ``payload``-shaped value; ``timestamp`` (epoch ms) to
    ``now``; ``id`` to a 56-digit id derived from the timestamp.
    """
    rng = LazyRng(seed, SOURCE)
    ts = to_ms(now) if timestamp is None else timestamp
    if message is None:
        body = _payload.payload(payload, seed=rng.get(), now=now)
        line = {"level": "INFO", "timestamp": iso_ms(ts / 1000), "message": "order received", "order": body}
        message = dumps(line)
    return {"id": event_id or _event_id(ts, rng.get()), "timestamp": ts, "message": message}


def _lambda_lines(rng: Any, n: int, now: float) -> list[str]:
    request = uuid4(rng)
    lines = [f"START RequestId: {request} Version: $LATEST"]
    # Python runtime format: level, ISO time, request id and the message, tab-separated.
    lines += [f"[INFO]\t{iso_ms(now)}\t{request}\t{_fake.sentence(rng)}" for _ in range(max(0, n - 3))]
    duration = rng.randrange(2, 900) + rng.randrange(100) / 100
    lines.append(f"END RequestId: {request}")
    lines.append(
        f"REPORT RequestId: {request}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: {rng.randrange(60, 128)} MB"
    )
    return lines[-n:] if n < 3 else lines


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    bodies: Sequence[JSON] | None = None,
    variant: str = "application",
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` log events of one stream, timestamps never decreasing and at or before ``now``.

    ``bodies`` supplies the messages (strings as is, other values as JSON). ``variant`` ``lambda`` writes a
    Lambda function's own log lines (``START``, application lines, ``END``, ``REPORT``).
    """
    check_count(n, high=MAX_BATCH_SIZE)
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a CloudWatch Logs variant; use one of {VARIANTS}")
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    lines: list[str | None] = [None] * n
    if bodies is not None:
        lines = [b if isinstance(b, str) else dumps(b) for b in bodies]
    elif variant == "lambda":
        lines = list(_lambda_lines(rng, n, now))
    ts = to_ms(now) - n * 10
    out = []
    for line in lines:
        ts = min(ts + rng.randrange(0, 10), to_ms(now))
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                message=line,
                timestamp=ts,
                **overrides,
            )
        )
    return out


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None,
    *,
    n: int = 1,
    seed: Seed = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    variant: str = "application",
    log_group: str | None = None,
    log_stream: str | None = None,
    subscription_filters: Sequence[str] = ("orders-to-lambda",),
    **kwargs: Any,
) -> dict[str, Any]:
    """A full subscription event ``{"awslogs": {"data": ...}}`` holding the given log events, or ``n`` fresh
    ones (``kwargs`` as :func:`records`).

    ``log_group`` defaults to ``/aws/lambda/orders-api`` for the ``lambda`` variant (stream
    ``YYYY/MM/DD/[$LATEST]<32 hex>``) and ``/ecs/orders-api`` otherwise.
    """
    rng = as_rng(seed, SOURCE)
    batch = (
        list(records)
        if records is not None
        else _records(n, seed=rng, account_id=account_id, variant=variant, **kwargs)
    )
    day = iso_ms(batch[0]["timestamp"] / 1000)[:10].replace("-", "/") if batch else "2024/06/01"
    if variant == "lambda":
        group = log_group or "/aws/lambda/orders-api"
        stream = log_stream or f"{day}/[$LATEST]{hex_digits(rng, 32)}"
    else:
        group = log_group or "/ecs/orders-api"
        stream = log_stream or f"orders-api/app/{hex_digits(rng, 32)}"
    document = {
        "messageType": "DATA_MESSAGE",
        "owner": account_id,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": list(subscription_filters),
        "logEvents": batch,
    }
    return {"awslogs": {"data": encode(document)}}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
