"""Amazon Connect contact flow invocations ("Invoke AWS Lambda function" block).

AWS page: "Grant Amazon Connect access to your AWS Lambda functions" (the contact flow event). The event is
``{"Name": "ContactFlowEvent", "Details": {"ContactData": ..., "Parameters": ...}}``: ``ContactData`` has the
contact's ``Attributes`` (strings), ``Channel`` (``VOICE``/``CHAT``/``TASK``), ``ContactId`` (equal to
``InitialContactId`` for a first contact), ``CustomerEndpoint``/``SystemEndpoint`` (E.164 phone numbers for
voice), ``InitiationMethod``, ``InstanceARN``, ``MediaStreams``, ``PreviousContactId`` and the ``Queue``;
``Parameters`` are the block's key-value pairs (strings).

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdachaos._errors import ConfigError

from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, arn, many, to_ms, uuid4

SOURCE = "connect"
BATCHING = False
VARIANTS = ("VOICE", "CHAT", "TASK")
INITIATION_METHODS = ("INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "API")

__all__ = ["BATCHING", "INITIATION_METHODS", "SOURCE", "VARIANTS", "event", "events"]


def _phone(rng: Any) -> str:
    return f"+1{int(rng.random() * 800) + 200}{int(rng.random() * 8_000_000) + 2_000_000}"


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "VOICE",
    attributes: Mapping[str, str] | None = None,
    parameters: Mapping[str, str] | None = None,
    initiation_method: str | None = None,
) -> dict[str, Any]:
    """One contact flow invocation; ``variant`` is the channel (``VOICE``, ``CHAT`` or ``TASK``).

    ``attributes`` are the contact attributes and ``parameters`` the block's parameters (strings, as Connect
    sends them); voice contacts carry phone endpoints and the customer audio stream started at ``now``.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an Amazon Connect channel; use one of {VARIANTS}")
    method = initiation_method or ("INBOUND" if variant == "VOICE" else "API")
    if method not in INITIATION_METHODS:
        raise ConfigError(f"initiation_method={method!r} is not valid; use one of {INITIATION_METHODS}")
    r = LazyRng(seed, SOURCE).get()
    instance_id, contact_id = uuid4(r), uuid4(r)
    instance = arn("connect", region, account_id, f"instance/{instance_id}")
    voice = variant == "VOICE"
    streams: dict[str, Any] = {"Customer": {"Audio": None}}
    if voice:
        start = to_ms(now) - int(r.random() * 60_000)
        streams["Customer"]["Audio"] = {
            "StartFragmentNumber": str(int(r.random() * 10**16)) + "0" * 31,
            "StartTimestamp": str(start),
            "StreamARN": arn("kinesisvideo", region, account_id, f"stream/connect-contact-{uuid4(r)}/{start}"),
        }
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": dict(attributes) if attributes is not None else {"Language": "en-US"},
                "Channel": variant,
                "ContactId": contact_id,
                "CustomerEndpoint": {"Address": _phone(r), "Type": "TELEPHONE_NUMBER"} if voice else None,
                "InitialContactId": contact_id,
                "InitiationMethod": method,
                "InstanceARN": instance,
                "MediaStreams": streams,
                "PreviousContactId": contact_id,
                "Queue": {"ARN": f"{instance}/queue/{uuid4(r)}", "Name": "BasicQueue"},
                "SystemEndpoint": {"Address": _phone(r), "Type": "TELEPHONE_NUMBER"} if voice else None,
            },
            "Parameters": dict(parameters) if parameters is not None else {"intent": "order-status"},
        },
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
