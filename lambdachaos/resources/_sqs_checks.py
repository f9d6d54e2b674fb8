"""SQS message checks and digests: what ``SendMessage`` accepts as a body and as message attributes, the two
MD5 digests SQS computes and the attribute shape of the Lambda SQS event.

AWS pages: "SendMessage", "Amazon SQS message attributes" (including "Calculating the MD5 message digest
for message attributes").
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

from lambdachaos.resources._errors import InvalidMessageContents, InvalidParameterValue

MessageAttributes: TypeAlias = "dict[str, dict[str, Any]]"
"""SQS message attributes in the API shape: "
"``{name: {"DataType": ..., "StringValue"|"BinaryValue": ...}}``."""

NO_ATTRIBUTES: Final[MessageAttributes] = {}
"""The attributes of every message sent without any (one shared empty mapping; never mutated)."""
MAX_MESSAGE_ATTRIBUTES: Final = 10
ATTRIBUTE_NAME_MAX: Final = 256

_INVALID_BODY_CHARS: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME: Final = re.compile(r"[A-Za-z0-9_\-.]{1,256}")
_DATA_TYPE: Final = re.compile(r"(String|Number|Binary)(\.[A-Za-z0-9_\-.]{1,250})?")
_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def check_body(body: object) -> str:
    """Return ``body`` if SQS accepts it as a message body, else raise the SQS error."""
    if type(body) is str and body.isascii() and body.isprintable() and body:
        return body
    if not isinstance(body, str):
        raise InvalidParameterValue(f"MessageBody={body!r} is not a string; SQS message bodies are text")
    if not body:
        raise InvalidParameterValue("The request must contain the parameter MessageBody.")
    if _INVALID_BODY_CHARS.search(body) is not None:
        raise InvalidMessageContents(
            "Invalid characters found. Deleted message body may contain only #x9 | #xA | #xD | "
            "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
        )
    return body


def check_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> tuple[MessageAttributes, int]:
    """Validate message attributes as SQS does; return a normalised copy and their size in bytes."""
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_MESSAGE_ATTRIBUTES}]."
        )
    out: MessageAttributes = {}
    size = 0
    for name, spec in attributes.items():
        lowered = name.lower() if isinstance(name, str) else ""
        if (
            not isinstance(name, str)
            or not _ATTRIBUTE_NAME.fullmatch(name)
            or lowered.startswith(("aws.", "amazon."))
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
        ):
            raise InvalidParameterValue(
                f"Message (user) attribute name {name!r} is invalid: use 1 to 256 of A-Z a-z 0-9 _ - . "
                "without a leading, trailing or doubled period and without the AWS. or Amazon. prefix."
            )
        data_type = spec.get("DataType")
        if not data_type:
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute type."
            )
        match = _DATA_TYPE.fullmatch(data_type)
        if match is None:
            raise InvalidParameterValue(
                f"The type of message (user) attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String."
            )
        kind = match.group(1)
        entry: dict[str, Any] = {"DataType": data_type}
        if kind == "Binary":
            value = spec.get("BinaryValue")
            if isinstance(value, str):
                value = value.encode()
            if not isinstance(value, (bytes, bytearray)) or not value:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type 'Binary' must use field 'Binary'."
                )
            entry["BinaryValue"] = bytes(value)
            size += len(value)
        else:
            text = spec.get("StringValue")
            if not isinstance(text, str) or not text:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type '{kind}' must use field 'String'."
                )
            if kind == "Number" and _NUMBER.fullmatch(text) is None:
                raise InvalidParameterValue(
                    f"Can't cast the value of message (user) attribute '{name}' to a number."
                )
            entry["StringValue"] = text
            size += len(text.encode())
        size += len(name.encode()) + len(data_type.encode())
        out[name] = entry
    return out, size


try:  # CPython's own MD5: for message-sized inputs about twice as fast as a new OpenSSL context each time
    from _md5 import md5 as _md5  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # an interpreter built without it
    _md5 = hashlib.md5

_LAST_MD5: list[tuple[str, str]] = [("", _md5(b"").hexdigest())]


def md5_of_body(body: str) -> str:
    """Hex MD5 of the UTF-8 body (``MD5OfMessageBody`` / ``md5OfBody``).

    The digest of the last body is kept: the same body object again (a message received again, one body sent
    many times) costs no hashing.
    """
    last, known = _LAST_MD5[0]
    if body is last:
        return known
    digest: str = _md5(body.encode()).hexdigest()
    _LAST_MD5[0] = (body, digest)
    return digest


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """SQS's attribute digest: names sorted; each name, type and value length-prefixed (4-byte big
    endian), with a transport byte of 1 (string/number) or 2 (binary) before the value. None if empty."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        spec = attributes[name]
        for text in (name, spec["DataType"]):
            raw = text.encode()
            digest.update(len(raw).to_bytes(4, "big") + raw)
        if "BinaryValue" in spec:
            value = bytes(spec["BinaryValue"])
            digest.update(b"\x02" + len(value).to_bytes(4, "big") + value)
        else:
            value = spec["StringValue"].encode()
            digest.update(b"\x01" + len(value).to_bytes(4, "big") + value)
    return digest.hexdigest()


def lambda_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Message attributes in the camelCase shape of the Lambda SQS event (docs/aws-behaviour.md §11)."""
    out: dict[str, dict[str, Any]] = {}
    for name, spec in attributes.items():
        if "BinaryValue" in spec:
            out[name] = {
                "binaryValue": base64.b64encode(spec["BinaryValue"]).decode(),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": spec["DataType"],
            }
        else:
            out[name] = {
                "stringValue": spec["StringValue"],
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": spec["DataType"],
            }
    return out
