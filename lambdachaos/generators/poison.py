"""The poison catalogue: malformed, oversized and semantically wrong bodies, each tagged with its kind.

A :class:`Poison` is a body (raw ``bytes``) plus the ``kind`` that names it, so a ledger or report can say
which poison a record carried. Put it into any batching source with :func:`embed`, or mix poison into a valid
batch with :func:`mix`; both return the wire records plus a ``{record identity: kind}`` map (:func:`identity`
gives a record's identity: SQS ``messageId``, Kinesis ``eventID``, DynamoDB ``eventID``, SNS ``MessageId``).

Size limits come from AWS quotas: SQS message 256 KB ("Amazon SQS message quotas"), Kinesis record 1 MB
("Amazon Kinesis Data Streams quotas"), synchronous invocation payload 6 MB ("Lambda quotas").
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from typing import Any, Final

from lambdachaos._errors import ConfigError

from . import _payload, dynamodb_streams, kinesis, sns, sqs
from ._common import DEFAULT_NOW, Seed, as_rng, dumps

SQS_MAX_MESSAGE_BYTES: Final = 262_144
KINESIS_MAX_RECORD_BYTES: Final = 1_048_576
SYNC_MAX_PAYLOAD_BYTES: Final = 6_291_456

__all__ = [
    "KINDS",
    "KINESIS_MAX_RECORD_BYTES",
    "SQS_MAX_MESSAGE_BYTES",
    "SYNC_MAX_PAYLOAD_BYTES",
    "Poison",
    "catalogue",
    "embed",
    "identity",
    "make",
    "mix",
]


@dataclasses.dataclass(frozen=True)
class Poison:
    """One poison body. ``kind`` names it; ``json_valid`` says whether the body still parses as strict JSON;
    ``schema_valid`` whether it still matches the payload schema (the default :class:`Order`)."""

    kind: str
    body: bytes
    description: str
    json_valid: bool
    schema_valid: bool = False

    @property
    def text(self) -> str:
        """The body as text (invalid UTF-8 and lone surrogates kept via ``surrogateescape``)."""
        return self.body.decode("utf-8", "surrogateescape")

    def __repr__(self) -> str:
        return f"Poison(kind={self.kind!r}, {len(self.body)} bytes)"


def _order(rng: random.Random) -> dict[str, Any]:
    return dict(_payload.order(rng, DEFAULT_NOW))


def _enc(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _truncated(rng: random.Random) -> Poison:
    text = dumps(_order(rng))
    return Poison(
        "truncated_json",
        _enc(text[: rng.randrange(len(text) // 4, len(text) - 1)]),
        "JSON cut off mid-document",
        False,
    )


def _trailing_comma(rng: random.Random) -> Poison:
    return Poison("trailing_comma", _enc(dumps(_order(rng))[:-1] + ",}"), "a comma before the closing brace", False)


def _nan(rng: random.Random) -> Poison:
    text = dumps(_order(rng)).replace('"total":', '"total":NaN,"discount":Infinity,"_t":', 1)
    return Poison("nan_infinity", _enc(text), "NaN and Infinity literals (Python accepts them, JSON does not)", False)


def _dup_keys(rng: random.Random) -> Poison:
    text = dumps(_order(rng))
    return Poison(
        "duplicate_keys",
        _enc('{"orderId":"first",' + text[1:]),
        "the same key twice (parsers keep the last)",
        True,
        schema_valid=True,
    )


def _wrong_types(rng: random.Random) -> Poison:
    o = _order(rng)
    o["total"], o["items"] = str(o["total"]), {"sku": "not-a-list"}
    return Poison("wrong_types", _enc(dumps(o)), "total as a string, items as an object", True)


def _missing(rng: random.Random) -> Poison:
    o = _order(rng)
    del o["orderId"], o["customer"]
    return Poison("missing_fields", _enc(dumps(o)), "required orderId and customer removed", True)


def _extra(rng: random.Random) -> Poison:
    o = _order(rng)
    o["__proto__"], o["legacyFlag"] = {"admin": True}, True
    return Poison("extra_fields", _enc(dumps(o)), "unexpected extra fields", True, schema_valid=True)


def _sized(kind: str, limit: int, over: bool) -> Callable[[random.Random], Poison]:
    def make(rng: random.Random) -> Poison:
        o = _order(rng)
        o["notes"] = ""
        base = len(_enc(dumps(o)))
        o["notes"] = "x" * (limit - base + (1 if over else 0))
        body = _enc(dumps(o))
        word = "over" if over else "exactly at"
        return Poison(kind, body, f"{len(body)} bytes, {word} the {limit}-byte limit", True, schema_valid=True)

    return make


def _bad_b64(rng: random.Random) -> Poison:
    return Poison("invalid_base64", b"eyJvcmRlcklkIjo*not/base64%%", "not base64 (raw Kinesis data field)", False)


def _bad_utf8(rng: random.Random) -> Poison:
    return Poison("invalid_utf8", b'{"orderId":"\xff\xfe\xc3\x28"}', "bytes that are not UTF-8", False)


def _nested(rng: random.Random) -> Poison:
    depth = 10_000
    return Poison("deeply_nested", _enc("[" * depth + "]" * depth), f"{depth} nested arrays", True)


def _out_of_range(rng: random.Random) -> Poison:
    o = _order(rng)
    o["total"], o["items"][0]["quantity"] = 10**400, -(2**63) - 1
    return Poison(
        "out_of_range_number",
        _enc(dumps(o)),
        "integers beyond float and int64 range",
        True,
        schema_valid=True,
    )


def _unicode(rng: random.Random) -> Poison:
    o = _order(rng)
    o["customer"]["name"] = "Zoe\u200b\u200f\u202eredro\u202c \U0001f9ea"
    return Poison(
        "unicode_edge",
        _enc(dumps(o)),
        "zero-width, RTL override and astral characters",
        True,
        schema_valid=True,
    )


def _surrogate(rng: random.Random) -> Poison:
    o = _order(rng)
    o["customer"]["name"] = "bad\ud800name"
    return Poison("lone_surrogate", _enc(dumps(o)), "an unpaired UTF-16 surrogate (invalid UTF-8 when encoded)", False)


def _nul(rng: random.Random) -> Poison:
    o = _order(rng)
    o["customer"]["name"] = "nul\x00byte"
    return Poison("nul_bytes", _enc(dumps(o)).replace(b"\\u0000", b"\x00"), "a raw NUL byte inside a string", False)


def _semantic(rng: random.Random) -> Poison:
    o = _order(rng)
    o["total"] = round(o["total"] + 13.37, 2)
    o["items"][0]["quantity"] = 0
    return Poison(
        "semantically_wrong",
        _enc(dumps(o)),
        "total differs from the lines; a line has quantity 0",
        True,
        schema_valid=True,
    )


_MAKERS: dict[str, Callable[[random.Random], Poison]] = {
    "truncated_json": _truncated,
    "trailing_comma": _trailing_comma,
    "nan_infinity": _nan,
    "duplicate_keys": _dup_keys,
    "wrong_types": _wrong_types,
    "missing_fields": _missing,
    "extra_fields": _extra,
    "sqs_at_limit": _sized("sqs_at_limit", SQS_MAX_MESSAGE_BYTES, False),
    "sqs_over_limit": _sized("sqs_over_limit", SQS_MAX_MESSAGE_BYTES, True),
    "kinesis_over_limit": _sized("kinesis_over_limit", KINESIS_MAX_RECORD_BYTES, True),
    "invocation_over_limit": _sized("invocation_over_limit", SYNC_MAX_PAYLOAD_BYTES, True),
    "invalid_base64": _bad_b64,
    "invalid_utf8": _bad_utf8,
    "deeply_nested": _nested,
    "out_of_range_number": _out_of_range,
    "unicode_edge": _unicode,
    "lone_surrogate": _surrogate,
    "nul_bytes": _nul,
    "semantically_wrong": _semantic,
}
KINDS: Final = (*tuple(_MAKERS), "duplicate_message_id")
"""Every poison kind; ``duplicate_message_id`` is batch-level (see :func:`mix`)."""


def make(kind: str, *, seed: Seed = None) -> Poison:
    """One poison body of ``kind`` (one of :data:`KINDS` except the batch-level ``duplicate_message_id``)."""
    if kind not in _MAKERS:
        raise ConfigError(f"kind={kind!r} is not a poison kind; use one of {tuple(_MAKERS)}")
    return _MAKERS[kind](as_rng(seed, "poison"))


def catalogue(*, seed: Seed = None, include_large: bool = False) -> list[Poison]:
    """One poison of every body kind (the multi-megabyte size kinds only with ``include_large``)."""
    rng = as_rng(seed, "poison")
    large = ("kinesis_over_limit", "invocation_over_limit")
    return [m(rng) for k, m in _MAKERS.items() if include_large or k not in large]


_EMBEDDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "sqs": lambda p, **kw: sqs.record(body=p.text, **kw),
    "kinesis": lambda p, **kw: kinesis.record(data=p.body, **kw),
    "sns": lambda p, **kw: sns.record(message=p.text, **kw),
    "dynamodb_streams": lambda p, **kw: dynamodb_streams.record(
        new_image={"orderId": "poison", "raw": p.text}, event_name="INSERT", **kw
    ),
}


def embed(source: str, poison: Poison, **overrides: Any) -> dict[str, Any]:
    """``poison`` as one wire record of ``source`` (``sqs``, ``kinesis``, ``sns``, ``dynamodb_streams``).

    ``invalid_base64`` in Kinesis replaces the base64 ``data`` field itself.
    """
    if source not in _EMBEDDERS:
        raise ConfigError(f"source={source!r} cannot carry poison; use one of {tuple(_EMBEDDERS)}")
    rec = _EMBEDDERS[source](poison, **overrides)
    if source == "kinesis" and poison.kind == "invalid_base64":
        rec["kinesis"]["data"] = poison.text
    return rec


def identity(source: str, rec: dict[str, Any]) -> str:
    """The identity a ledger uses for a wire record of ``source``."""
    if source == "sqs":
        return str(rec["messageId"])
    if source == "sns":
        return str(rec["Sns"]["MessageId"])
    return str(rec["eventID"])


def mix(
    source: str,
    valid: Sequence[dict[str, Any]],
    *,
    rate: float,
    seed: Seed = None,
    kinds: Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Replace about ``rate`` of ``valid`` with poison records (positions and kinds drawn from ``seed``).

    Returns the new batch and ``{identity: kind}`` for each poisoned record. A replacement keeps the identity
    of the record it replaces (same id, sequence number, queue), so batch invariants still hold.
    ``duplicate_message_id`` (SQS only) copies the previous record's ``messageId``.
    """
    if not 0.0 <= rate <= 1.0:
        raise ConfigError(f"rate={rate!r} is out of range; pass a fraction from 0.0 to 1.0")
    rng = as_rng(seed, "poison")
    pool = (
        tuple(kinds) if kinds is not None else tuple(k for k in KINDS if "over_limit" not in k and k != "sqs_at_limit")
    )
    out, tags = [], {}
    for i, rec in enumerate(valid):
        if rng.random() >= rate:
            out.append(rec)
            continue
        kind = rng.choice(pool)
        if kind == "duplicate_message_id":
            if source != "sqs" or i == 0:
                out.append(rec)
                continue
            dup = dict(rec)
            dup["messageId"] = out[-1]["messageId"]
            out.append(dup)
            tags[f"{dup['messageId']}#{i}"] = kind
            continue
        p = make(kind, seed=rng)
        new = _replace(source, rec, p)
        out.append(new)
        tags[identity(source, new)] = kind
    return out, tags


def _replace(source: str, rec: dict[str, Any], p: Poison) -> dict[str, Any]:
    if source == "sqs":
        return embed(
            "sqs",
            p,
            message_id=rec["messageId"],
            receipt_handle=rec["receiptHandle"],
            queue_arn=rec["eventSourceARN"],
            sent_timestamp=int(rec["attributes"]["SentTimestamp"]),
            first_receive_timestamp=int(rec["attributes"]["ApproximateFirstReceiveTimestamp"]),
            sender_id=rec["attributes"]["SenderId"],
            message_group_id=rec["attributes"].get("MessageGroupId"),
            sequence_number=rec["attributes"].get("SequenceNumber"),
        )
    if source == "kinesis":
        k = rec["kinesis"]
        return embed(
            "kinesis",
            p,
            partition_key=k["partitionKey"],
            sequence_number=k["sequenceNumber"],
            shard_id=rec["eventID"].split(":")[0],
            approximate_arrival_timestamp=k["approximateArrivalTimestamp"],
            stream_arn=rec["eventSourceARN"],
            invoke_identity_arn=rec["invokeIdentityArn"],
        )
    if source == "sns":
        return embed("sns", p, message_id=rec["Sns"]["MessageId"], topic_arn=rec["Sns"]["TopicArn"])
    d = rec["dynamodb"]
    return embed(
        "dynamodb_streams",
        p,
        event_id=rec["eventID"],
        sequence_number=d["SequenceNumber"],
        approximate_creation_date_time=d["ApproximateCreationDateTime"],
        stream_arn=rec["eventSourceARN"],
        stream_view_type=d["StreamViewType"],
        keys={"orderId": "poison"},
    )
