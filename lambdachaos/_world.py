"""What every simulated resource shares: the clock, the seeded random source, the account and the
wall-clock epoch that virtual time zero corresponds to.

Randomness is split into named streams (``world.stream("ids")``) so that adding a draw in one part
of the simulator never shifts the values drawn in another part: a stream's seed is a hash of the
simulation seed and the stream name (never Python's randomised ``hash``).
"""

from __future__ import annotations

import hashlib
import random
import threading
from datetime import UTC, datetime
from typing import Any, Final, final

from lambdachaos._arn import partition_of
from lambdachaos._clock import NS_PER_SECOND, Clock
from lambdachaos._timestamps import iso_ms_z, iso_z

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ACCOUNT_ID: Final = "123456789012"
_UUID_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_V4: Final = (0x4000 << 64) | (0x8000 << 48)
DEFAULT_EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""Wall-clock instant of virtual time zero unless a simulation says otherwise."""


_blake2b: Final = hashlib.blake2b
_from_bytes: Final = int.from_bytes


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed derived from ``seed`` and ``parts``, stable across processes and platforms."""
    text = "\x1f".join([str(seed), *(str(p) for p in parts)])
    return _from_bytes(_blake2b(text.encode(), digest_size=8).digest(), "big")


_Random: Final = random.Random
_seed_mt: Final = random.Random.__base__.seed  # type: ignore[union-attr]  # the C seeding, without the Python layer
_new_random: Final = random.Random.__new__
_FIRST_DRAW: Final = threading.Lock()


def _seed_now(rng: Any) -> None:
    with _FIRST_DRAW:  # two threads drawing first at once seed it once
        if rng.__class__ is _Unseeded:
            seed, name = rng.__dict__.pop("_pending_seed")
            _seed_mt(rng, _stream_seed(seed, name))
            rng.__class__ = _Random  # type: ignore[assignment]  # same layout: a plain Random from now on


class _Unseeded(random.Random):
    """A named stream not seeded yet: seeding costs a few microseconds, and some streams of a short scenario
    are never drawn from. The first call that reads or replaces the generator's state seeds it exactly as
    ``random.Random(seed)`` would and turns the object into a plain ``random.Random``; every later call runs
    at the generator's own speed, and the values drawn are those of ``random.Random(seed)``."""

    # The pending state is the simulation seed and the stream name, in ``_pending_seed`` (removed once seeded).
    # Every drawing method of ``random.Random`` goes through ``random``, ``getrandbits`` or ``randbytes``; the
    # state methods are covered too, so that a saved or replaced state is the seeded generator's. Bound methods
    # taken before the first draw (``gauss`` keeps ``self.random``) stay valid after it: they call
    # ``random.Random``'s own methods.

    def random(self) -> float:
        """The next float in [0, 1)."""
        _seed_now(self)
        return _Random.random(self)

    def getrandbits(self, k: int, /) -> int:
        """An integer of ``k`` random bits."""
        _seed_now(self)
        return _Random.getrandbits(self, k)

    def randbytes(self, n: int) -> bytes:
        """``n`` random bytes."""
        _seed_now(self)
        return _Random.randbytes(self, n)

    def getstate(self) -> tuple[Any, ...]:
        """The seeded generator's state."""
        _seed_now(self)
        return _Random.getstate(self)

    def setstate(self, state: tuple[Any, ...]) -> None:
        """Replace the generator's state."""
        _seed_now(self)
        _Random.setstate(self, state)

    def seed(self, a: Any = None, version: int = 2) -> None:
        """Seed again (the pending seed is dropped)."""
        _seed_now(self)
        _Random.seed(self, a, version)

    def __reduce__(self) -> Any:
        _seed_now(self)
        return _Random.__reduce__(self)


def _stream_seed(seed: int, name: str) -> int:
    """``derive_seed(seed, name)`` for one stream name."""
    return _from_bytes(_blake2b(f"{seed}\x1f{name}".encode(), digest_size=8).digest(), "big")


def _unseeded(seed: int, name: str) -> random.Random:
    rng: Any = _new_random(_Unseeded)
    rng.gauss_next = None
    rng._pending_seed = (seed, name)
    return rng  # type: ignore[no-any-return]


@final
class World:
    """Shared context of one simulated account and region."""

    __slots__ = ("_streams", "account_id", "clock", "epoch_ns", "keep_history", "region", "seed")

    def __init__(
        self,
        *,
        seed: int = 0,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        epoch: datetime = DEFAULT_EPOCH,
        clock: Clock | None = None,
    ) -> None:
        if epoch.tzinfo is None:
            raise ValueError(f"epoch={epoch!r} has no time zone; give an aware datetime such as one in UTC")
        self.seed = seed
        self.keep_history = True
        """False when resources may forget finished items (a ``stream`` or ``summary`` ledger run)."""
        self.region = region
        self.account_id = account_id
        self.clock = clock if clock is not None else Clock()
        self.epoch_ns = int(epoch.timestamp()) * NS_PER_SECOND + epoch.microsecond * 1_000
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        """The named random stream (created on first use, seeded from the simulation seed and the name on its
        first draw)."""
        rng = self._streams.get(name)
        if rng is None:
            rng = self._streams[name] = _unseeded(self.seed, name)
        return rng

    def rng_for(self, *parts: object) -> random.Random:
        """A fresh random source for one decision (for example a record and an attempt)."""
        return random.Random(derive_seed(self.seed, *parts))

    def uuid(self, stream: str = "ids") -> str:
        """A version-4 UUID string drawn from the named stream."""
        h = f"{(self.stream(stream).getrandbits(128) & _UUID_CLEAR) | _UUID_V4:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, nbytes: int, stream: str = "ids") -> str:
        """``nbytes`` random bytes as lower-case hex, drawn from the named stream."""
        return self.stream(stream).getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()

    # --- wall-clock renderings of virtual time -------------------------------------------------
    def wall_ns(self, virtual_ns: int | None = None) -> int:
        """Epoch nanoseconds of a virtual instant (default: now)."""
        return self.epoch_ns + (self.clock.now_ns if virtual_ns is None else virtual_ns)

    def epoch_ms(self, virtual_ns: int | None = None) -> int:
        """Epoch milliseconds of a virtual instant (SQS ``SentTimestamp`` style)."""
        return self.wall_ns(virtual_ns) // 1_000_000

    def epoch_s(self, virtual_ns: int | None = None) -> float:
        """Epoch seconds with millisecond precision (Kinesis ``approximateArrivalTimestamp`` style)."""
        return self.epoch_ms(virtual_ns) / 1000

    def iso_ms(self, virtual_ns: int | None = None) -> str:
        """ISO-8601 UTC with milliseconds and ``Z`` (destination record ``timestamp`` style)."""
        return iso_ms_z(self.epoch_ms(virtual_ns))

    def iso_s(self, virtual_ns: int | None = None) -> str:
        """ISO-8601 UTC with second precision and ``Z`` (EventBridge ``time`` style)."""
        return iso_z(self.wall_ns(virtual_ns) // NS_PER_SECOND)

    def arn(self, service: str, resource: str) -> str:
        """An ARN in this world's partition (from its region: ``aws``, ``aws-cn``, ``aws-us-gov``), region and
        account."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"

    @property
    def partition(self) -> str:
        """The ARN partition of this world's region."""
        return partition_of(self.region)
