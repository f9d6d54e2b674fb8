"""AWS IoT Core events: a topic rule's Lambda action, and custom authorizer requests.

AWS pages: "AWS IoT rule actions: Lambda" and "AWS IoT SQL reference: functions" (rule), "Defining your Lambda
function" and "Connecting to AWS IoT Core by using custom authentication" (authorizer).

* ``rule``: a rule's Lambda action sends exactly the JSON document its ``SELECT`` produced, nothing else. Here
  the rule is ``SELECT *, clientid() AS clientid, topic() AS topic, timestamp() AS timestamp FROM
  'devices/+/telemetry'``: the device's message plus the MQTT client id, the topic it was published on and the
  rule engine's epoch-**millisecond** ``timestamp`` (``now``). ``select`` chooses which of the three functions
  the ``SELECT`` adds.
* ``authorizer_mqtt`` / ``authorizer_http``: the connection data a custom authorizer receives --
  ``signatureVerified``, ``protocols`` (``tls`` plus ``mqtt`` or ``http``), ``protocolData`` (``tls.serverName``
  is the account's ``-ats`` device data endpoint; ``mqtt.username``, ``mqtt.password`` **base64** and
  ``mqtt.clientId``; or ``http.headers`` and ``http.queryString``) and ``connectionMetadata.id`` (a UUID).
  ``token`` is present only when the authorizer has token signing enabled, and then ``signatureVerified`` is
  ``true``; with signing disabled devices send a user name and password instead.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    b64,
    hex_digits,
    many,
    to_ms,
    token,
    upper_alnum,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "iot"
BATCHING = False
VARIANTS = ("rule", "authorizer_mqtt", "authorizer_http", "button")
CLICK_TYPES = ("SINGLE", "DOUBLE", "LONG")
"""The ``clickType`` values of an AWS IoT Button event."""
SQL_FUNCTIONS = ("clientid", "topic", "timestamp")
"""Rule SQL functions the ``rule`` variant's ``SELECT`` may add to the message (``clientid() AS clientid``...)."""
TOKEN_KEY_NAME = "x-device-token"
"""The authorizer's token key name: the header, query parameter or MQTT user name query key holding the token."""
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "SQL_FUNCTIONS", "TOKEN_KEY_NAME", "VARIANTS", "event", "events"]


def _telemetry(rng: Any, thing: str) -> dict[str, Any]:
    return {
        "deviceId": thing,
        "temperature": round(rng.uniform(15.0, 35.0), 2),
        "humidity": round(rng.uniform(20.0, 80.0), 1),
        "battery": rng.randrange(5, 101),
        "status": rng.choice(("ok", "ok", "ok", "degraded")),
    }


def _rule(
    rng: LazyRng,
    thing: str,
    client_id: str | None,
    topic: str | None,
    select: Sequence[str],
    payload: PayloadSpec,
    now: float,
) -> dict[str, Any]:
    unknown = sorted(set(select) - set(SQL_FUNCTIONS))
    if unknown:
        raise ConfigError(f"select={list(select)!r} names {unknown}; pick from the rule SQL functions {SQL_FUNCTIONS}")
    message: JSON = (
        _telemetry(rng.get(), thing) if payload is None else _payload.payload(payload, seed=rng.get(), now=now)
    )
    if not isinstance(message, dict):
        raise ConfigError(
            f"payload={payload!r} does not describe a JSON object; 'SELECT *, clientid() ...' needs one to extend"
        )
    added = {"clientid": client_id or thing, "topic": topic or f"devices/{thing}/telemetry", "timestamp": to_ms(now)}
    return {**message, **{name: added[name] for name in SQL_FUNCTIONS if name in select}}


def _authorizer(
    rng: LazyRng,
    variant: str,
    *,
    region: str,
    thing: str,
    client_id: str | None,
    signing: bool,
    device_token: str | None,
    username: str | None,
    password: bytes | None,
    authorizer_name: str,
    endpoint: str | None,
) -> dict[str, Any]:
    r = rng.get
    host = endpoint or f"{token(r(), 14, _LOWER_ALNUM)}-ats.iot.{region}.amazonaws.com"
    credential = device_token or hex_digits(r(), 40)
    out: dict[str, Any] = {}
    if signing:
        out["token"] = credential
    out["signatureVerified"] = signing
    out["protocols"] = ["tls", "mqtt" if variant == "authorizer_mqtt" else "http"]
    data: dict[str, Any] = {"tls": {"serverName": host}}
    if variant == "authorizer_mqtt":
        query = f"x-amz-customauthorizer-name={quote(authorizer_name, safe='')}"
        if signing:
            signature = quote(_signature(r()), safe="")
            query += f"&{TOKEN_KEY_NAME}={quote(credential, safe='')}&x-amz-customauthorizer-signature={signature}"
        user = username if username is not None else f"{thing}?{query}"
        secret = password if password is not None else token(r(), 24).encode()
        data["mqtt"] = {"username": user, "password": b64(secret), "clientId": client_id or thing}
    else:
        headers = {
            "host": host,
            "content-type": "application/json",
            "x-amz-customauthorizer-name": authorizer_name,
            "user-agent": f"{_fake.word(r())}-firmware/1.{r().randrange(10)}",
        }
        if signing:
            headers[TOKEN_KEY_NAME] = credential
            headers["x-amz-customauthorizer-signature"] = _signature(r())
        data["http"] = {"headers": headers, "queryString": "?qos=1"}
    out["protocolData"] = data
    out["connectionMetadata"] = {"id": uuid4(r())}
    return out


def _signature(rng: Any) -> str:
    # The device signs the token with the authorizer's private key (RSA-2048): 256 bytes, base64.
    return b64(rng.getrandbits(2048).to_bytes(256, "big"))


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "rule",
    payload: PayloadSpec = None,
    thing_name: str | None = None,
    client_id: str | None = None,
    topic: str | None = None,
    select: Sequence[str] = SQL_FUNCTIONS,
    signing: bool = True,
    device_token: str | None = None,
    username: str | None = None,
    password: bytes | None = None,
    authorizer_name: str = "device-authorizer",
    endpoint: str | None = None,
) -> dict[str, Any]:
    """One IoT event; ``variant`` is ``rule`` (the rule's output), an authorizer request or ``button`` (an AWS
    IoT Button click: ``serialNumber``, ``clickType`` and ``batteryVoltage``; see :data:`VARIANTS`).

    Rule keywords: ``payload`` shapes the device's message (default: a telemetry reading; it must describe a
    JSON object), ``topic`` the publish topic (default ``devices/<thing>/telemetry``), ``select`` the SQL
    functions added (see :data:`SQL_FUNCTIONS`). Authorizer keywords: ``signing`` (token signing enabled),
    ``device_token``, ``username``, ``password`` (raw bytes, sent base64-encoded), ``authorizer_name`` and the
    ``endpoint`` host. ``thing_name`` is the device (and default client id) in both. ``account_id`` is accepted
    for uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an IoT event; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    thing = thing_name or f"sensor-{_fake.word(rng.get())}-{rng.get().randrange(1000):03d}"
    if variant == "rule":
        return _rule(rng, thing, client_id, topic, select, payload, now)
    if variant == "button":
        if payload is not None:
            raise ConfigError(f"payload={payload!r} cannot shape an IoT button event: a click carries no body")
        r = rng.get()
        return {
            "serialNumber": "G030" + upper_alnum(r, 12),
            "clickType": CLICK_TYPES[int(r.random() * 3)],
            "batteryVoltage": f"{int(r.random() * 600) + 1500}mV",
        }
    if payload is not None:
        # Same rule as API Gateway authorizers: the device's messages never reach the authorizer.
        raise ConfigError(
            f"payload={payload!r} cannot shape an IoT custom authorizer event: the authorizer sees only "
            "connection data, never a message; drop payload, or use variant='rule'"
        )
    return _authorizer(
        rng,
        variant,
        region=region,
        thing=thing,
        client_id=client_id,
        signing=signing,
        device_token=device_token,
        username=username,
        password=password,
        authorizer_name=authorizer_name,
        endpoint=endpoint,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
