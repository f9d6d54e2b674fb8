"""A DynamoDB table with a stream, modelled natively: item writes produce stream records.

``put_item`` makes INSERT (new key) or MODIFY (existing key), ``update_item`` merges attributes
(MODIFY or INSERT), ``delete_item`` makes REMOVE; a write that changes nothing produces no record,
as DynamoDB Streams does. Records carry ``Keys`` always and ``NewImage``/``OldImage`` as the
``StreamViewType`` says (docs/aws-behaviour.md §11). The table has one shard. AWS page: "Change data capture
for DynamoDB Streams".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._world import World

STREAM_VIEW_TYPES: Final = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


@final
class ChangeRecord:
    """One stream record: the change, its 21-digit sequence number and its creation time (virtual ns)."""

    __slots__ = ("arrival_ns", "event_id", "event_name", "keys", "new_image", "old_image", "partition_key",
                 "sequence_number", "shard", "ttl")

    def __init__(self, *, shard: TableShard, event_id: str, event_name: str, keys: dict[str, Any],
                 new_image: dict[str, Any] | None, old_image: dict[str, Any] | None, sequence_number: str,
                 arrival_ns: int, ttl: bool = False) -> None:
        self.shard = shard
        self.event_id = event_id
        """``eventID`` (32 hex digits), also the record's ledger id."""
        self.event_name = event_name
        self.keys = keys
        self.new_image = new_image
        self.old_image = old_image
        self.sequence_number = sequence_number
        self.arrival_ns = arrival_ns
        self.ttl = ttl
        self.partition_key = json.dumps(keys, sort_keys=True, default=str)
        """The item key as text: ordering with ParallelizationFactor > 1 is kept per item key."""

    def __repr__(self) -> str:
        return f"<ChangeRecord {self.event_name} {self.partition_key} seq={self.sequence_number}>"


@final
class TableShard:
    """The table stream's shard (one per table in the simulation)."""

    __slots__ = ("index", "records", "shard_id", "trimmed")

    def __init__(self, shard_id: str) -> None:
        self.index = 0
        self.shard_id = shard_id
        self.records: list[ChangeRecord] = []
        self.trimmed = 0


@final
class DynamoDBTable:
    """A table whose writes feed its stream (``StreamViewType``); items are plain Python dicts."""

    def __init__(self, world: World, name: str, *, key_schema: tuple[str, ...] = ("pk",),
                 stream_view_type: str = "NEW_AND_OLD_IMAGES") -> None:
        if stream_view_type not in STREAM_VIEW_TYPES:
            raise ConfigError(
                f"stream_view_type={stream_view_type!r}: StreamViewType must be one of {STREAM_VIEW_TYPES}"
            )
        if not 1 <= len(key_schema) <= 2:
            raise ConfigError(f"key_schema={key_schema!r}: give a partition key and optionally a sort key")
        self.world = world
        self.name = name
        self.key_schema = key_schema
        self.stream_view_type = stream_view_type
        label = world.iso_ms(world.clock.now_ns)[:-1]
        self.arn = world.arn("dynamodb", f"table/{name}")
        self.stream_arn = f"{self.arn}/stream/{label}"
        """``LatestStreamArn``."""
        self.retention_period_hours = 24
        self._rng = world.stream(f"dynamodb:{self.arn}")
        self._seq = 10**20 + self._rng.randrange(10**20) * 1000
        shard_id = f"shardId-{world.epoch_ms(0):013d}-{self._rng.getrandbits(32):08x}"
        self.shards = [TableShard(shard_id)]
        self.items: dict[str, dict[str, Any]] = {}
        self._listeners: list[Callable[[DynamoDBTable], object]] = []

    def on_records(self, callback: Callable[[DynamoDBTable], object]) -> Callable[[], None]:
        """Call ``callback(table)`` after every write that produced a stream record."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _key(self, item: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        try:
            keys = {k: item[k] for k in self.key_schema}
        except KeyError as exc:
            raise ConfigError(f"item {dict(item)!r} lacks key attribute {exc.args[0]!r} of table {self.name}") from None
        return json.dumps(keys, sort_keys=True, default=str), keys

    def _emit(self, keys: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None,
              *, ttl: bool = False) -> ChangeRecord | None:
        if old == new:
            return None
        name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        self._seq += 1 + self._rng.getrandbits(16)
        shard = self.shards[0]
        record = ChangeRecord(shard=shard, event_id=f"{self._rng.getrandbits(128):032x}", event_name=name,
                              keys=keys, new_image=new, old_image=old, sequence_number=str(self._seq),
                              arrival_ns=self.world.clock.now_ns, ttl=ttl)
        shard.records.append(record)
        for listener in tuple(self._listeners):
            listener(self)
        return record

    def put_item(self, item: Mapping[str, Any]) -> ChangeRecord | None:
        """``PutItem``: INSERT for a new key, MODIFY for an existing one; returns the stream record (or None)."""
        text, keys = self._key(item)
        old = self.items.get(text)
        new = dict(item)
        self.items[text] = new
        return self._emit(keys, old, new)

    def update_item(self, key: Mapping[str, Any], changes: Mapping[str, Any]) -> ChangeRecord | None:
        """``UpdateItem``: merge ``changes`` into the item (creating it when absent)."""
        text, keys = self._key(key)
        old = self.items.get(text)
        new = {**(old or keys), **changes}
        self.items[text] = new
        return self._emit(keys, old, new)

    def delete_item(self, key: Mapping[str, Any], *, ttl: bool = False) -> ChangeRecord | None:
        """``DeleteItem`` (``ttl=True``: a Time to Live deletion by the DynamoDB service)."""
        text, keys = self._key(key)
        old = self.items.pop(text, None)
        if old is None:
            return None
        return self._emit(keys, old, None, ttl=ttl)

    def mirror(self, key: Mapping[str, Any], old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
               ) -> ChangeRecord | None:
        """Record a write made elsewhere (moto, through the boto3 bridge): the item was ``old`` and is now
        ``new`` (None = absent). Produces the stream record, or none when nothing changed."""
        text, keys = self._key(key)
        if new is None:
            self.items.pop(text, None)
        else:
            self.items[text] = dict(new)
        return self._emit(keys, None if old is None else dict(old), None if new is None else dict(new))

    def get_item(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The item with ``key``, or None."""
        return self.items.get(self._key(key)[0])

    def trim(self) -> None:
        """Stream records live 24 hours."""
        limit = self.world.clock.now_ns - self.retention_period_hours * 3600 * 1_000_000_000
        shard = self.shards[0]
        while shard.trimmed < len(shard.records) and shard.records[shard.trimmed].arrival_ns <= limit:
            shard.trimmed += 1

    def __repr__(self) -> str:
        return f"<DynamoDBTable {self.name} items={len(self.items)} stream={self.stream_view_type}>"
