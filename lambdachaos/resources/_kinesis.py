"""A Kinesis data stream modelled natively on the virtual clock.

Shards split the 128-bit hash key space evenly, as ``CreateStream`` does; a record goes to the shard
whose range holds the MD5 of its partition key (or its explicit hash key). Sequence numbers are
56-digit decimal strings that increase within a shard. Records older than the retention period are
trimmed lazily; outside a full ledger the trimmed records no reader still needs are released (``trim``).
AWS pages: "Kinesis Data Streams terminology and concepts", "PutRecord",
"GetShardIterator", "GetRecords".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._world import World

HASH_SPACE: Final = 1 << 128
RETENTION_MIN_H: Final = 24
RETENTION_MAX_H: Final = 8_760
MAX_SHARDS: Final = 500
MAX_RECORD_BYTES: Final = 1_048_576
GET_RECORDS_LIMIT: Final = 10_000


class PutInterceptor(Protocol):
    """The simulated service's delivery-fault hook on one stream (at most one; ``None`` costs nothing):
    called after each record is stored, before the stream's listeners hear of the put."""

    def after_put(self, stream: KinesisStream, record: StreamRecord) -> None: ...


@final
class StreamRecord:
    """One stored record: data, partition key, 56-digit sequence number and arrival time (virtual ns)."""

    __slots__ = ("arrival_ns", "data", "event_id", "partition_key", "sequence_number", "shard")

    def __init__(self, shard: Shard, sequence_number: str, data: bytes, partition_key: str, arrival_ns: int) -> None:
        self.shard = shard
        self.sequence_number = sequence_number
        self.data = data
        self.partition_key = partition_key
        self.arrival_ns = arrival_ns
        self.event_id = f"{shard.shard_id}:{sequence_number}"
        """The Lambda ``eventID`` (``shardId-…:<sequence number>``), also the record's ledger id."""

    @property
    def arrival(self) -> float:
        """Virtual time the record was put, in seconds (``ApproximateArrivalTimestamp`` relative to the start)."""
        return self.arrival_ns / 1e9

    def __repr__(self) -> str:
        return f"<StreamRecord {self.event_id} key={self.partition_key!r}>"


@final
class Shard:
    """One shard: its hash key range and its records in sequence order (``trimmed`` are expired)."""

    __slots__ = ("_next_seq", "ending_hash_key", "index", "records", "released", "shard_id", "starting_hash_key",
                 "trimmed")

    def __init__(self, index: int, start: int, end: int, first_sequence: int) -> None:
        self.index = index
        self.shard_id = f"shardId-{index:012d}"
        self.starting_hash_key = start
        self.ending_hash_key = end
        self.records: list[StreamRecord] = []
        self.trimmed = 0
        """Number of leading records removed by retention (indexes below it are gone)."""
        self.released = 0
        """Number of leading records whose objects were released (each index below it holds :data:`RELEASED`)."""
        self._next_seq = first_sequence


RELEASED: Final = StreamRecord.__new__(StreamRecord)
"""What ``shard.records`` holds at the index of a released record (indexes stay those of the sequence)."""
for _name, _value in (("data", b""), ("partition_key", ""), ("sequence_number", ""), ("event_id", ""),
                      ("arrival_ns", -1)):
    setattr(RELEASED, _name, _value)


@final
class KinesisStream:
    """A Kinesis data stream: ``put_record(s)``, shard iterators and ``get_records`` on the virtual clock.

    Listeners added with :meth:`on_records` are called with the stream after every put;
    :meth:`on_put` listeners with each stored record.
    """

    def __init__(self, world: World, name: str, *, shards: int = 1, retention_period_hours: int = 24) -> None:
        if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
            raise ConfigError(f"shards={shards!r}: ShardCount must be between 1 and {MAX_SHARDS}")
        if (isinstance(retention_period_hours, bool) or not isinstance(retention_period_hours, int)
                or not RETENTION_MIN_H <= retention_period_hours <= RETENTION_MAX_H):
            raise ConfigError(
                f"retention_period_hours={retention_period_hours!r}: RetentionPeriodHours must be between "
                f"{RETENTION_MIN_H} and {RETENTION_MAX_H:,}"
            )
        self.world = world
        self.name = name
        self.arn = world.arn("kinesis", f"stream/{name}")
        """``StreamARN``."""
        self.retention_period_hours = retention_period_hours
        rng = world.stream(f"kinesis:{self.arn}")
        self._rng = rng
        self.shards: list[Shard] = []
        for i in range(shards):
            start = i * HASH_SPACE // shards
            end = (i + 1) * HASH_SPACE // shards - 1
            first = int("49" + str(rng.randrange(10**53, 10**54)))
            self.shards.append(Shard(i, start, end, first))
        self._listeners: list[Callable[[KinesisStream], object]] = []
        self._positions: dict[Callable[[KinesisStream], object], Callable[[Shard], int] | None] = {}
        self._put_listeners: list[Callable[[StreamRecord], object]] = []
        self._interceptor: PutInterceptor | None = None

    def on_records(self, callback: Callable[[KinesisStream], object], *,
                   position: Callable[[Shard], int] | None = None) -> Callable[[], None]:
        """Call ``callback(stream)`` after every put; returns an unsubscribe function.

        A reader that passes ``position(shard)`` (the lowest index of ``shard.records`` it may still read) lets
        the stream release the records it has passed once retention trims them (:meth:`trim`); a listener
        without ``position`` keeps every record.
        """
        self._listeners.append(callback)
        self._positions[callback] = position

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)
                self._positions.pop(callback, None)

        return unsubscribe

    def on_put(self, callback: Callable[[StreamRecord], object]) -> Callable[[], None]:
        """Call ``callback(record)`` for every record stored (``PutRecord``, each entry of ``PutRecords``);
        returns an unsubscribe function."""
        listeners = self._put_listeners
        listeners.append(callback)
        return lambda: listeners.remove(callback) if callback in listeners else None

    def shard_for(self, partition_key: str, explicit_hash_key: str | None = None) -> Shard:
        """The shard whose hash key range holds MD5(partition key) or the explicit hash key."""
        if explicit_hash_key is not None:
            value = int(explicit_hash_key)
        else:
            value = int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")
        n = len(self.shards)
        index = min(value * n // HASH_SPACE, n - 1)
        shard = self.shards[index]
        while value < shard.starting_hash_key:
            shard = self.shards[shard.index - 1]
        while value > shard.ending_hash_key:
            shard = self.shards[shard.index + 1]
        return shard

    def _append(self, data: bytes | str, partition_key: str, explicit_hash_key: str | None) -> StreamRecord:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if not isinstance(partition_key, str) or not 1 <= len(partition_key) <= 256:
            raise ConfigError(f"partition_key={partition_key!r}: PartitionKey must be 1 to 256 characters")
        if len(raw) + len(partition_key.encode()) > MAX_RECORD_BYTES:
            raise ConfigError(f"a record of {len(raw):,} bytes is over the 1 MiB Kinesis record limit")
        shard = self.shard_for(partition_key, explicit_hash_key)
        seq = shard._next_seq
        shard._next_seq = seq + 1 + self._rng.getrandbits(20)
        record = StreamRecord(shard, f"{seq:056d}", raw, partition_key, self.world.clock.now_ns)
        shard.records.append(record)
        for listener in self._put_listeners:
            listener(record)
        if self._interceptor is not None:
            self._interceptor.after_put(self, record)
        return record

    def put_record(self, data: bytes | str, partition_key: str, *, explicit_hash_key: str | None = None
                   ) -> dict[str, str]:
        """``PutRecord``: returns ``{"ShardId", "SequenceNumber"}``."""
        record = self._append(data, partition_key, explicit_hash_key)
        self._notify()
        return {"ShardId": record.shard.shard_id, "SequenceNumber": record.sequence_number}

    def put_records(self, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
        """``PutRecords``: entries of ``{"Data", "PartitionKey"[, "ExplicitHashKey"]}``, in order."""
        out = []
        for entry in entries:
            record = self._append(entry["Data"], entry["PartitionKey"], entry.get("ExplicitHashKey"))
            out.append({"ShardId": record.shard.shard_id, "SequenceNumber": record.sequence_number})
        self._notify()
        return out

    def put(
        self, items: Iterable[bytes | str], *, partition_key: Callable[[int], str] | str = "pk"
    ) -> list[StreamRecord]:
        """Put many data blobs; ``partition_key`` is a fixed key or a function of the item's index."""
        out = [self._append(item, partition_key if isinstance(partition_key, str) else partition_key(i), None)
               for i, item in enumerate(items)]
        self._notify()
        return out

    def _notify(self) -> None:
        for listener in tuple(self._listeners):
            listener(self)

    # ---- retention and reading ----------------------------------------------------------------
    def trim(self) -> None:
        """Drop records older than the retention period (done lazily on every read).

        A trimmed record is out of reach of new iterators and mappings (``TRIM_HORIZON`` starts after it).
        Outside a full ledger (``world.keep_history`` false) its object is also released once every reader
        has passed it, so memory follows the retention period, not the stream's whole history: in
        ``shard.records`` its index then holds :data:`RELEASED`. Records are kept while any ``on_records``
        listener does not report its position.
        """
        limit = self.world.clock.now_ns - self.retention_period_hours * 3600 * NS_PER_SECOND
        release = not self.world.keep_history and None not in self._positions.values()
        for shard in self.shards:
            records = shard.records
            i = shard.trimmed
            while i < len(records) and records[i].arrival_ns <= limit:
                i += 1
            shard.trimmed = i
            if release and i > shard.released:
                self._release(shard)

    def _release(self, shard: Shard) -> None:
        upto = shard.trimmed
        for position in self._positions.values():
            if position is not None:
                upto = min(upto, position(shard))
        records = shard.records
        for i in range(shard.released, upto):
            records[i] = RELEASED
        shard.released = max(shard.released, upto)

    def get_shard_iterator(
        self, shard_id: str, shard_iterator_type: str, *, starting_sequence_number: str | None = None,
        timestamp: float | None = None,
    ) -> str:
        """``GetShardIterator``: TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP (virtual seconds)."""
        self.trim()
        shard = next((s for s in self.shards if s.shard_id == shard_id), None)
        if shard is None:
            raise ConfigError(f"shard_id={shard_id!r}: no such shard in stream {self.name}")
        records = shard.records
        if shard_iterator_type == "TRIM_HORIZON":
            pos = shard.trimmed
        elif shard_iterator_type == "LATEST":
            pos = len(records)
        elif shard_iterator_type in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            if starting_sequence_number is None:
                raise ConfigError(f"{shard_iterator_type} needs starting_sequence_number")
            pos = next((i for i, r in enumerate(records) if r.sequence_number >= starting_sequence_number),
                       len(records))
            if shard_iterator_type == "AFTER_SEQUENCE_NUMBER" and pos < len(records) and \
                    records[pos].sequence_number == starting_sequence_number:
                pos += 1
        elif shard_iterator_type == "AT_TIMESTAMP":
            at = round((timestamp or 0.0) * NS_PER_SECOND)
            pos = next((i for i, r in enumerate(records) if r.arrival_ns >= at), len(records))
        else:
            raise ConfigError(f"shard_iterator_type={shard_iterator_type!r} is not a ShardIteratorType")
        return f"{self.name}|{shard.index}|{max(pos, shard.trimmed)}"

    def get_records(self, shard_iterator: str, *, limit: int = GET_RECORDS_LIMIT) -> dict[str, Any]:
        """``GetRecords``: up to ``limit`` records from the iterator, the next iterator and ``MillisBehindLatest``."""
        self.trim()
        name, index, pos = shard_iterator.rsplit("|", 2)
        shard = self.shards[int(index)]
        start = max(int(pos), shard.trimmed)
        chosen = shard.records[start:start + limit]
        epoch = self.world.epoch_ns
        now = self.world.clock.now_ns
        behind = (now - chosen[-1].arrival_ns) // 1_000_000 if chosen else 0
        return {
            "Records": [{"SequenceNumber": r.sequence_number,
                         "ApproximateArrivalTimestamp": ((epoch + r.arrival_ns) // 1_000_000) / 1000,
                         "Data": r.data, "PartitionKey": r.partition_key} for r in chosen],
            "NextShardIterator": f"{name}|{index}|{start + len(chosen)}",
            "MillisBehindLatest": behind,
        }

    def __repr__(self) -> str:
        count = sum(len(s.records) - s.released for s in self.shards)
        return f"<KinesisStream {self.name} shards={len(self.shards)} records={count}>"
