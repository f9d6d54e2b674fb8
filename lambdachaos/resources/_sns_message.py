"""One published SNS message (:class:`Notification`) and the checks of its message attributes.

A notification renders the SNS JSON envelope SQS and HTTP subscribers get (docs/aws-behaviour.md §7.2,
``SigningCertURL`` casing) and the Lambda ``Records[0]`` shape (``SigningCertUrl`` casing). AWS pages:
"Amazon SNS message and JSON formats", "Amazon SNS message attributes".
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any, Final, final

from lambdachaos._arn import Arn
from lambdachaos.resources._errors import SNSInvalidParameterValue

_TYPES: Final = ("String", "String.Array", "Number", "Binary")

SnsMessageAttributes = dict[str, dict[str, Any]]
"""SNS message attributes in the API shape ``{name: {"DataType", "StringValue"|"BinaryValue"}}``."""


def check_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> tuple[SnsMessageAttributes, int]:
    """The attributes in the API shape and their size in bytes, or the error SNS's ``Publish`` raises."""
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
        region = Arn.parse(self.topic_arn).region
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
