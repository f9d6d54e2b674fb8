"""Amazon Cognito user pool Lambda trigger events.

AWS page: "Customizing user pool workflows with Lambda triggers" and the page of each trigger. Every event has
``version``, ``region``, ``userPoolId`` (``<region>_<9 characters>``), ``userName``, ``callerContext``
(``awsSdkVersion``, ``clientId``), ``triggerSource`` and a trigger-specific ``request`` and ``response``.
``userAttributes`` values are always **strings** (``"email_verified": "true"``). The ``response`` arrives
with each field the function may set present and ``null`` (or ``false`` for pre sign-up flags).

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    decimal_digits,
    many,
    token,
    uuid4,
)

SOURCE = "cognito"
BATCHING = False
TRIGGER_SOURCES = {
    "pre_sign_up": "PreSignUp_SignUp",
    "post_confirmation": "PostConfirmation_ConfirmSignUp",
    "pre_authentication": "PreAuthentication_Authentication",
    "post_authentication": "PostAuthentication_Authentication",
    "pre_token_generation": "TokenGeneration_Authentication",
    "custom_message": "CustomMessage_SignUp",
    "define_auth_challenge": "DefineAuthChallenge_Authentication",
    "create_auth_challenge": "CreateAuthChallenge_Authentication",
    "verify_auth_challenge": "VerifyAuthChallengeResponse_Authentication",
}
"""The ``triggerSource`` each variant sends."""
VARIANTS = tuple(TRIGGER_SOURCES)
MODELS = {
    "pre_sign_up": "CognitoPreSignupTriggerModel",
    "post_confirmation": "CognitoPostConfirmationTriggerModel",
    "pre_authentication": "CognitoPreAuthenticationTriggerModel",
    "post_authentication": "CognitoPostAuthenticationTriggerModel",
    "pre_token_generation": "CognitoPreTokenGenerationTriggerModelV1",
    "custom_message": "CognitoCustomMessageTriggerModel",
    "define_auth_challenge": "CognitoDefineAuthChallengeTriggerModel",
    "create_auth_challenge": "CognitoCreateAuthChallengeTriggerModel",
    "verify_auth_challenge": None,
}
"""The powertools parser model of each variant (``None``: see :data:`MODEL_NOTES`)."""
MODEL_NOTES = {
    "verify_auth_challenge": "powertools requires a boolean response.answerCorrect; AWS sends it as null",
}
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "MODELS", "MODEL_NOTES", "SOURCE", "TRIGGER_SOURCES", "VARIANTS", "event", "events"]


def _session() -> list[dict[str, Any]]:
    # A custom auth flow that started with SRP: the password steps already succeeded.
    return [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
        {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None},
    ]


def _request_response(variant: str, attrs: dict[str, str], rng: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if variant == "pre_sign_up":
        signup = {k: v for k, v in attrs.items() if k in ("email", "name", "phone_number")}
        return (
            {"userAttributes": signup, "validationData": None},
            {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
        )
    if variant in ("post_confirmation", "pre_authentication"):
        extra = {"validationData": None, "userNotFound": False} if variant == "pre_authentication" else {}
        return {"userAttributes": attrs, **extra}, {}
    if variant == "post_authentication":
        return {"userAttributes": attrs, "newDeviceUsed": False}, {}
    if variant == "pre_token_generation":
        groups = {"groupsToOverride": ["customers"], "iamRolesToOverride": [], "preferredRole": None}
        return {"userAttributes": attrs, "groupConfiguration": groups}, {"claimsOverrideDetails": None}
    if variant == "custom_message":
        return (
            {
                "userAttributes": attrs,
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": None,
            },
            {"smsMessage": None, "emailMessage": None, "emailSubject": None},
        )
    if variant == "define_auth_challenge":
        return (
            {"userAttributes": attrs, "session": _session(), "userNotFound": False},
            {"challengeName": None, "issueTokens": None, "failAuthentication": None},
        )
    if variant == "create_auth_challenge":
        return (
            {
                "userAttributes": attrs,
                "challengeName": "CUSTOM_CHALLENGE",
                "session": _session(),
                "userNotFound": False,
            },
            {
                "publicChallengeParameters": None,
                "privateChallengeParameters": None,
                "challengeMetadata": None,
            },
        )
    code = decimal_digits(rng, 6)
    return (
        {
            "userAttributes": attrs,
            "privateChallengeParameters": {"answer": code},
            "challengeAnswer": code,
            "userNotFound": False,
        },
        {"answerCorrect": None},
    )


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "pre_sign_up",
    user_pool_id: str | None = None,
    client_id: str | None = None,
    user_name: str | None = None,
    user_attributes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One user pool trigger event; ``variant`` names the trigger (see :data:`TRIGGER_SOURCES`).

    ``user_attributes`` replaces the drawn attributes (values must be strings, as Cognito sends them).
    ``user_pool_id`` defaults to a pool in ``region``; ``account_id`` and ``now`` are accepted for uniformity.
    """
    if variant not in TRIGGER_SOURCES:
        raise ConfigError(f"variant={variant!r} is not a Cognito trigger; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    sub = uuid4(r())
    first, last = _fake.first_name(r()), _fake.last_name(r())
    attrs = (
        dict(user_attributes)
        if user_attributes is not None
        else {
            "sub": sub,
            "email_verified": "true",
            "cognito:user_status": "CONFIRMED",
            "name": f"{first} {last}",
            "email": _fake.email(r(), first, last),
        }
    )
    request, response = _request_response(variant, attrs, r())
    return {
        "version": "1",
        "region": region,
        "userPoolId": user_pool_id or f"{region}_{token(r(), 9, _ALNUM)}",
        "userName": user_name or sub,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id or token(r(), 26, _LOWER_ALNUM),
        },
        "triggerSource": TRIGGER_SOURCES[variant],
        "request": request,
        "response": response,
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
