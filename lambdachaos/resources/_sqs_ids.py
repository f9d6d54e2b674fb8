"""Message ids of a queue: version-4 UUIDs drawn from the queue's random stream, one at a time or many at once.

A queue's stream gives the same ids in the same order however they are drawn: ``getrandbits(128 * k)`` takes
the generator's next ``4 * k`` words, least significant first, exactly as ``k`` calls of ``getrandbits(128)``
do, so id ``j`` of a bulk draw is bits ``128 * j`` up of the one big integer. :func:`many` masks and
hex-formats all of them together and places the hex digits into a preformatted ``8-4-4-4-12`` layout with
one strided copy per digit position: 0.15-0.18 µs an id in blocks of 128 or more, 0.34 µs in blocks of 32,
against 0.56-0.64 µs one at a time (most of which is cutting the hex string into groups).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, final

_KEEP: Final = ((1 << 128) - 1) & ~(0xF000 << 64) & ~(0xC000 << 48)  # all but the version and variant bits
_SET: Final = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant
_LAYOUT: Final = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\n"
_WIDTH: Final = len(_LAYOUT)
_COLUMNS: Final = tuple(zip((i for i, c in enumerate(_LAYOUT) if c == ord("x")), range(32), strict=True))
"""(position in the layout, position in the 32 hex digits) of each digit."""
BULK_FROM: Final = 24
"""Below this many ids, :func:`many` draws them one at a time (the 32 strided copies cost more)."""
MAX_BLOCK: Final = 1024
"""The most ids :meth:`IdStream.take` gives at once."""
GROWN_BLOCK: Final = 256
"""The size bulk draws grow to (doubling from draw to draw) on a queue that sends in bulk again and again."""


def one(rng: random.Random) -> str:
    """The next id of ``rng``."""
    h = ((rng.getrandbits(128) & _KEEP) | _SET).to_bytes(16, "big").hex()  # faster than formatting the int
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=12)
def _masks(k: int) -> tuple[int, int, bytes]:
    return (int.from_bytes(_KEEP.to_bytes(16, "big") * k, "big"), int.from_bytes(_SET.to_bytes(16, "big") * k, "big"),
            _LAYOUT * k)


def many(rng: random.Random, k: int) -> list[str]:
    """The next ``k`` ids of ``rng``, in order: the same as ``[one(rng) for _ in range(k)]``."""
    if k < BULK_FROM:
        return [one(rng) for _ in range(k)]
    keep, set_, layout = _masks(k)
    digits = ((rng.getrandbits(128 * k) & keep) | set_).to_bytes(16 * k, "big").hex().encode()
    out = bytearray(layout)
    for at, digit in _COLUMNS:
        out[at::_WIDTH] = digits[digit::32]
    ids = out.decode().split()
    ids.reverse()  # big-endian: the last id drawn comes first
    return ids


@final
class IdStream:
    """A queue's ids in order. Ids drawn and not used yet are kept and handed out first. A bulk draw takes at
    least twice the previous one, up to :data:`GROWN_BLOCK` (a replay sending 20 messages at a time draws 256
    at once after four sends), rounded up to a power of two (few distinct sizes, so their masks stay cached);
    a queue's first bulk sends of a few messages are drawn one id at a time."""

    __slots__ = ("_block", "_rng", "_spare")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._spare: list[str] = []  # the next ids, last first
        self._block = 0  # the least the next bulk draw takes

    def one(self) -> str:
        """The next id."""
        spare = self._spare
        if spare:
            try:
                return spare.pop()
            except IndexError:  # another thread (a handler's own) took the last one meanwhile
                pass
        return one(self._rng)

    def take(self, k: int) -> list[str]:
        """The next ``k`` ids (``k`` at most :data:`MAX_BLOCK`), in order."""
        spare = self._spare
        have = min(k, len(spare))
        ids = spare[len(spare) - have:]
        del spare[len(spare) - have:]
        ids.reverse()
        need = k - have
        if need:
            block = max(need, self._block)
            if block >= BULK_FROM:
                block = 1 << (block - 1).bit_length()
            self._block = min(2 * block, GROWN_BLOCK)
            drawn = many(self._rng, block)
            ids += drawn[:need]
            self.give_back(drawn[need:])
        return ids

    def give_back(self, ids: list[str]) -> None:
        """Return ``ids``, the last ones :meth:`take` gave and not used, in order: they come next."""
        self._spare.extend(reversed(ids))


def blocks(bodies: Iterable[str]) -> Iterator[Sequence[str]]:
    """``bodies`` in consecutive slices of at most :data:`MAX_BLOCK` (a send takes each slice's ids at once).
    Bodies an iterator gave before it raised are yielded first, then the error is raised."""
    if isinstance(bodies, (list, tuple)):
        for at in range(0, len(bodies), MAX_BLOCK):
            yield bodies[at:at + MAX_BLOCK] if len(bodies) > MAX_BLOCK else bodies
        return
    it = iter(bodies)
    while True:
        chunk: list[str] = []
        try:
            chunk.extend(itertools.islice(it, MAX_BLOCK))
        except BaseException:
            if chunk:
                yield chunk
            raise
        if chunk:
            yield chunk
        if len(chunk) < MAX_BLOCK:
            return
