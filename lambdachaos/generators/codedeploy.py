"""AWS CodeDeploy lifecycle event hooks (``BeforeAllowTraffic``/``AfterAllowTraffic`` and the other hooks).

AWS page: "AppSpec 'hooks' section" (for Lambda and ECS deployments). The function receives only two fields,
``DeploymentId`` (``d-`` and nine upper-case letters and digits) and ``LifecycleEventHookExecutionId`` (an
opaque token) and reports back with ``PutLifecycleEventHookExecutionStatus``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, b64, dumps, many, upper_alnum

SOURCE = "codedeploy"
BATCHING = False

__all__ = ["BATCHING", "SOURCE", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    deployment_id: str | None = None,
) -> dict[str, Any]:
    """One hook invocation. ``region``, ``account_id`` and ``now`` are accepted for uniformity (the event names
    none of them)."""
    r = LazyRng(seed, SOURCE).get()
    sealed = {
        "encryptedData": b64(r.randbytes(96)),
        "ivParameterSpec": b64(r.randbytes(12)),
        "materialSetSerialNumber": 1,
    }
    token = b64(dumps(sealed).encode())
    return {
        "DeploymentId": deployment_id or "d-" + upper_alnum(r, 9),
        "LifecycleEventHookExecutionId": token,
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
