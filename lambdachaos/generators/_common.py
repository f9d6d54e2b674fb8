"""Shared helpers for the event-source modules: seeded randomness, identifiers, ARNs and AWS time formats.

Every builder in :mod:`lambdachaos.generators` takes the same common keywords, documented once here:

* ``seed`` -- an ``int``, a :class:`random.Random` (used and advanced in place, so consecutive calls differ)
  or ``None`` (the fixed seed ``0``: output is deterministic even when no seed is given).
* ``region`` -- the AWS region every ARN, URL and ``awsRegion`` field of the event uses.
* ``account_id`` -- the 12-digit account that owns the resources in the event.
* ``now`` -- the event time as epoch seconds (float). It defaults to :data:`DEFAULT_NOW`; the wall clock is
  never read.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import random
import time
from collections.abc import Callable
from typing import Any, TypeAlias

from lambdachaos._errors import ConfigError

Seed: TypeAlias = int | random.Random | None
"""Accepted ``seed`` values: an int, a ``random.Random`` or ``None`` (seed 0)."""

JSON: TypeAlias = Any
"""A JSON-compatible value (the inside of a payload dict)."""

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_NOW = 1_717_243_200.0
"""2024-06-01T12:00:00Z: the default event time, so that output never depends on the wall clock."""

_HEX = "0123456789abcdef"
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def stream_seed(seed: int, stream: str) -> int:
    """The 64-bit seed of the random stream ``stream`` for ``seed``, stable across processes and platforms."""
    text = f"{seed}\x1f{stream}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def as_rng(seed: Seed, stream: str) -> random.Random:
    """Return the random source for ``seed`` in the stream ``stream`` (a ``random.Random`` is used as is).

    An int seed (``None`` meaning 0) is combined with the stream name -- each source module draws from its own
    stream -- so the same seed never repeats values across sources (an SQS body and a DynamoDB image built
    with seed 7 share nothing).
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        seed = 0
    elif isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(
            f"seed={seed!r} ({type(seed).__name__}) is not a valid seed; pass an int, a random.Random or None"
        )
    return random.Random(stream_seed(seed, stream))


def check_count(n: int, *, name: str = "n", low: int = 1, high: int = 1_000_000) -> int:
    """Validate a record/event count and return it."""
    if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= high:
        raise ConfigError(f"{name}={n!r} is out of range; pass an int from {low} to {high}")
    return n


def partition(region: str) -> str:
    """Return the AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``) that ``region`` belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def arn(service: str, region: str, account_id: str, resource: str) -> str:
    """Build an ARN in ``region``'s partition."""
    return f"arn:{partition(region)}:{service}:{region}:{account_id}:{resource}"


def region_of_arn(value: str) -> str:
    """Return the region field of an ARN (``""`` for global ARNs)."""
    parts = value.split(":", 5)
    return parts[3] if len(parts) > 3 else ""


def account_of_arn(value: str) -> str:
    """Return the account field of an ARN."""
    parts = value.split(":", 5)
    return parts[4] if len(parts) > 4 else ""


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng``."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hex_digits(rng: random.Random, n: int, *, upper: bool = False) -> str:
    """``n`` random hex digits."""
    s = f"{rng.getrandbits(4 * n):0{n}x}"
    return s.upper() if upper else s


def decimal_digits(rng: random.Random, n: int) -> str:
    """``n`` random decimal digits, the first one non-zero."""
    return str(rng.randrange(10 ** (n - 1), 10**n))


def token(rng: random.Random, n: int, alphabet: str = _B64URL) -> str:
    """``n`` characters drawn from ``alphabet``."""
    return "".join(rng.choices(alphabet, k=n))


def upper_alnum(rng: random.Random, n: int) -> str:
    """``n`` upper-case letters and digits (request ids, physical resource ids)."""
    return token(rng, n, _UPPER_ALNUM)


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = tuple(a + b for a in _B32 for b in _B32)


def iam_id(rng: random.Random, prefix: str, n: int = 17) -> str:
    """An IAM unique id or access key id: ``prefix`` (``AIDA``, ``AROA``, ``AKIA``, ``ASIA``...) and ``n``
    characters of AWS's alphabet for them, upper-case letters and the digits 2-7 (base32).
    """
    bits = rng.getrandbits(10 * ((n + 1) // 2))
    pairs = _B32_PAIRS
    return prefix + "".join([pairs[(bits >> shift) & 1023] for shift in range(0, 5 * n, 10)])[:n]


def md5_hex(data: str | bytes) -> str:
    """Hex MD5 of ``data`` (UTF-8 for text), as SQS ``md5OfBody`` and S3 ``eTag`` use."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def b64(data: bytes) -> str:
    """Standard base64 text of ``data``."""
    return base64.b64encode(data).decode("ascii")


def as_bytes(value: JSON) -> bytes:
    """A record body as bytes: ``bytes`` as is, ``str`` as UTF-8, any other value as compact JSON."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else dumps(value)).encode()


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(value: JSON) -> str:
    """Compact, deterministic JSON (insertion order kept), as AWS services send it."""
    return _ENCODE(value)


def to_ms(now: float) -> int:
    """Epoch seconds to epoch milliseconds."""
    return round(now * 1000)


@functools.lru_cache(maxsize=8192)
def _iso_seconds(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def iso_ms(now: float) -> str:
    """``2024-06-01T12:00:00.000Z``: ISO 8601 with milliseconds (S3 ``eventTime``, SNS ``Timestamp``)."""
    ms = to_ms(now)
    return f"{_iso_seconds(ms // 1000)}.{ms % 1000:03d}Z"


def iso_s(now: float) -> str:
    """``2024-06-01T12:00:00Z``: ISO 8601 to the second (EventBridge ``time``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(now)))


def clf_time(now: float) -> str:
    """``01/Jun/2024:12:00:00 +0000``: the common-log-format time of API Gateway ``requestTime``."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(int(now)))


def many(build: Callable[..., dict[str, Any]], n: int, seed: Seed, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """Call ``build`` ``n`` times with one shared random source (shared by every ``events(n)`` builder).

    The stream is the builder's module, so ``events(n, seed=s)[0] == event(seed=s)``.
    """
    rng = as_rng(seed, build.__module__.rpartition(".")[2])
    return [build(seed=rng, **kwargs) for _ in range(check_count(n))]


def role_arn(rng: random.Random, region: str, account_id: str, name: str = "lambda-exec") -> str:
    """An IAM role ARN (global service, so no region)."""
    return f"arn:{partition(region)}:iam::{account_id}:role/{name}-{upper_alnum(rng, 8).lower()}"


def request_id(rng: random.Random) -> str:
    """A Lambda/API Gateway style request id (UUID)."""
    return uuid4(rng)


class LazyRng:
    """Resolve a :data:`Seed` only when a value must actually be drawn (fast full overrides)."""

    __slots__ = ("_rng", "_seed", "_stream")

    def __init__(self, seed: Seed, stream: str) -> None:
        self._seed = seed
        self._stream = stream
        self._rng = seed if isinstance(seed, random.Random) else None

    def get(self) -> random.Random:
        """The random source, created on first use."""
        if self._rng is None:
            self._rng = as_rng(self._seed, self._stream)
        return self._rng
