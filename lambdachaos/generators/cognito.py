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
    b64,
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
    "user_migration": "UserMigration_Authentication",
    "custom_email_sender": "CustomEmailSender_SignUp",
    "custom_sms_sender": "CustomSMSSender_SignUp",
}
"""The default ``triggerSource`` of each variant."""
ALL_TRIGGER_SOURCES = {
    "custom_message": tuple(
        f"CustomMessage_{s}"
        for s in (
            "SignUp",
            "AdminCreateUser",
            "ResendCode",
            "ForgotPassword",
            "UpdateUserAttribute",
            "VerifyUserAttribute",
            "Authentication",
        )
    ),
    "user_migration": ("UserMigration_Authentication", "UserMigration_ForgotPassword"),
    "custom_email_sender": tuple(
        f"CustomEmailSender_{s}"
        for s in (
            "SignUp",
            "ResendCode",
            "ForgotPassword",
            "UpdateUserAttribute",
            "VerifyUserAttribute",
            "AdminCreateUser",
            "AccountTakeOverNotification",
        )
    ),
    "custom_sms_sender": tuple(
        f"CustomSMSSender_{s}"
        for s in (
            "SignUp",
            "ResendCode",
            "ForgotPassword",
            "UpdateUserAttribute",
            "VerifyUserAttribute",
            "Authentication",
            "AdminCreateUser",
        )
    ),
}
"""Every ``triggerSource`` a variant can send, where there are several (``trigger_source=`` picks one)."""
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
    "user_migration": "CognitoMigrateUserTriggerModel",
    "custom_email_sender": "CognitoCustomEmailSenderTriggerModel",
    "custom_sms_sender": "CognitoCustomSMSSenderTriggerModel",
}
"""The powertools parser model of each variant (``None``: see :data:`MODEL_NOTES`)."""
MODEL_NOTES = {
    "verify_auth_challenge": "powertools requires a boolean response.answerCorrect; AWS sends it as null",
}
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = [
    "ALL_TRIGGER_SOURCES",
    "BATCHING",
    "MODELS",
    "MODEL_NOTES",
    "SOURCE",
    "TRIGGER_SOURCES",
    "VARIANTS",
    "event",
    "events",
]


def _session() -> list[dict[str, Any]]:
    # A custom auth flow that started with SRP: the password steps already succeeded.
    return [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
        {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None},
    ]


def _request_response(
    variant: str, attrs: dict[str, str], rng: Any, source: str, metadata: dict[str, str] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    if variant == "user_migration":
        request: dict[str, Any] = {"validationData": None, "clientMetadata": metadata}
        if source == "UserMigration_Authentication":
            request = {"password": token(rng, 14, _ALNUM), **request}
        return request, {
            "userAttributes": None,
            "finalUserStatus": None,
            "messageAction": None,
            "desiredDeliveryMediums": None,
            "forceAliasCreation": None,
            "enableSMSMFA": None,
        }
    if variant in ("custom_email_sender", "custom_sms_sender"):
        kind = "customEmailSenderRequestV1" if variant == "custom_email_sender" else "customSMSSenderRequestV1"
        # The code arrives encrypted with the pool's KMS key (an AWS Encryption SDK message, base64).
        code = b64(b"\x02\x05\x78" + rng.randbytes(189))
        return {"type": kind, "code": code, "clientMetadata": metadata, "userAttributes": attrs}, None
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
        admin = source == "CustomMessage_AdminCreateUser"
        return (
            {
                "userAttributes": attrs,
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": "{username}" if admin else None,
                # AWS passes ClientMetadata from the API call; an MFA code during sign-in has none.
                "clientMetadata": None if source == "CustomMessage_Authentication" else metadata,
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
    trigger_source: str | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One user pool trigger event; ``variant`` names the trigger (see :data:`TRIGGER_SOURCES`).

    ``trigger_source`` picks one of the variant's :data:`ALL_TRIGGER_SOURCES` (the custom-message trigger
    draws one when not given; the others default to :data:`TRIGGER_SOURCES`). ``client_metadata`` is the
    ``ClientMetadata`` of the API call, sent by the triggers that receive it (drawn half of the time).
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
    choices = ALL_TRIGGER_SOURCES.get(variant, (TRIGGER_SOURCES[variant],))
    if trigger_source is None:
        source = choices[int(r().random() * len(choices))] if variant == "custom_message" else choices[0]
    elif trigger_source in choices:
        source = trigger_source
    else:
        raise ConfigError(f"trigger_source={trigger_source!r} is not sent by {variant}; use one of {choices}")
    metadata = dict(client_metadata) if client_metadata is not None else None
    if metadata is None and r().random() < 0.5:
        metadata = {"channel": "web", "locale": "en-US"}
    if variant == "user_migration" and user_name is None:
        user_name = attrs.get("email", sub)  # the name the user typed, unknown to the pool
    request, response = _request_response(variant, attrs, r(), source, metadata)
    out = {
        "version": "1",
        "region": region,
        "userPoolId": user_pool_id or f"{region}_{token(r(), 9, _ALNUM)}",
        "userName": user_name or sub,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id or token(r(), 26, _LOWER_ALNUM),
        },
        "triggerSource": source,
        "request": request,
        "response": response,
    }
    if response is None:  # custom sender triggers get no response object
        del out["response"]
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
