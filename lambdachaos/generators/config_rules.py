"""AWS Config custom rule evaluations (configuration-change and periodic triggers).

AWS page: "Example events for AWS Config rules". The event has ``version`` ``"1.0"``, ``invokingEvent`` and
``ruleParameters`` as **JSON text** (strings, not objects), an opaque ``resultToken`` to pass back to
``PutEvaluations``, ``eventLeftScope``, ``executionRoleArn``, ``configRuleArn``/``configRuleName``/
``configRuleId``, ``accountId`` and ``evaluationMode``. A change trigger's invoking event is a
``ConfigurationItemChangeNotification`` with the ``configurationItem`` (here an EC2 instance) and a
``configurationItemDiff``; a periodic trigger's is a ``ScheduledNotification`` naming only the account.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdachaos._errors import ConfigError

from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    b64,
    dumps,
    hex_digits,
    iso_ms,
    many,
    partition,
    to_ms,
    token,
)

SOURCE = "config_rules"
BATCHING = False
VARIANTS = ("configuration_change", "periodic")
INSTANCE_TYPES = ("t3.micro", "t3.small", "t3.medium", "m6i.large", "c6i.xlarge")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "INSTANCE_TYPES", "SOURCE", "VARIANTS", "event", "events"]


def _instance_item(rng: Any, region: str, account_id: str, now: float, instance_type: str) -> dict[str, Any]:
    instance_id = "i-" + hex_digits(rng, 17)
    subnet, vpc = "subnet-" + hex_digits(rng, 17), "vpc-" + hex_digits(rng, 17)
    zone = region + "abc"[int(rng.random() * 3)]
    created = iso_ms(now - 86_400 * (int(rng.random() * 300) + 1))
    return {
        "relatedEvents": [],
        "relationships": [
            {
                "resourceId": subnet,
                "resourceName": None,
                "resourceType": "AWS::EC2::Subnet",
                "name": "Is contained in Subnet",
            },
            {"resourceId": vpc, "resourceName": None, "resourceType": "AWS::EC2::VPC", "name": "Is contained in Vpc"},
        ],
        "configuration": {
            "instanceId": instance_id,
            "imageId": "ami-" + hex_digits(rng, 17),
            "instanceType": instance_type,
            "launchTime": created,
            "placement": {"availabilityZone": zone, "tenancy": "default"},
            "privateIpAddress": f"10.0.{int(rng.random() * 256)}.{int(rng.random() * 254) + 1}",
            "state": {"code": 16, "name": "running"},
            "subnetId": subnet,
            "vpcId": vpc,
            "architecture": "x86_64",
        },
        "supplementaryConfiguration": {},
        "tags": {"Name": f"orders-{int(rng.random() * 100)}"},
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": iso_ms(now - 2),
        "configurationStateId": to_ms(now - 2),
        "awsAccountId": account_id,
        "configurationItemStatus": "OK",
        "resourceType": "AWS::EC2::Instance",
        "resourceId": instance_id,
        "resourceName": None,
        "ARN": arn("ec2", region, account_id, f"instance/{instance_id}"),
        "awsRegion": region,
        "availabilityZone": zone,
        "configurationStateMd5Hash": "",
        "resourceCreationTime": created,
    }


def _token_body(rng: Any) -> dict[str, Any]:
    # The token is opaque; AWS's decodes to signed encrypted bytes, a key serial number and an IV.
    signed = [b - 128 for b in rng.randbytes(64)]
    return {"encryptedData": signed[:48], "materialSetSerialNumber": 1, "ivParameterSpec": {"iv": signed[48:]}}


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "configuration_change",
    rule_name: str | None = None,
    rule_parameters: Mapping[str, Any] | None = None,
    instance_type: str | None = None,
) -> dict[str, Any]:
    """One rule evaluation request; ``variant`` ``configuration_change`` or ``periodic``.

    A change event reports an EC2 instance whose type changed to ``instance_type`` (drawn when not given);
    ``rule_parameters`` is serialised into ``ruleParameters`` (default ``{"desiredInstanceType": ...}``).
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an AWS Config trigger; use one of {VARIANTS}")
    r = LazyRng(seed, SOURCE).get()
    rule_id = "config-rule-" + token(r, 6, _LOWER_ALNUM)
    desired = INSTANCE_TYPES[int(r.random() * len(INSTANCE_TYPES))]
    invoking: dict[str, Any]
    if variant == "periodic":
        invoking = {
            "awsAccountId": account_id,
            "notificationCreationTime": iso_ms(now),
            "messageType": "ScheduledNotification",
            "recordVersion": "1.0",
        }
    else:
        new_type = instance_type or INSTANCE_TYPES[int(r.random() * len(INSTANCE_TYPES))]
        old_type = next(t for t in INSTANCE_TYPES if t != new_type)
        change = {"previousValue": old_type, "updatedValue": new_type, "changeType": "UPDATE"}
        invoking = {
            "configurationItemDiff": {
                "changedProperties": {"Configuration.InstanceType": change},
                "changeType": "UPDATE",
            },
            "configurationItem": _instance_item(r, region, account_id, now, new_type),
            "notificationCreationTime": iso_ms(now),
            "messageType": "ConfigurationItemChangeNotification",
            "recordVersion": "1.3",
        }
    return {
        "version": "1.0",
        "invokingEvent": dumps(invoking),
        "ruleParameters": dumps(
            dict(rule_parameters) if rule_parameters is not None else {"desiredInstanceType": desired}
        ),
        "resultToken": b64(dumps(_token_body(r)).encode()),
        "eventLeftScope": False,
        "executionRoleArn": f"arn:{partition(region)}:iam::{account_id}:role/aws-service-role/"
        "config.amazonaws.com/AWSServiceRoleForConfig",
        "configRuleArn": arn("config", region, account_id, f"config-rule/{rule_id}"),
        "configRuleName": rule_name or "desired-instance-type",
        "configRuleId": rule_id,
        "accountId": account_id,
        "evaluationMode": "DETECTIVE",
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
