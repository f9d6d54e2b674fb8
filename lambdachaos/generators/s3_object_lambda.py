"""Amazon S3 Object Lambda ``GetObject`` requests sent to the access point's transforming function.

AWS page: "Event context format and usage" (S3 User Guide). The event names the request
(``xAmzRequestId``), how to fetch the original object and where to write the answer (``getObjectContext``:
``inputS3Url``, a presigned ``GET`` URL on the supporting access point's domain, signed with the caller's
credentials and valid for :data:`INPUT_URL_EXPIRES` seconds, plus the ``outputRoute`` and ``outputToken`` to
pass to ``WriteGetObjectResponse``), the access point ``configuration`` (``accessPointArn`` of the Object
Lambda access point, ``supportingAccessPointArn`` and the opaque ``payload`` string), the caller's
``userRequest`` (``url`` on the Object Lambda access point domain and the ``headers`` sent) and
``userIdentity`` (CloudTrail style), and ``protocolVersion`` ``"1.00"``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import quote

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    b64,
    decimal_digits,
    dumps,
    hex_digits,
    iam_id,
    many,
    partition,
    uuid4,
)

SOURCE = "s3_object_lambda"
BATCHING = False
VARIANTS = ("assumed_role", "iam_user")
"""Who made the ``GetObject`` call: a role session (temporary ``ASIA`` keys) or an IAM user (``AKIA`` keys)."""
PROTOCOL_VERSION = "1.00"
INPUT_URL_EXPIRES = 61
"""Seconds the presigned ``inputS3Url`` stays valid (AWS Prescriptive Guidance, "presigned URL best practices")."""
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
"""``X-Amz-Content-SHA256`` of a ``GET``: the hash of the empty body."""
_COMPASS = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c"}

__all__ = [
    "BATCHING",
    "EMPTY_SHA256",
    "INPUT_URL_EXPIRES",
    "PROTOCOL_VERSION",
    "SOURCE",
    "VARIANTS",
    "event",
    "events",
    "region_code",
]


def region_code(region: str) -> str:
    """The short code AWS uses in routing names: ``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2``."""
    area, *rest = region.split("-")
    middle = "".join(rest[:-1])
    for word, letter in _COMPASS.items():
        middle = middle.replace(word, letter)
    return f"{area}{middle}{rest[-1] if rest else ''}"


def _java_date(now: float) -> str:
    # CloudTrail-style session creationDate is Java's Date.toString(), e.g. "Sat Jun 01 11:00:00 UTC 2024".
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(int(now)))


def _identity(rng: Any, variant: str, region: str, account_id: str, now: float) -> dict[str, Any]:
    part = partition(region)
    if variant == "iam_user":
        user = _fake.username(rng)
        return {
            "type": "IAMUser",
            "principalId": iam_id(rng, "AIDA"),
            "arn": f"arn:{part}:iam::{account_id}:user/{user}",
            "accountId": account_id,
            "accessKeyId": iam_id(rng, "AKIA", 16),
            "userName": user,
        }
    role, session = f"{_fake.word(rng)}-reader", _fake.username(rng)
    role_id = iam_id(rng, "AROA")
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:{part}:sts::{account_id}:assumed-role/{role}/{session}",
        "accountId": account_id,
        "accessKeyId": iam_id(rng, "ASIA", 16),
        "sessionContext": {
            # AWS sends the MFA flag as the string "false"/"true", CloudTrail style.
            "attributes": {"mfaAuthenticated": "false", "creationDate": _java_date(now - rng.randrange(60, 3600))},
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:{part}:iam::{account_id}:role/{role}",
                "accountId": account_id,
                "userName": role,
            },
        },
    }


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "assumed_role",
    key: str | None = None,
    access_point: str | None = None,
    object_lambda_access_point: str | None = None,
    configuration_payload: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One S3 Object Lambda ``GetObject`` event; ``variant`` is the caller's identity type (:data:`VARIANTS`).

    ``key`` is the raw object key (percent-encoded in both URLs). ``access_point`` names the supporting access
    point and ``object_lambda_access_point`` the Object Lambda access point; both are in ``region`` and
    ``account_id``. ``configuration_payload`` is the access point's opaque ``payload`` string (default a small
    JSON document). The URL is signed at ``now``. There is no body type: the function reads the object itself.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an S3 Object Lambda caller; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    word = _fake.word(r())
    ap = access_point or f"{word}-ap"
    olap = object_lambda_access_point or f"{word}-redacted-olap"
    key = key or f"reports/{_fake.word(r())}-{decimal_digits(r(), 4)}.csv"
    path = "/" + quote(key, safe="/~")
    identity = _identity(r(), variant, region, account_id, now)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(now)))
    credential = quote(f"{identity['accessKeyId']}/{stamp[:8]}/{region}/s3/aws4_request", safe="")
    query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date={stamp}"
        f"&X-Amz-Expires={INPUT_URL_EXPIRES}"
    )
    if variant == "assumed_role":
        query += "&X-Amz-Security-Token=" + quote(b64(r().getrandbits(1536).to_bytes(192, "big")), safe="")
    query += f"&X-Amz-SignedHeaders=host&X-Amz-Signature={hex_digits(r(), 64)}"
    olap_host = f"{olap}-{account_id}.s3-object-lambda.{region}.amazonaws.com"
    return {
        "xAmzRequestId": request_id or uuid4(r()),
        "getObjectContext": {
            "inputS3Url": f"https://{ap}-{account_id}.s3-accesspoint.{region}.amazonaws.com{path}?{query}",
            "outputRoute": f"io-{region_code(region)}-{r().randrange(1, 8):03d}",
            "outputToken": b64(r().getrandbits(768).to_bytes(96, "big")),
        },
        "configuration": {
            "accessPointArn": arn("s3-object-lambda", region, account_id, f"accesspoint/{olap}"),
            "supportingAccessPointArn": arn("s3", region, account_id, f"accesspoint/{ap}"),
            "payload": configuration_payload
            if configuration_payload is not None
            else dumps({"redact": ["email", "phone"]}),
        },
        "userRequest": {
            "url": f"https://{olap_host}{path}",
            "headers": {
                "Host": olap_host,
                "Accept-Encoding": "identity",
                "User-Agent": f"aws-cli/2.{r().randrange(10, 18)}.{r().randrange(20)} md/Botocore#1.34",
                "X-Amz-Content-SHA256": EMPTY_SHA256,
                "X-Amz-Date": stamp,
            },
        },
        "userIdentity": identity,
        "protocolVersion": PROTOCOL_VERSION,
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
