"""An Amazon DocumentDB cluster with a change stream, modelled natively on the virtual clock.

Collections take ``insert_one``, ``update_one`` (``$set``/``$unset``), ``replace_one`` and ``delete_one``
on a document's ``_id``; every write appends one change event to the cluster's change stream log, in
the MongoDB change-event format (``_id._data`` resume token, ``clusterTime``, ``documentKey``, ``ns``,
``operationType``, ``fullDocument``, ``updateDescription``). Events older than the cluster's
``change_stream_log_retention_duration`` (3 hours by default, 1 hour to 7 days) leave the log lazily.
AWS pages: "Using change streams with Amazon DocumentDB", "Process Amazon DocumentDB events with Lambda".
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._world import World

RETENTION_DEFAULT_S: Final = 10_800
RETENTION_MIN_S: Final = 3_600
RETENTION_MAX_S: Final = 604_800
_NS: Final = 1_000_000_000


@final
class ObjectId:
    """A 12-byte ObjectId (4-byte seconds, 5 random bytes, 3-byte counter); extended JSON ``{"$oid": hex}``."""

    __slots__ = ("hex",)

    def __init__(self, hex_value: str) -> None:
        self.hex = hex_value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectId) and other.hex == self.hex

    def __hash__(self) -> int:
        return hash(self.hex)

    def __repr__(self) -> str:
        return f"ObjectId({self.hex!r})"


def extended_json(value: Any) -> Any:
    """``value`` in MongoDB extended JSON (relaxed): ObjectIds as ``{"$oid": ...}``, containers recursively."""
    if isinstance(value, ObjectId):
        return {"$oid": value.hex}
    if isinstance(value, dict):
        return {k: extended_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [extended_json(v) for v in value]
    return value


@final
class ChangeEvent:
    """One entry of the change stream log."""

    __slots__ = ("arrival_ns", "collection", "document_key", "event_id", "full_document", "increment",
                 "operation", "seconds", "update_description")

    def __init__(self, collection: Collection, operation: str, document_key: Any, full_document: dict[str, Any] | None,
                 update_description: dict[str, Any] | None, seconds: int, increment: int, sequence: int,
                 arrival_ns: int) -> None:
        self.collection = collection
        self.operation = operation
        self.document_key = document_key
        self.full_document = full_document
        self.update_description = update_description
        self.seconds = seconds
        self.increment = increment
        self.arrival_ns = arrival_ns
        self.event_id = f"01{seconds:08x}{increment:08x}01{sequence:016x}"
        """The resume token's ``_data`` (hex), also the event's ledger id."""

    def __repr__(self) -> str:
        return f"<ChangeEvent {self.operation} {self.collection.namespace} {self.event_id}>"


@final
class Collection:
    """A collection: documents by ``_id``; each write appends a change event."""

    def __init__(self, cluster: DocDbCluster, database: str, name: str) -> None:
        self.cluster = cluster
        self.database = database
        self.name = name
        self.documents: dict[Any, dict[str, Any]] = {}

    @property
    def namespace(self) -> str:
        """``<database>.<collection>``."""
        return f"{self.database}.{self.name}"

    @property
    def arn(self) -> str:
        """The cluster's ARN (Lambda maps a collection through its cluster's ARN)."""
        return self.cluster.arn

    def _key(self, filter_: Mapping[str, Any]) -> Any:
        if set(filter_) != {"_id"}:
            raise ConfigError(f"filter={dict(filter_)!r}: the simulated collection matches documents by _id only")
        return filter_["_id"]

    def insert_one(self, document: Mapping[str, Any]) -> Any:
        """Insert a document (an ObjectId ``_id`` is added when it has none); returns its ``_id``."""
        doc = copy.deepcopy(dict(document))
        if "_id" not in doc:
            doc = {"_id": self.cluster._object_id(), **doc}
        key = doc["_id"]
        if key in self.documents:
            raise ConfigError(f"E11000 duplicate key error collection: {self.namespace} index: _id_ dup key: "
                              f"{{ _id: {key!r} }}")
        self.documents[key] = doc
        self.cluster._append(self, "insert", key, copy.deepcopy(doc), None)
        return key

    def update_one(self, filter_: Mapping[str, Any], update: Mapping[str, Any]) -> bool:
        """Apply ``{"$set": {...}, "$unset": {...}}`` to the document; False when there is none."""
        key = self._key(filter_)
        doc = self.documents.get(key)
        if doc is None:
            return False
        unknown = set(update) - {"$set", "$unset"}
        if unknown:
            raise ConfigError(f"update={dict(update)!r}: the simulated collection applies $set and $unset only")
        updated = dict(update.get("$set", {}))
        removed = [f for f in update.get("$unset", {}) if f in doc]
        doc.update(copy.deepcopy(updated))
        for name in removed:
            del doc[name]
        self.cluster._append(self, "update", key, None, {"updatedFields": updated, "removedFields": removed})
        return True

    def replace_one(self, filter_: Mapping[str, Any], replacement: Mapping[str, Any]) -> bool:
        """Replace the document (keeping its ``_id``); False when there is none."""
        key = self._key(filter_)
        if key not in self.documents:
            return False
        doc = {"_id": key, **{k: v for k, v in copy.deepcopy(dict(replacement)).items() if k != "_id"}}
        self.documents[key] = doc
        self.cluster._append(self, "replace", key, copy.deepcopy(doc), None)
        return True

    def delete_one(self, filter_: Mapping[str, Any]) -> bool:
        """Delete the document; False when there is none."""
        key = self._key(filter_)
        if self.documents.pop(key, None) is None:
            return False
        self.cluster._append(self, "delete", key, None, None)
        return True

    def __repr__(self) -> str:
        return f"<Collection {self.namespace} documents={len(self.documents)}>"


@final
class Database:
    """A database of a cluster: map it to read the change events of all its collections."""

    def __init__(self, cluster: DocDbCluster, name: str) -> None:
        self.cluster = cluster
        self.name = name

    @property
    def arn(self) -> str:
        """The cluster's ARN."""
        return self.cluster.arn

    def collection(self, name: str) -> Collection:
        """The collection ``name`` of this database."""
        return self.cluster.collection(self.name, name)

    def __repr__(self) -> str:
        return f"<Database {self.name}>"


@final
class DocDbCluster:
    """A DocumentDB cluster with change streams enabled: ``collection(db, name)`` and the change stream log."""

    def __init__(self, world: World, name: str, *,
                 change_stream_log_retention_duration: int = RETENTION_DEFAULT_S) -> None:
        retention = change_stream_log_retention_duration
        if isinstance(retention, bool) or not isinstance(retention, int) or \
                not RETENTION_MIN_S <= retention <= RETENTION_MAX_S:
            raise ConfigError(f"change_stream_log_retention_duration={retention!r}: must be between "
                              f"{RETENTION_MIN_S:,} and {RETENTION_MAX_S:,} seconds")
        self.world = world
        self.name = name
        self.arn = world.arn("rds", f"cluster:{name}")
        """``DBClusterArn`` (an ``arn:aws:rds:…:cluster:<id>`` ARN, as Lambda's event shows it)."""
        self.change_stream_log_retention_duration = retention
        self.collections: dict[tuple[str, str], Collection] = {}
        self.databases: dict[str, Database] = {}
        self.log: list[ChangeEvent] = []
        self.trimmed = 0
        """Entries below this index left the log."""
        self.on_collection: list[Callable[[Collection], object]] = []
        self._listeners: list[Callable[[DocDbCluster], object]] = []
        self._rng = world.stream(f"docdb:{name}")
        self._process = self._rng.getrandbits(40)
        self._counter = self._rng.getrandbits(24)
        self._last_second = -1
        self._increment = 0

    def collection(self, database: str, name: str) -> Collection:
        """The collection ``database.name``, created on first use."""
        existing = self.collections.get((database, name))
        if existing is not None:
            return existing
        self._check_database(database)
        if not name or len(name) > 57 or name.startswith("system."):
            raise ConfigError(f"name={name!r}: a collection name is 1 to 57 characters, not starting with 'system.'")
        made = self.collections[(database, name)] = Collection(self, database, name)
        for hook in tuple(self.on_collection):
            hook(made)
        return made

    def database(self, name: str) -> Database:
        """The database ``name`` (mapping it reads all its collections)."""
        found = self.databases.get(name)
        if found is None:
            self._check_database(name)
            found = self.databases[name] = Database(self, name)
        return found

    @staticmethod
    def _check_database(database: str) -> None:
        if not database or len(database) > 63 or any(c in database for c in ' /\\.$"'):
            raise ConfigError(f"database={database!r}: a database name is 1 to 63 characters without space, /, \\, ., "
                              '$ or "')

    def on_records(self, callback: Callable[[DocDbCluster], object]) -> Callable[[], None]:
        """Call ``callback(cluster)`` after every write; returns an unsubscribe function."""
        listeners = self._listeners
        listeners.append(callback)
        return lambda: listeners.remove(callback) if callback in listeners else None

    def _object_id(self) -> ObjectId:
        self._counter = (self._counter + 1) & 0xFFFFFF
        seconds = self.world.wall_ns() // _NS
        return ObjectId(f"{seconds & 0xFFFFFFFF:08x}{self._process:010x}{self._counter:06x}")

    def _append(self, collection: Collection, operation: str, key: Any, full_document: dict[str, Any] | None,
                update_description: dict[str, Any] | None) -> ChangeEvent:
        world = self.world
        seconds = world.wall_ns() // _NS
        if seconds == self._last_second:
            self._increment += 1
        else:
            self._last_second, self._increment = seconds, 1
        event = ChangeEvent(collection, operation, key, full_document, update_description, seconds,
                            self._increment, len(self.log) + 1, world.clock.now_ns)
        self.log.append(event)
        for listener in tuple(self._listeners):
            listener(self)
        return event

    def trim(self) -> None:
        """Drop log entries older than the retention (done lazily on every read)."""
        limit = self.world.clock.now_ns - self.change_stream_log_retention_duration * _NS
        log = self.log
        i = self.trimmed
        while i < len(log) and log[i].arrival_ns <= limit:
            i += 1
        self.trimmed = i

    def __repr__(self) -> str:
        return f"<DocDbCluster {self.name} collections={len(self.collections)} log={len(self.log)}>"
