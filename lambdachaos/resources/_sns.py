"""An SNS topic (standard or FIFO) with SQS-queue and callback subscriptions.

Delivery happens synchronously inside :meth:`Topic.publish`, at the publish's virtual time: SQS
subscribers get the SNS JSON envelope (docs/aws-behaviour.md §7.2, ``SigningCertURL`` casing) or the raw
message; callback subscribers (the service subscribes Lambda functions this way) get the
:class:`Notification`, which renders the Lambda ``Records[0]`` shape (``SigningCertUrl`` casing).
AWS pages: "Publish" (Amazon SNS API Reference), "Amazon SNS message and JSON formats",
"Amazon SNS raw message delivery", "Invoking Lambda functions with Amazon SNS notifications".
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import InvalidParameter, SNSInvalidParameterValue

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.resources._sqs import Queue

MESSAGE_SIZE_MAX: Final = 262_144
"""Largest message plus attributes SNS accepts, bytes (256 KiB)."""
SUBJECT_MAX: Final = 100
DEDUPLICATION_WINDOW_S: Final = 300
_TYPES: Final = ("String", "String.Array", "Number", "Binary")

SnsMessageAttributes = dict[str, dict[str, Any]]
"""SNS message attributes in the API shape ``{name: {"DataType", "StringValue"|"BinaryValue"}}``."""


def _check_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> tuple[SnsMessageAttributes, int]:
    out: SnsMessageAttributes = {}
    size = 0
    for name, spec in attributes.items():
        data_type = spec.get("DataType", "")
        if not any(data_type == t or data_type.startswith(t + ".") for t in _TYPES):
            raise SNSInvalidParameterValue(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        if data_type.startswith("Binary"):
            value = spec.get("BinaryValue")
            if isinstance(value, str):
                value = value.encode()
            if not value:
                raise SNSInvalidParameterValue(
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    "for message "
                    "attribute type 'Binary'."
                )
            out[name] = {"DataType": data_type, "BinaryValue": bytes(value)}
            size += len(value)
        else:
            text = spec.get("StringValue")
            if not isinstance(text, str) or not text:
                raise SNSInvalidParameterValue(
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    "for message "
                    f"attribute type '{data_type.split('.')[0]}'."
                )
            if data_type.startswith("Number"):
                try:
                    float(text)
                except ValueError:
                    raise SNSInvalidParameterValue(
                        f"Could not cast message attribute '{name}' value to number."
                    ) from None
            out[name] = {"DataType": data_type, "StringValue": text}
            size += len(text.encode())
        size += len(name.encode()) + len(data_type.encode())
    return out, size


@final
class Notification:
    """One published SNS message, renderable as the SQS/HTTP envelope or the Lambda record."""

    __slots__ = (
        "message",
        "message_attributes",
        "message_deduplication_id",
        "message_group_id",
        "message_id",
        "per_protocol",
        "published_ns",
        "sequence_number",
        "signature",
        "signature_version",
        "signing_cert_url",
        "subject",
        "timestamp",
        "topic_arn",
    )

    def __init__(self, **fields: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    message_id: str
    topic_arn: str
    subject: str | None
    message: str
    message_attributes: SnsMessageAttributes
    timestamp: str
    """ISO-8601 UTC with milliseconds and ``Z``."""
    published_ns: int
    sequence_number: str | None
    message_group_id: str | None
    message_deduplication_id: str | None
    signature: str
    signature_version: str
    signing_cert_url: str
    per_protocol: dict[str, str] | None
    """With ``MessageStructure='json'``: the message per protocol (``default``, ``sqs``, ``lambda`` ...)."""

    def message_for(self, protocol: str) -> str:
        """The message text a subscriber of ``protocol`` receives."""
        if self.per_protocol is None:
            return self.message
        return self.per_protocol.get(protocol, self.per_protocol["default"])

    def _attributes(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for name, spec in self.message_attributes.items():
            if "BinaryValue" in spec:
                out[name] = {
                    "Type": spec["DataType"],
                    "Value": base64.b64encode(spec["BinaryValue"]).decode(),
                }
            else:
                out[name] = {"Type": spec["DataType"], "Value": spec["StringValue"]}
        return out

    def unsubscribe_url(self, subscription_arn: str) -> str:
        """``UnsubscribeURL`` for one subscription."""
        region = self.topic_arn.split(":")[3]
        return f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"

    def envelope(self, subscription_arn: str, protocol: str = "sqs") -> dict[str, Any]:
        """The JSON envelope SNS delivers to SQS and HTTP subscribers (``SigningCertURL`` casing)."""
        env: dict[str, Any] = {"Type": "Notification", "MessageId": self.message_id}
        if self.sequence_number is not None:
            env["SequenceNumber"] = self.sequence_number
        env["TopicArn"] = self.topic_arn
        if self.subject is not None:
            env["Subject"] = self.subject
        env["Message"] = self.message_for(protocol)
        env["Timestamp"] = self.timestamp
        env["SignatureVersion"] = self.signature_version
        env["Signature"] = self.signature
        env["SigningCertURL"] = self.signing_cert_url
        env["UnsubscribeURL"] = self.unsubscribe_url(subscription_arn)
        if self.message_attributes:
            env["MessageAttributes"] = self._attributes()
        return env

    def envelope_text(self, subscription_arn: str, protocol: str = "sqs") -> str:
        """The envelope as SNS writes it into an SQS body: two-space indent, ``" : "`` separators,
        one compact line per message attribute."""
        env = self.envelope(subscription_arn, protocol)
        attrs = env.pop("MessageAttributes", None)
        lines = [f"  {json.dumps(k)} : {json.dumps(v)}" for k, v in env.items()]
        if attrs is not None:
            inner = ",\n".join(
                f"    {json.dumps(k)} : {json.dumps(v, separators=(',', ':'))}" for k, v in attrs.items()
            )
            lines.append(f'  "MessageAttributes" : {{\n{inner}\n  }}')
        return "{\n" + ",\n".join(lines) + "\n}"

    def lambda_record(self, subscription_arn: str) -> dict[str, Any]:
        """One ``Records[]`` entry of the Lambda SNS event (docs/aws-behaviour.md §7.2, ``SigningCertUrl`` casing)."""
        return {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": self.message_id,
                "TopicArn": self.topic_arn,
                "Subject": self.subject,
                "Message": self.message_for("lambda"),
                "Timestamp": self.timestamp,
                "SignatureVersion": self.signature_version,
                "Signature": self.signature,
                "SigningCertUrl": self.signing_cert_url,
                "UnsubscribeUrl": self.unsubscribe_url(subscription_arn),
                "MessageAttributes": self._attributes(),
            },
        }

    def lambda_event(self, subscription_arn: str) -> dict[str, Any]:
        """The whole Lambda event: ``{"Records": [record]}`` (always one record)."""
        return {"Records": [self.lambda_record(subscription_arn)]}

    def __repr__(self) -> str:
        return f"<Notification {self.message_id} topic={self.topic_arn.rsplit(':', 1)[-1]}>"


@final
class Subscription:
    """A topic subscription: ``arn`` is ``<topicArn>:<uuid>``."""

    __slots__ = ("arn", "callback", "dead_letter_queue", "endpoint", "event_ids", "protocol", "queue",
                 "raw_message_delivery")

    def __init__(
        self,
        arn: str,
        protocol: str,
        endpoint: str,
        *,
        queue: Queue | None = None,
        callback: Callable[[Notification, Subscription], object] | None = None,
        raw_message_delivery: bool = False,
    ) -> None:
        self.arn = arn
        self.protocol = protocol
        self.endpoint = endpoint
        self.queue = queue
        self.callback = callback
        self.raw_message_delivery = raw_message_delivery
        self.dead_letter_queue: Queue | None = None
        """The SQS queue of the subscription's ``RedrivePolicy`` (Lambda subscriptions of the simulation)."""
        self.event_ids: list[str] = []
        """Ledger ids of the events this (Lambda) subscription handed or tried to hand to Lambda, in order."""

    def __repr__(self) -> str:
        return f"<Subscription {self.protocol} {self.endpoint}>"


@final
class Topic:
    """An SNS topic on the virtual clock; a name ending ``.fifo`` makes a FIFO topic."""

    __slots__ = (
        "_dedup",
        "_history",
        "_rng",
        "_seq",
        "_subscriptions",
        "_world",
        "arn",
        "content_based_deduplication",
        "fifo",
        "name",
        "signature_version",
        "signing_cert_url",
    )

    def __init__(
        self,
        world: World,
        name: str,
        *,
        content_based_deduplication: bool = False,
        signature_version: str = "1",
    ) -> None:
        self.fifo = name.endswith(".fifo")
        """True for a FIFO topic."""
        if content_based_deduplication and not self.fifo:
            raise ConfigError(
                f"content_based_deduplication=True needs a FIFO topic, but name={name!r} has no "
                ".fifo suffix; "
                "rename the topic or drop the setting"
            )
        if signature_version not in ("1", "2"):
            raise ConfigError(
                f"signature_version={signature_version!r} is not an SNS SignatureVersion; use '1' or '2'"
            )
        self._world = world
        self.name = name
        """Topic name."""
        self.arn = world.arn("sns", name)
        """``TopicArn``."""
        self.content_based_deduplication = content_based_deduplication
        self.signature_version = signature_version
        self._rng = world.stream(f"sns:{self.arn}")
        self.signing_cert_url = f"https://sns.{world.region}.amazonaws.com/SimpleNotificationService-{self._rng.getrandbits(128):032x}.pem"
        """``SigningCertURL`` of every message of this topic."""
        self._subscriptions: list[Subscription] = []
        self._history: list[Notification] = []
        self._dedup: dict[str, tuple[int, Notification]] = {}
        self._seq = itertools.count(1)

    @property
    def world(self) -> World:
        """The world (clock, account, region) this resource lives in."""
        return self._world

    def _uuid(self) -> str:
        n = (self._rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # --- subscriptions -----------------------------------------------------------------------------
    def subscribe_queue(self, queue: Queue, *, raw_message_delivery: bool = False) -> Subscription:
        """Subscribe an SQS queue: each message arrives as the JSON envelope, or raw when asked."""
        sub = Subscription(
            f"{self.arn}:{self._uuid()}",
            "sqs",
            queue.arn,
            queue=queue,
            raw_message_delivery=raw_message_delivery,
        )
        self._subscriptions.append(sub)
        return sub

    def subscribe(
        self,
        callback: Callable[[Notification, Subscription], object],
        *,
        protocol: str = "lambda",
        endpoint: str = "",
    ) -> Subscription:
        """Subscribe a callback, called with ``(notification, subscription)`` for each message."""
        sub = Subscription(f"{self.arn}:{self._uuid()}", protocol, endpoint, callback=callback)
        self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscription (``Unsubscribe``)."""
        self._subscriptions.remove(subscription)

    @property
    def subscriptions(self) -> list[Subscription]:
        """Current subscriptions in subscribe order."""
        return list(self._subscriptions)

    @property
    def history(self) -> list[Notification]:
        """Every message published (duplicates suppressed by FIFO deduplication excluded)."""
        return list(self._history)

    # --- Publish -----------------------------------------------------------------------------------
    def publish(
        self,
        message: str,
        *,
        subject: str | None = None,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> str:
        """``Publish``: deliver to every subscription now; return the ``MessageId``."""
        return self.publish_notification(
            message,
            subject=subject,
            message_attributes=message_attributes,
            message_group_id=message_group_id,
            message_deduplication_id=message_deduplication_id,
            message_structure=message_structure,
        ).message_id

    def publish_notification(
        self,
        message: str,
        *,
        subject: str | None = None,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> Notification:
        """Like :meth:`publish` but return the :class:`Notification` (a FIFO duplicate returns the "
        "original)."""
        if not isinstance(message, str) or not message:
            raise InvalidParameter("Invalid parameter: Empty message")
        if subject is not None and (
            not subject or len(subject) > SUBJECT_MAX or not subject.isascii() or not subject.isprintable()
        ):
            raise InvalidParameter("Invalid parameter: Subject")
        attrs, size = _check_attributes(message_attributes or {})
        if len(message.encode()) + size > MESSAGE_SIZE_MAX:
            raise InvalidParameter("Invalid parameter: Message too long")
        per_protocol = None
        if message_structure is not None:
            per_protocol = self._structured(message, message_structure)
        now = self._world.clock.now_ns
        if self.fifo:
            if not message_group_id:
                raise InvalidParameter(
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
                )
            if message_deduplication_id is None:
                if not self.content_based_deduplication:
                    raise InvalidParameter(
                        "Invalid parameter: The topic should either have ContentBasedDeduplication "
                        "enabled or "
                        "MessageDeduplicationId provided explicitly"
                    )
                message_deduplication_id = hashlib.sha256(message.encode()).hexdigest()
            seen = self._dedup.get(message_deduplication_id)
            if seen is not None and seen[0] > now:
                return seen[1]
        elif message_deduplication_id is not None:
            raise InvalidParameter(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId "
                "parameter that is not valid for this topic type"
            )
        note = Notification(
            message_id=self._uuid(),
            topic_arn=self.arn,
            subject=subject,
            message=message,
            message_attributes=attrs,
            timestamp=self._world.iso_ms(now),
            published_ns=now,
            sequence_number=str(10_000_000_000_000_000_000 + next(self._seq)) if self.fifo else None,
            message_group_id=message_group_id,
            message_deduplication_id=message_deduplication_id if self.fifo else None,
            signature=base64.b64encode(self._rng.getrandbits(2048).to_bytes(256, "big")).decode(),
            signature_version=self.signature_version,
            signing_cert_url=self.signing_cert_url,
            per_protocol=per_protocol,
        )
        if self.fifo and message_deduplication_id is not None:
            self._dedup[message_deduplication_id] = (now + DEDUPLICATION_WINDOW_S * NS_PER_SECOND, note)
        self._history.append(note)
        for sub in tuple(self._subscriptions):
            self._deliver(note, sub)
        return note

    @staticmethod
    def _structured(message: str, structure: str) -> dict[str, str]:
        if structure != "json":
            raise InvalidParameter("Invalid parameter: MessageStructure")
        try:
            parsed = json.loads(message)
        except ValueError:
            raise InvalidParameter(
                "Invalid parameter: Message Structure - JSON message body failed to parse"
            ) from None
        if not isinstance(parsed, dict) or "default" not in parsed:
            raise InvalidParameter(
                "Invalid parameter: Message Structure - No default entry in JSON message body"
            )
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}

    def _deliver(self, note: Notification, sub: Subscription) -> None:
        if sub.callback is not None:
            sub.callback(note, sub)
            return
        queue = sub.queue
        assert queue is not None
        if sub.raw_message_delivery:
            body = note.message_for("sqs")
            attrs: Mapping[str, Mapping[str, Any]] | None = note.message_attributes or None
        else:
            body = note.envelope_text(sub.arn)
            attrs = None
        if queue.fifo:
            queue.send(
                body,
                message_attributes=attrs,
                message_group_id=note.message_group_id or "default",
                message_deduplication_id=note.message_deduplication_id or note.message_id,
            )
        else:
            queue.send(body, message_attributes=attrs, message_group_id=note.message_group_id)

    def __repr__(self) -> str:
        return f"<Topic {self.name} subscriptions={len(self._subscriptions)} published={len(self._history)}>"
