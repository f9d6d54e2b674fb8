"""Alexa Skills Kit requests (a custom skill hosted on Lambda).

AWS page: "Host a custom skill as an AWS Lambda function" and the Alexa "Request and response JSON reference".
The event has ``version`` ``"1.0"``, a ``session`` (``new``, ``sessionId`` ``amzn1.echo-api.session.<uuid>``,
the ``application.applicationId`` ``amzn1.ask.skill.<uuid>``, ``attributes`` and the ``user``), a ``context``
(``System`` with the same application and user, the ``device`` and ``apiEndpoint``/``apiAccessToken``) and the
``request``: ``type`` (``LaunchRequest``, ``IntentRequest``, ``SessionEndedRequest``), ``requestId``
``amzn1.echo-api.request.<uuid>``, ``timestamp`` (ISO 8601 to the second), ``locale`` and, for intents, the
``intent`` with its ``slots``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    b64,
    dumps,
    iso_s,
    many,
    upper_alnum,
    uuid4,
)

SOURCE = "alexa"
BATCHING = False
VARIANTS = ("launch", "intent", "session_ended")
_API_ENDPOINTS = {"us-east-1": "https://api.amazonalexa.com", "eu-west-1": "https://api.eu.amazonalexa.com"}

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "intent",
    intent: str = "TrackOrderIntent",
    slots: dict[str, str] | None = None,
    locale: str = "en-US",
) -> dict[str, Any]:
    """One skill request of the given ``variant``; ``intent`` and ``slots`` (name to spoken value) shape an
    intent request (default slot: an order number). ``account_id`` is accepted for uniformity."""
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an Alexa request type; use one of {VARIANTS}")
    r = LazyRng(seed, SOURCE).get()
    application = {"applicationId": f"amzn1.ask.skill.{uuid4(r)}"}
    user = {"userId": "amzn1.ask.account." + upper_alnum(r, 96)}
    new = variant == "launch"
    request: dict[str, Any] = {
        "type": {"launch": "LaunchRequest", "intent": "IntentRequest", "session_ended": "SessionEndedRequest"}[variant],
        "requestId": f"amzn1.echo-api.request.{uuid4(r)}",
        "locale": locale,
        "timestamp": iso_s(now),
    }
    if variant == "intent":
        spoken = slots if slots is not None else {"OrderNumber": str(int(r.random() * 9_000_000) + 1_000_000)}
        request["dialogState"] = "COMPLETED"
        request["intent"] = {
            "name": intent,
            "confirmationStatus": "NONE",
            "slots": {
                name: {"name": name, "value": value, "confirmationStatus": "NONE", "source": "USER"}
                for name, value in spoken.items()
            },
        }
    elif variant == "session_ended":
        request["reason"] = "USER_INITIATED"
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzUxMiJ9." + b64(dumps({"aud": "https://api.amazonalexa.com"}).encode())
    return {
        "version": "1.0",
        "session": {
            "new": new,
            "sessionId": f"amzn1.echo-api.session.{uuid4(r)}",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device." + upper_alnum(r, 96), "supportedInterfaces": {}},
                "apiEndpoint": _API_ENDPOINTS.get(region, "https://api.amazonalexa.com"),
                "apiAccessToken": token.rstrip("=") + "." + b64(r.randbytes(48)).rstrip("="),
            }
        },
        "request": request,
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
