"""AWS Secrets Manager rotation requests sent to a rotation function.

AWS page: "Lambda rotation functions" (Secrets Manager User Guide). Secrets Manager calls the function once
per rotation ``Step`` -- ``createSecret``, ``setSecret``, ``testSecret``, ``finishSecret``, in that order --
with the same ``SecretId`` (the secret's ARN: ``secret:<name>-<6 random characters>``) and the same
``ClientRequestToken`` (the version id of the pending secret version). ``RotationToken`` identifies the
rotation to the function's role.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`; :func:`rotation` gives
the four steps of one rotation.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    many,
    token,
    uuid4,
)

SOURCE = "secrets_manager"
BATCHING = False
VARIANTS = ("createSecret", "setSecret", "testSecret", "finishSecret")
"""The rotation steps, in the order Secrets Manager runs them."""
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events", "rotation"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "createSecret",
    secret_id: str | None = None,
    client_request_token: str | None = None,
    rotation_token: str | None = None,
) -> dict[str, Any]:
    """One rotation request; ``variant`` is the ``Step``. ``secret_id`` defaults to a database secret in
    ``region``; ``now`` is accepted for uniformity."""
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a rotation step; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    name = f"prod/{_fake.word(r())}-db/credentials"
    return {
        "Step": variant,
        "SecretId": secret_id or arn("secretsmanager", region, account_id, f"secret:{name}-{token(r(), 6, _ALNUM)}"),
        "ClientRequestToken": client_request_token or uuid4(r()),
        "RotationToken": rotation_token or uuid4(r()),
    }


def rotation(*, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """The four requests of one rotation, in step order, sharing ``SecretId``, ``ClientRequestToken`` and
    ``RotationToken`` (keywords as :func:`event`)."""
    first = event(seed=seed, **kwargs)
    shared = {
        "secret_id": first["SecretId"],
        "client_request_token": first["ClientRequestToken"],
        "rotation_token": first["RotationToken"],
    }
    rest = {k: v for k, v in kwargs.items() if k not in ("variant", *shared)}
    return [first] + [event(seed=seed, variant=step, **shared, **rest) for step in VARIANTS[1:]]


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
