"""LocalStack in Docker through testcontainers: the pinned image of the same version as host mode.

Used by ``lambdachaos localstack up --docker`` where a Docker engine is available. The container is
started with testcontainers' reaper disabled so it outlives the command; ``down`` stops it by id.
``LOCALSTACK_AUTH_TOKEN`` is passed through when set (4.14.0 itself starts without one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from lambdachaos.targets._ls_manager import LOCALSTACK_VERSION, Connection, LocalStackError

IMAGE: Final = f"localstack/localstack:{LOCALSTACK_VERSION}"


def start_container(settings: Mapping[str, str] | None = None) -> Connection:
    """Start the pinned LocalStack image and return where it answers (``endpoint_url`` on 127.0.0.1)."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    try:
        from testcontainers.localstack import LocalStackContainer
    except ImportError as exc:
        raise LocalStackError("Docker mode needs testcontainers: pip install 'lambdachaos[localstack]'") from exc
    container: Any = LocalStackContainer(image=IMAGE)
    for key, value in (settings or {}).items():
        container.with_env(key, value)
    if token := os.environ.get("LOCALSTACK_AUTH_TOKEN"):
        container.with_env("LOCALSTACK_AUTH_TOKEN", token)
    container.with_volume_mapping("/var/run/docker.sock", "/var/run/docker.sock", "rw")  # Lambda containers
    try:
        container.start()
    except Exception as exc:  # no engine, image pull refused, ...
        raise LocalStackError(f"could not start {IMAGE} with testcontainers: {exc}") from exc
    return Connection(endpoint_url=container.get_url(), mode="docker",
                      container_id=container.get_wrapped_container().id, settings=dict(settings or {}))


def stop_container(conn: Connection) -> None:
    """Stop and remove the container ``up --docker`` started."""
    import docker  # type: ignore[import-untyped,import-not-found,unused-ignore]

    client = docker.from_env()
    try:
        container = client.containers.get(conn.container_id)
    except Exception:
        return
    container.stop(timeout=10)
    container.remove(force=True)
