"""LocalStack in Docker through testcontainers: the pinned image of the same version as host mode.

Used by ``lambdachaos localstack up --docker`` where a Docker engine is available. The container is
started with testcontainers' reaper disabled so it outlives the command; ``down`` stops it by id.
``LOCALSTACK_AUTH_TOKEN`` is passed through when set (4.14.0 itself starts without one).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from lambdachaos.targets._ls_connection import Connection
from lambdachaos.targets._ls_install import LOCALSTACK_VERSION, LocalStackError, LocalStackRefused

IMAGE: Final = f"localstack/localstack:{LOCALSTACK_VERSION}"
_DEFAULT_SOCKET: Final = "/var/run/docker.sock"


def docker_engine() -> str | None:
    """Why no Docker engine answers (``None`` when one does): ``GET /_ping`` on ``$DOCKER_HOST`` or the socket."""
    host = os.environ.get("DOCKER_HOST") or f"unix://{_DEFAULT_SOCKET}"
    url = urlsplit(host)
    try:
        if url.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address: Any = url.path
        elif url.scheme in ("tcp", "http"):
            sock = socket.socket(socket.AF_INET6 if ":" in (url.hostname or "") else socket.AF_INET)
            address = (url.hostname or "127.0.0.1", url.port or 2375)
        else:
            return f"DOCKER_HOST={host} is not a unix:// or tcp:// address"
        with sock:
            sock.settimeout(3)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"{host}: {exc.strerror or exc}"
    return None if reply.startswith(b"HTTP/") else f"{host} did not answer as a Docker engine"


def start_container(settings: Mapping[str, str] | None = None) -> Connection:
    """Start the pinned LocalStack image and return where it answers (``endpoint_url`` on 127.0.0.1)."""
    why = docker_engine()
    if why is not None:
        raise LocalStackRefused(f"no Docker engine ({why}); start Docker, or run host mode: "
                                "'lambdachaos localstack up'")
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    try:
        from testcontainers.localstack import LocalStackContainer
    except ImportError as exc:
        raise LocalStackError("Docker mode needs testcontainers: pip install 'lambdachaos[localstack]'") from exc
    try:
        container: Any = LocalStackContainer(image=IMAGE)
    except Exception as exc:  # the constructor already talks to Docker
        raise LocalStackRefused(f"no Docker engine ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from exc
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
