"""The operation data of S3 event notification versions 2.2 and 2.3 (shared by the S3 builders).

AWS page: "Event message structure" (S3 User Guide). Version 2.2 (replication) and 2.3 (lifecycle,
Intelligent-Tiering, ACL, tagging, restore-delete) records carry a record-level block next to ``s3``:
``replicationEventData``, ``lifecycleEventData.transitionEventData``, ``intelligentTieringEventData`` or, for a
completed restore, ``glacierEventData.restoreEventData``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ._common import iso_ms, partition

VERSION_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
REPLICATION_FAILURE_REASONS = (
    "AssumeRoleNotPermitted",
    "DstBucketNotFound",
    "DstBucketObjectLockConfigMissing",
    "DstKmsKeyNotFound",
    "DstPutObjectNotPermitted",
    "SrcGetObjectNotPermitted",
    "SrcObjectNotEligible",
)
"""Failure reasons of ``Replication:OperationFailedReplication`` ("Amazon S3 replication failure reasons")."""
ACCESS_TIERS = ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")
TRANSITION_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")


def needs_versioning(event_name: str) -> bool:
    """Whether ``event_name`` only happens in a versioned bucket (replication, delete markers)."""
    return event_name.startswith("Replication:") or event_name.endswith("DeleteMarkerCreated")


def operation_data(
    event_name: str, rng: Callable[[], random.Random], *, region: str, bucket: str, now: float
) -> dict[str, Any]:
    """The record-level operation block of a version 2.2/2.3 event (``{}`` for other events):
    ``replicationEventData``, ``lifecycleEventData``, ``intelligentTieringEventData`` or ``glacierEventData``.
    """
    if event_name.startswith("Replication:"):
        data: dict[str, Any] = {
            "replicationRuleId": f"replicate-{bucket}",
            "destinationBucket": f"arn:{partition(region)}:s3:::{bucket}-replica",
            "s3Operation": "OBJECT_PUT",
            "requestTime": iso_ms(now - 60 * (int(rng().random() * 30) + 1)),
        }
        kind = event_name.split(":", 1)[1]
        if kind == "OperationFailedReplication":
            data["failureReason"] = REPLICATION_FAILURE_REASONS[int(rng().random() * len(REPLICATION_FAILURE_REASONS))]
        elif kind in ("OperationMissedThreshold", "OperationReplicatedAfterThreshold"):
            data["threshold"] = "15"  # the S3 Replication Time Control threshold, in minutes
            if kind == "OperationReplicatedAfterThreshold":
                data["replicationTime"] = str(int(rng().random() * 45) + 16)
        return {"replicationEventData": data}
    if event_name == "LifecycleTransition":
        target = TRANSITION_CLASSES[int(rng().random() * len(TRANSITION_CLASSES))]
        return {"lifecycleEventData": {"transitionEventData": {"destinationStorageClass": target}}}
    if event_name == "IntelligentTiering":
        return {"intelligentTieringEventData": {"destinationAccessTier": ACCESS_TIERS[int(rng().random() * 2)]}}
    if event_name == "ObjectRestore:Completed":
        return {
            "glacierEventData": {
                "restoreEventData": {
                    "lifecycleRestorationExpiryTime": iso_ms(now + 7 * 86_400),
                    "lifecycleRestoreStorageClass": "GLACIER",
                }
            }
        }
    return {}
