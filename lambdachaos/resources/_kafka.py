"""An Apache Kafka cluster (Amazon MSK or self-managed) modelled natively on the virtual clock.

A cluster holds topics of N partitions and the committed offsets of consumer groups (they outlive any
event source mapping that reads with the group). A record's offset is its position in its partition
(offsets start at 0). A keyed record goes to ``murmur2(key) % partitions`` as Kafka's default
partitioner places it; records without a key and without an explicit partition go round-robin.
Records older than the topic's ``retention_ms`` (Kafka's ``retention.ms``, default 7 days) leave the
log lazily. AWS pages: "Using Lambda with Amazon MSK", "Using Lambda with self-managed Apache Kafka";
Apache Kafka documentation, topic configuration ``retention.ms``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Protocol, final

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._world import World

RETENTION_MS_DEFAULT: Final = 604_800_000
"""Kafka's ``retention.ms`` default (168 hours), also MSK's."""
MAX_PARTITIONS: Final = 10_000
TIMESTAMP_TYPES: Final = ("CREATE_TIME", "LOG_APPEND_TIME")
_MS: Final = 1_000_000

HeadersInput = Mapping[str, bytes | str] | Sequence[tuple[str, bytes | str]] | None
"""Record headers: a mapping or ``(name, value)`` pairs (a name may repeat); text is stored as UTF-8."""


class PutInterceptor(Protocol):
    """The simulated service's delivery-fault hook on one topic: called after each record is stored."""

    def after_put(self, topic: KafkaTopic, record: KafkaRecord) -> None: ...


def murmur2(data: bytes) -> int:
    """Kafka's ``Utils.murmur2`` (seed 0x9747b28c), as a signed 32-bit int."""
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = length % 4
    base = length - tail
    if tail == 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def partition_for_key(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner for a keyed record: ``toPositive(murmur2(key)) % partitions``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def _raw(value: bytes | str | None, what: str) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise ConfigError(f"{what}={value!r}: give bytes, str or None")


@final
class KafkaRecord:
    """One record in a partition: key, value, headers, timestamp (epoch ms) and arrival (virtual ns)."""

    __slots__ = ("arrival_ns", "event_id", "headers", "key", "offset", "partition", "timestamp_ms",
                 "timestamp_type", "topic", "value")

    def __init__(self, topic: KafkaTopic, partition: int, offset: int, key: bytes | None, value: bytes | None,
                 headers: tuple[tuple[str, bytes], ...], timestamp_ms: int, timestamp_type: str,
                 arrival_ns: int) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp_ms = timestamp_ms
        self.timestamp_type = timestamp_type
        self.arrival_ns = arrival_ns
        self.event_id = f"{topic.name}-{partition}:{offset}"
        """The record's ledger id: ``<topic>-<partition>:<offset>``."""

    def __repr__(self) -> str:
        return f"<KafkaRecord {self.event_id}>"


@final
class Partition:
    """One partition's log: ``records[i].offset == i``; offsets below ``trimmed`` left the log."""

    __slots__ = ("index", "records", "trimmed")

    def __init__(self, index: int) -> None:
        self.index = index
        self.records: list[KafkaRecord] = []
        self.trimmed = 0

    @property
    def end_offset(self) -> int:
        """The offset the next record gets (Kafka's log-end offset)."""
        return len(self.records)


@final
class KafkaTopic:
    """A topic: ``produce`` records, read partitions, listen for new records."""

    def __init__(self, cluster: KafkaCluster, name: str, partitions: int, retention_ms: int) -> None:
        self.cluster = cluster
        self.name = name
        self.retention_ms = retention_ms
        self.partitions = [Partition(i) for i in range(partitions)]
        self._round_robin = 0
        self._listeners: list[Callable[[KafkaTopic], object]] = []
        self._interceptor: PutInterceptor | None = None

    @property
    def arn(self) -> str:
        """The cluster's ARN (Lambda maps a topic through its cluster's ARN)."""
        return self.cluster.arn

    def on_records(self, callback: Callable[[KafkaTopic], object]) -> Callable[[], None]:
        """Call ``callback(topic)`` after every produce; returns an unsubscribe function."""
        listeners = self._listeners
        listeners.append(callback)
        return lambda: listeners.remove(callback) if callback in listeners else None

    def _append(self, value: bytes | str | None, key: bytes | str | None, headers: HeadersInput,
                partition: int | None, timestamp_ms: int | None, timestamp_type: str) -> KafkaRecord:
        raw_value = _raw(value, "value")
        raw_key = _raw(key, "key")
        if timestamp_type not in TIMESTAMP_TYPES:
            raise ConfigError(f"timestamp_type={timestamp_type!r}: use one of {', '.join(TIMESTAMP_TYPES)}")
        count = len(self.partitions)
        if partition is None:
            if raw_key is not None:
                partition = partition_for_key(raw_key, count)
            else:
                partition = self._round_robin % count
                self._round_robin += 1
        elif isinstance(partition, bool) or not isinstance(partition, int) or not 0 <= partition < count:
            raise ConfigError(f"partition={partition!r}: topic {self.name} has partitions 0 to {count - 1}")
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        stored = tuple((str(name), _raw(v, f"headers[{name!r}]") or b"") for name, v in pairs)
        world = self.cluster.world
        now = world.clock.now_ns
        if timestamp_type == "LOG_APPEND_TIME" or timestamp_ms is None:
            timestamp_ms = world.epoch_ms(now)
        log = self.partitions[partition]
        record = KafkaRecord(self, partition, len(log.records), raw_key, raw_value, stored, timestamp_ms,
                             timestamp_type, now)
        log.records.append(record)
        if self._interceptor is not None:
            self._interceptor.after_put(self, record)
        return record

    def produce(self, value: bytes | str | None, *, key: bytes | str | None = None, headers: HeadersInput = None,
                partition: int | None = None, timestamp_ms: int | None = None,
                timestamp_type: str = "CREATE_TIME") -> KafkaRecord:
        """Produce one record; returns it (its ``partition`` and ``offset`` are set).

        ``timestamp_ms`` is the producer's ``CREATE_TIME`` in epoch milliseconds (default: now);
        with ``timestamp_type="LOG_APPEND_TIME"`` the broker's time replaces it.
        """
        record = self._append(value, key, headers, partition, timestamp_ms, timestamp_type)
        self._notify()
        return record

    def produce_many(self, values: Iterable[bytes | str | None], *,
                     key: Callable[[int], bytes | str | None] | bytes | str | None = None) -> list[KafkaRecord]:
        """Produce many values in order; ``key`` is fixed or a function of the value's index."""
        out = [self._append(v, key(i) if callable(key) else key, None, None, None, "CREATE_TIME")
               for i, v in enumerate(values)]
        self._notify()
        return out

    def _notify(self) -> None:
        for listener in tuple(self._listeners):
            listener(self)

    def trim(self) -> None:
        """Remove records older than ``retention_ms`` (done lazily on every read)."""
        limit = self.cluster.world.clock.now_ns - self.retention_ms * _MS
        for log in self.partitions:
            records = log.records
            i = log.trimmed
            while i < len(records) and records[i].arrival_ns <= limit:
                i += 1
            log.trimmed = i

    def offset_for_time(self, partition: int, epoch_s: float) -> int:
        """The first retained offset whose timestamp is at or after ``epoch_s`` (Kafka's ``offsetsForTimes``)."""
        log = self.partitions[partition]
        at = round(epoch_s * 1000)
        return next((r.offset for r in log.records[log.trimmed:] if r.timestamp_ms >= at), log.end_offset)

    def __repr__(self) -> str:
        count = sum(len(p.records) for p in self.partitions)
        return f"<KafkaTopic {self.name} partitions={len(self.partitions)} records={count}>"


@final
class KafkaCluster:
    """An Amazon MSK cluster (``self_managed=False``) or a self-managed Apache Kafka cluster.

    ``offsets`` holds each consumer group's committed offsets: ``{group: {(topic, partition): offset}}``,
    the offset being the next one the group will read.
    """

    def __init__(self, world: World, name: str, *, self_managed: bool = False,
                 bootstrap_servers: Sequence[str] | str | None = None, brokers: int = 3) -> None:
        if isinstance(brokers, bool) or not isinstance(brokers, int) or not 1 <= brokers <= 30:
            raise ConfigError(f"brokers={brokers!r}: give 1 to 30 brokers")
        self.world = world
        self.name = name
        self.self_managed = self_managed
        suffix = world.uuid("kafka")
        self.arn = world.arn("kafka", f"cluster/{name}/{suffix}-{1 + world.stream('kafka').randrange(25)}")
        """``ClusterArn`` (MSK); a self-managed cluster keeps one for the simulation's own bookkeeping."""
        if bootstrap_servers is None:
            if self_managed:
                servers = [f"kafka-{i}.{name}.internal:9092" for i in range(1, brokers + 1)]
            else:
                host = f"{name}.{suffix[:6]}.c{1 + brokers % 3}.kafka.{world.region}.amazonaws.com"
                servers = [f"b-{i}.{host}:9098" for i in range(1, brokers + 1)]
        else:
            servers = [s.strip() for s in bootstrap_servers.split(",")] if isinstance(bootstrap_servers, str) \
                else [str(s) for s in bootstrap_servers]
            if not servers or any(":" not in s for s in servers):
                raise ConfigError(f"bootstrap_servers={bootstrap_servers!r}: give host:port entries")
        self.bootstrap_servers: tuple[str, ...] = tuple(servers)
        """The brokers' ``host:port`` entries (``GetBootstrapBrokers``; Lambda sends them comma-separated)."""
        self.topics: dict[str, KafkaTopic] = {}
        self.offsets: dict[str, dict[tuple[str, int], int]] = {}
        self.consumers: dict[str, str] = {}
        """Consumer group id → the UUID of the event source mapping reading with it."""
        self.created_ns = world.clock.now_ns
        self.on_topic: list[Callable[[KafkaTopic], object]] = []
        """Called with each new topic (the simulation registers it and watches it for delivery faults)."""

    def topic(self, name: str, *, partitions: int = 1, retention_ms: int = RETENTION_MS_DEFAULT) -> KafkaTopic:
        """The topic ``name``, created with ``partitions`` partitions on first use."""
        existing = self.topics.get(name)
        if existing is not None:
            if partitions != 1 and partitions != len(existing.partitions):
                raise ConfigError(f"topic {name!r} already has {len(existing.partitions)} partitions")
            return existing
        if not name or len(name) > 249 or any(not (c.isalnum() or c in "._-") for c in name):
            raise ConfigError(f"name={name!r}: a Kafka topic name is 1 to 249 of [a-zA-Z0-9._-]")
        if isinstance(partitions, bool) or not isinstance(partitions, int) or not 1 <= partitions <= MAX_PARTITIONS:
            raise ConfigError(f"partitions={partitions!r}: give 1 to {MAX_PARTITIONS:,} partitions")
        if isinstance(retention_ms, bool) or not isinstance(retention_ms, int) or retention_ms < 1:
            raise ConfigError(f"retention_ms={retention_ms!r}: retention.ms must be a positive integer")
        topic = self.topics[name] = KafkaTopic(self, name, partitions, retention_ms)
        for hook in tuple(self.on_topic):
            hook(topic)
        return topic

    def committed(self, group: str, topic: str, partition: int) -> int | None:
        """The group's committed offset for a partition (the next offset it reads), or None."""
        return self.offsets.get(group, {}).get((topic, partition))

    def commit(self, group: str, topic: str, partition: int, offset: int) -> None:
        """Commit ``offset`` (the next one to read) for the group; offsets never move back."""
        group_offsets = self.offsets.setdefault(group, {})
        if offset > group_offsets.get((topic, partition), -1):
            group_offsets[(topic, partition)] = offset

    @property
    def bootstrap_string(self) -> str:
        """``bootstrapServers`` as Lambda's event carries it: comma-separated."""
        return ",".join(self.bootstrap_servers)

    @property
    def event_source(self) -> str:
        """``aws:kafka`` for MSK, ``SelfManagedKafka`` for a self-managed cluster."""
        return "SelfManagedKafka" if self.self_managed else "aws:kafka"

    def __repr__(self) -> str:
        kind = "self-managed" if self.self_managed else "MSK"
        return f"<KafkaCluster {self.name} {kind} topics={sorted(self.topics)}>"
