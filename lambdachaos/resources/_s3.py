"""An S3 bucket as far as event notifications need it (docs/aws-behaviour.md §7.1).

Object bytes written through boto3 belong to moto (the bridge forwards PutObject/DeleteObject/CopyObject
there); bytes written sim-side (``put_object``, Lambda's on-failure destination objects) are kept here
and read with :meth:`Bucket.body`. This model tracks what the notification records need: each key's
size, ETag and version id, and an
increasing ``sequencer``. ``put_object``/``delete_object``/``copy_object`` change that state and notify;
:meth:`Bucket.notify` is the stable entry point for the boto3 bridge, called after a real request reached
moto. Records are rendered by :func:`lambdachaos.generators.s3.record` with explicit overrides (event
version 2.1, ``eventName`` without ``s3:``, form-URL-encoded key, no ``size``/``eTag`` on deletes,
``versionId`` only for versioned buckets). AWS pages: "Amazon S3 Event Notifications", "Event message
structure", "Configuring event notifications using object key name filtering".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeAlias, final

from lambdachaos._errors import ConfigError
from lambdachaos.generators import s3 as s3_records  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.resources._errors import AWSError

if TYPE_CHECKING:
    from lambdachaos._world import World

FILTER_VALUE_MAX: Final = 1_024
"""Longest ``prefix``/``suffix`` filter value, characters (S3 key name filtering)."""
EVENT_TYPES: Final = tuple(sorted(
    {f"s3:{name}" for name in s3_records.EVENT_NAMES}
    | {f"s3:{name.split(':')[0]}:*" for name in s3_records.EVENT_NAMES if ":" in name}
))
"""Every event type a notification configuration may name (``s3:ObjectCreated:*``, ``s3:ObjectRemoved:Delete``...)."""
_BUCKET_NAME: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_VERSION_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

NotificationCallback: TypeAlias = "Callable[[dict[str, Any], NotificationConfiguration], object]"
"""Called with ``(event, configuration)`` for each event a configuration matches."""
Deliver: TypeAlias = "Callable[[Any, dict[str, Any], NotificationConfiguration], object]"
"""How the simulation hands an event to a non-callable target: ``deliver(target, event, configuration)``."""


class S3InvalidArgument(AWSError):
    """S3 ``InvalidArgument`` (400), e.g. from ``PutBucketNotificationConfiguration``."""

    code: ClassVar[str] = "InvalidArgument"


def _covers(configured: str, event_name: str) -> bool:
    """Whether configured type ``s3:ObjectCreated:*`` (or an exact type) covers ``ObjectCreated:Put``."""
    wanted = configured[3:]
    if wanted.endswith(":*"):
        return event_name.startswith(wanted[:-1])
    return event_name == wanted


def _types_share(a: Iterable[str], b: Iterable[str]) -> bool:
    names = s3_records.EVENT_NAMES
    return any(_covers(x, n) and _covers(y, n) for x in a for y in b for n in names)


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationConfiguration:
    """One ``LambdaFunctionConfigurations`` entry: ``Id``, ``Events``, ``Filter.Key`` prefix/suffix, target."""

    id: str
    events: tuple[str, ...]
    prefix: str
    suffix: str
    target_arn: str

    def matches(self, event_name: str, key: str) -> bool:
        """Whether an ``event_name`` (no ``s3:``) on raw ``key`` is sent to this configuration's target."""
        return (key.startswith(self.prefix) and key.endswith(self.suffix)
                and any(_covers(t, event_name) for t in self.events))

    def overlaps(self, other: NotificationConfiguration) -> bool:
        """AWS's ambiguity rule: a shared event type with overlapping prefixes and overlapping suffixes."""
        prefixes = self.prefix.startswith(other.prefix) or other.prefix.startswith(self.prefix)
        suffixes = self.suffix.endswith(other.suffix) or other.suffix.endswith(self.suffix)
        return prefixes and suffixes and _types_share(self.events, other.events)


@final
@dataclass(frozen=True, slots=True)
class ObjectState:
    """What the bucket knows about one object version: ``size`` bytes, ``etag`` (hex MD5), ``version_id``."""

    key: str
    size: int
    etag: str
    version_id: str | None


@final
class Bucket:
    """An S3 bucket that sends event notifications; ``versioning`` is ``VersioningConfiguration`` Enabled."""

    __slots__ = ("_bodies", "_configs", "_deliver", "_objects", "_rng", "_sequence", "_world", "arn", "mirrored",
                 "name", "owner_id", "principal_id", "records", "source_ip", "versioning")

    def __init__(self, world: World, name: str, *, versioning: bool = False, deliver: Deliver | None = None) -> None:
        if not isinstance(name, str) or not _BUCKET_NAME.fullmatch(name) or ".." in name:
            raise ConfigError(
                f"name={name!r} is not a valid bucket name; use 3 to 63 lower-case letters, digits, '.' and '-', "
                "starting and ending with a letter or digit"
            )
        self._world = world
        self.name = name
        """Bucket name."""
        self.arn = f"arn:{world.partition}:s3:::{name}"
        """Bucket ARN (no region or account, as AWS writes it)."""
        self.versioning = versioning
        """True when versioning is enabled: records carry ``versionId``; deletes create delete markers."""
        self._rng = world.stream(f"s3:{name}")
        self.owner_id = "".join(self._rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(14))
        """``s3.bucket.ownerIdentity.principalId``."""
        self.principal_id = "AWS:AIDA" + "".join(
            self._rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        """``userIdentity.principalId`` of the requester of sim-side writes."""
        self.source_ip = f"198.51.100.{self._rng.randrange(1, 255)}"
        """``requestParameters.sourceIPAddress`` of sim-side writes."""
        self._configs: list[tuple[NotificationConfiguration, NotificationCallback]] = []
        self._deliver = deliver
        self._objects: dict[str, ObjectState] = {}
        self._bodies: dict[str, bytes] = {}
        self._sequence = 0
        self.records: list[dict[str, Any]] = []
        """Every notification record sent, in order."""
        self.mirrored: dict[str, str] | None = None
        """The boto3 bridge's bookkeeping: ``None`` until moto holds the bucket, then the ETag of each
        sim-side object it copied there."""

    @property
    def world(self) -> World:
        """The world (clock, account, region) this resource lives in."""
        return self._world

    # ---- configuration ------------------------------------------------------------------------
    def add_notification(
        self, target: Any, *, events: Iterable[str] = ("s3:ObjectCreated:*",), prefix: str = "", suffix: str = "",
        id: str | None = None,
    ) -> NotificationConfiguration:
        """``PutBucketNotificationConfiguration`` (one ``LambdaFunctionConfigurations`` entry, added).

        ``target`` is a sim function (invoked asynchronously, docs/aws-behaviour.md §4.5) or a callback
        ``(event, configuration)``. ``events`` are S3 event types (``s3:ObjectCreated:*``,
        ``s3:ObjectRemoved:Delete``...); ``prefix``/``suffix`` filter on the raw key.

        Raises S3's ``InvalidArgument`` for an unknown event type, a filter value over 1,024 characters,
        or a configuration that overlaps an existing one (same event type, overlapping prefix and suffix).
        """
        types = tuple(events)
        for name in types:
            if name not in EVENT_TYPES:
                raise S3InvalidArgument(
                    f"The event is not supported for notifications: events={name!r}; use one of {EVENT_TYPES}")
        if not types:
            raise S3InvalidArgument("events=(): a notification configuration needs at least one event type")
        for label, value in (("prefix", prefix), ("suffix", suffix)):
            if len(value) > FILTER_VALUE_MAX:
                raise S3InvalidArgument(
                    f"{label} of {len(value)} characters is too long: a FilterRule value has at most "
                    f"{FILTER_VALUE_MAX} characters; shorten the {label}"
                )
        deliver = self._deliver
        if deliver is not None and not (callable(target) and not hasattr(target, "arn")):
            def callback(event: dict[str, Any], config: NotificationConfiguration) -> object:
                return deliver(target, event, config)
        elif callable(target):
            callback = target
        else:
            raise ConfigError(f"target={target!r} is neither a sim function nor a callback (event, configuration)")
        config = NotificationConfiguration(
            id=id or f"notification-{len(self._configs) + 1}", events=types, prefix=prefix, suffix=suffix,
            target_arn=str(getattr(target, "arn", "callback")),
        )
        for existing, _ in self._configs:
            if existing.id == config.id:
                raise S3InvalidArgument(f"id={config.id!r}: configuration ids must be unique in a bucket")
            if existing.overlaps(config):
                raise S3InvalidArgument(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type."
                )
        self._configs.append((config, callback))
        return config

    @property
    def notifications(self) -> list[NotificationConfiguration]:
        """The notification configurations, in the order added."""
        return [config for config, _ in self._configs]

    def remove_notification(self, id: str) -> None:
        """Remove the configuration with ``Id`` ``id``."""
        self._configs = [(c, cb) for c, cb in self._configs if c.id != id]

    # ---- objects ------------------------------------------------------------------------------
    def head(self, key: str) -> ObjectState | None:
        """The current state of ``key`` (``None`` when absent or deleted)."""
        return self._objects.get(key)

    def body(self, key: str) -> bytes | None:
        """The bytes of ``key`` when it was written sim-side (``put_object``, copies of those, destination
        objects); ``None`` otherwise (objects written through boto3 live in moto: read them with boto3)."""
        return self._bodies.get(key) if key in self._objects else None

    @property
    def keys(self) -> list[str]:
        """Current keys, sorted as ``ListObjectsV2`` returns them."""
        return sorted(self._objects)

    def sim_bodies(self) -> list[tuple[str, ObjectState, bytes]]:
        """``(key, state, body)`` of the current objects written sim-side, sorted by key."""
        return [(key, self._objects[key], self._bodies[key]) for key in sorted(self._bodies) if key in self._objects]

    def _version_id(self) -> str | None:
        if not self.versioning:
            return None
        return "".join(self._rng.choice(_VERSION_ALPHABET) for _ in range(32))

    def put_object(self, key: str, body: bytes | str = b"") -> ObjectState:
        """``PutObject``: record the object (size, MD5 ETag, version id) and send ``ObjectCreated:Put``."""
        data = body.encode() if isinstance(body, str) else bytes(body)
        state = ObjectState(key, len(data), hashlib.md5(data).hexdigest(), self._version_id())
        self._objects[key] = state
        self._bodies[key] = data
        self.notify("ObjectCreated:Put", key, size=state.size, etag=state.etag, version_id=state.version_id)
        return state

    def copy_object(self, key: str, *, source_key: str, source_bucket: Bucket | None = None) -> ObjectState:
        """``CopyObject`` from ``source_key`` (in ``source_bucket``, default this bucket): ``ObjectCreated:Copy``."""
        origin = (source_bucket or self)._objects.get(source_key)
        if origin is None:
            raise ConfigError(f"source_key={source_key!r} does not exist in the source bucket (NoSuchKey)")
        state = ObjectState(key, origin.size, origin.etag, self._version_id())
        self._objects[key] = state
        data = (source_bucket or self)._bodies.get(source_key)
        if data is None:
            self._bodies.pop(key, None)
        else:
            self._bodies[key] = data
        self.notify("ObjectCreated:Copy", key, size=state.size, etag=state.etag, version_id=state.version_id)
        return state

    def delete_object(self, key: str) -> str | None:
        """``DeleteObject``: ``ObjectRemoved:Delete``, or ``ObjectRemoved:DeleteMarkerCreated`` when versioned.

        Returns the delete marker's version id (versioned buckets) or ``None``.
        """
        self._objects.pop(key, None)
        self._bodies.pop(key, None)
        marker = self._version_id()
        self.notify("ObjectRemoved:DeleteMarkerCreated" if self.versioning else "ObjectRemoved:Delete", key,
                    version_id=marker)
        return marker

    # ---- notifications ------------------------------------------------------------------------
    def _sequencer(self) -> str:
        # Upper-case hex that grows with every write to the bucket, hence per key too (AWS: compare per key).
        self._sequence += 1
        return f"{(self._world.epoch_ms() << 20) + self._sequence:018X}"

    def notify(
        self, event_name: str, key: str, *, size: int | None = None, etag: str | None = None,
        version_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Send the notification for one change of ``key`` (the boto3 bridge's entry point).

        ``event_name`` is ``ObjectCreated:Put`` (an ``s3:`` prefix is accepted); ``key`` is the raw key
        (encoded here); ``size``/``etag`` are ignored for removals; ``version_id`` is written only when
        the bucket is versioned. Returns the records sent (one per matching configuration). Call it after
        the request reached moto: a change made there (a different size or ETag, or a removal) also
        updates this model's keys (``keys``, ``head``), without a body (read it with boto3).
        """
        if event_name.startswith("s3:"):
            event_name = event_name[3:]
        if event_name not in s3_records.EVENT_NAMES:
            raise ConfigError(f"event_name={event_name!r} is not an S3 event; use one of {s3_records.EVENT_NAMES}")
        known = self._objects.get(key)
        if event_name.startswith("ObjectRemoved"):
            self._objects.pop(key, None)
            self._bodies.pop(key, None)
        elif event_name.startswith("ObjectCreated") and (
                known is None or (known.size, known.etag) != (size or 0, etag or known.etag)):
            self._objects[key] = ObjectState(key, size or 0, etag or hashlib.md5(b"").hexdigest(), version_id)
            self._bodies.pop(key, None)
        world = self._world
        sent: list[dict[str, Any]] = []
        sequencer = self._sequencer()
        for config, callback in tuple(self._configs):
            if not config.matches(event_name, key):
                continue
            record: dict[str, Any] = s3_records.record(
                seed=self._rng, region=world.region, account_id=world.account_id, now=world.wall_ns() / 1e9,
                event_name=event_name, bucket=self.name, key=key, size=size if size is not None else 0,
                etag=etag or hashlib.md5(b"").hexdigest(), version_id=version_id if self.versioning else None,
                sequencer=sequencer, principal_id=self.principal_id, source_ip=self.source_ip,
                configuration_id=config.id,
            )
            record["s3"]["bucket"]["ownerIdentity"]["principalId"] = self.owner_id
            self.records.append(record)
            sent.append(record)
            callback({"Records": [record]}, config)
        return sent

    def __repr__(self) -> str:
        return f"<Bucket {self.name} objects={len(self._objects)} notifications={len(self._configs)}>"
