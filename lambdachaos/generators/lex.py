"""Amazon Lex code hook events (Lex V1 and Lex V2).

AWS pages: "Lambda function input event and response format" (Lex V1) and "Understanding the Lambda input event
format" (Lex V2). A V1 event has ``messageVersion`` ``"1.0"``, ``invocationSource``
(``DialogCodeHook``/``FulfillmentCodeHook``), ``userId``, ``inputTranscript``, ``outputDialogMode``, the
``bot`` (``name``, ``alias``, ``version``), ``currentIntent`` (``name``, ``slots`` with ``null`` for unfilled
slots, ``slotDetails``, ``confirmationStatus``) and string ``sessionAttributes``. A V2 event has ``sessionId``,
``inputMode``, ``responseContentType``, the ``bot`` (``id``, ``name``, ``aliasId``, ``aliasName``, ``localeId``,
``version``), ``interpretations`` (each intent with ``nluConfidence``), ``sessionState`` (the active intent,
slots as ``{"shape": "Scalar", "value": {originalValue, interpretedValue, resolvedValues}}`` or ``null``) and
``transcriptions``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, many, token, upper_alnum, uuid4

SOURCE = "lex"
BATCHING = False
VARIANTS = ("v2", "v1")
INVOCATION_SOURCES = ("DialogCodeHook", "FulfillmentCodeHook")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "INVOCATION_SOURCES", "SOURCE", "VARIANTS", "event", "events"]


def _v2_intent(order: str | None, state: str, confirmation: str) -> dict[str, Any]:
    slot = None
    if order is not None:
        slot = {
            "shape": "Scalar",
            "value": {"originalValue": order, "interpretedValue": order, "resolvedValues": [order]},
        }
    return {"confirmationState": confirmation, "name": "TrackOrder", "slots": {"OrderNumber": slot}, "state": state}


def _v1(r: Any, source: str, order: str | None, transcript: str) -> dict[str, Any]:
    details = {"OrderNumber": {"resolutions": [{"value": order}], "originalValue": order}} if order else {}
    return {
        "messageVersion": "1.0",
        "invocationSource": source,
        "userId": token(r, 26, _LOWER_ALNUM),
        "inputTranscript": transcript,
        "outputDialogMode": "Text",
        "sessionAttributes": {},
        "requestAttributes": None,
        "bot": {"name": "OrderStatusBot", "alias": "$LATEST", "version": "$LATEST"},
        "currentIntent": {
            "name": "TrackOrder",
            "nluIntentConfidenceScore": round(0.75 + r.random() * 0.25, 2),
            "slots": {"OrderNumber": order},
            "slotDetails": details,
            "confirmationStatus": "None",
        },
        "alternativeIntents": [],
        "recentIntentSummaryView": [],
    }


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "v2",
    invocation_source: str | None = None,
    transcript: str | None = None,
) -> dict[str, Any]:
    """One code hook call of a ``TrackOrder`` intent; ``variant`` ``v2`` (Lex V2) or ``v1`` (Lex V1).

    ``invocation_source`` defaults to a dialog hook (the slot still empty half of the time) or fulfilment
    (the slot filled); ``transcript`` is what the user said. ``region``, ``account_id`` and ``now`` are accepted
    for uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Lex version; use one of {VARIANTS}")
    r = LazyRng(seed, SOURCE).get()
    source = invocation_source or INVOCATION_SOURCES[int(r.random() * 2)]
    if source not in INVOCATION_SOURCES:
        raise ConfigError(f"invocation_source={source!r} is not valid; use one of {INVOCATION_SOURCES}")
    filled = source == "FulfillmentCodeHook" or r.random() < 0.5
    order = str(int(r.random() * 9_000_000) + 1_000_000) if filled else None
    said = transcript or (f"where is order {order}" if order else "where is my order")
    if variant == "v1":
        return _v1(r, source, order, said)
    state = "ReadyForFulfillment" if source == "FulfillmentCodeHook" else "InProgress"
    intent = _v2_intent(order, state, "None")
    confidence = round(0.75 + r.random() * 0.25, 2)
    return {
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": str(int(r.random() * 10**15)),
        "inputTranscript": said,
        "bot": {
            "id": upper_alnum(r, 10),
            "name": "OrderStatusBot",
            "aliasId": "TSTALIASID",
            "aliasName": "TestBotAlias",
            "localeId": "en_US",
            "version": "DRAFT",
        },
        "interpretations": [
            {"intent": intent, "nluConfidence": confidence, "interpretationSource": "Lex"},
            {
                "intent": {**_v2_intent(None, "InProgress", "None"), "name": "FallbackIntent", "slots": {}},
                "interpretationSource": "Lex",
            },
        ],
        "proposedNextState": None,
        "requestAttributes": {},
        "sessionState": {
            "activeContexts": [],
            "sessionAttributes": {},
            "intent": intent,
            "originatingRequestId": uuid4(r),
        },
        "transcriptions": [
            {
                "transcription": said,
                "transcriptionConfidence": 1.0,
                "resolvedContext": {"intent": "TrackOrder"},
                "resolvedSlots": {},
            }
        ],
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
