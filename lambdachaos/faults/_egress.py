"""Socket-level egress loss: ``getaddrinfo``/``gethostbyname`` and ``socket.connect``/``connect_ex`` patched
for one handler call so disallowed destinations fail in the chosen mode; allowed ones pass through."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

from ._net_faults import EgressMode
from ._outcome import EgressPolicy
from ._patching import InjectionLog, Sleep, patched

__all__ = ["LINUX_CONNECT_TIMEOUT_SECONDS", "blocking_policy", "egress_sockets"]

#: How long a blocking connect without a timeout waits for a dropped SYN on Linux (6 SYN retries).
LINUX_CONNECT_TIMEOUT_SECONDS = 127.0
# Blocked names resolve (in the non-DNS modes) to TEST-NET-2 documentation addresses:
# never routed, and no real DNS query is made.
_SYNTHETIC_NET = "198.51.100."


def blocking_policy(
    policies: tuple[EgressPolicy, ...],
    host: str,
    port: int | None,
    service: str | None = None,
    operation: str | None = None,
) -> EgressPolicy | None:
    """The first policy that blocks ``host:port`` (None: the connection is allowed)."""
    for policy in policies:
        if policy.blocks(host, port, service, operation):
            return policy
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _port(port: Any) -> int | None:
    if isinstance(port, bytes):
        port = port.decode("ascii", "replace")
    if isinstance(port, str):
        return int(port) if port.isdigit() else None
    return port if isinstance(port, int) and not isinstance(port, bool) else None


def _gaierror() -> socket.gaierror:
    return socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@contextlib.contextmanager
def egress_sockets(policies: tuple[EgressPolicy, ...], sleep: Sleep, log: InjectionLog) -> Iterator[None]:
    """Patch name resolution and ``socket.socket.connect``/``connect_ex`` for the block (see module doc)."""
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    synthetic: dict[str, str] = {}  # synthetic address -> the blocked name it stands for

    def hit(policy: EgressPolicy, what: str, **detail: Any) -> None:
        log.record(policy.rule_id, "egress-loss", what, mode=policy.mode.value, **detail)

    def fake_address(name: str) -> str:
        for addr, known in synthetic.items():
            if known == name:
                return addr
        addr = f"{_SYNTHETIC_NET}{len(synthetic) % 254 + 1}"
        synthetic[addr] = name
        return addr

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        name = host.decode("idna") if isinstance(host, bytes) else host
        policy = None if name is None or _is_ip(name) else blocking_policy(policies, name, _port(port))
        if policy is None:
            return real_getaddrinfo(host, port, family, type, proto, flags)
        if policy.mode is EgressMode.DNS_FAILURE:
            hit(policy, f"name resolution of {name} failed (socket.gaierror)", host=name)
            raise _gaierror()
        sock_type = type or socket.SOCK_STREAM
        proto_num = proto or (socket.IPPROTO_UDP if sock_type == socket.SOCK_DGRAM else socket.IPPROTO_TCP)
        return [(socket.AF_INET, sock_type, proto_num, "", (fake_address(name), _port(port) or 0))]

    def gethostbyname(host: str) -> str:
        policy = None if _is_ip(host) else blocking_policy(policies, host, None)
        if policy is None:
            return real_gethostbyname(host)
        if policy.mode is EgressMode.DNS_FAILURE:
            hit(policy, f"name resolution of {host} failed (socket.gaierror)", host=host)
            raise _gaierror()
        return fake_address(host)

    def refuse(sock: socket.socket, address: Any) -> tuple[EgressPolicy, BaseException] | None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return None
        host, port = str(address[0]), _port(address[1])
        name = synthetic.get(host, host)
        policy = blocking_policy(policies, name, port)
        if policy is None:
            return None
        where = f"{name}:{port}"
        mode = policy.mode
        if mode is EgressMode.DNS_FAILURE and not _is_ip(name):
            hit(policy, f"connect to {where}: name resolution failed (socket.gaierror)", host=name, port=port)
            return policy, _gaierror()
        if mode is EgressMode.CONNECTION_RESET:
            hit(policy, f"connect to {where} reset (ConnectionResetError)", host=name, port=port)
            return policy, ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
        if mode is EgressMode.BLACKHOLE:
            timeout = policy.connect_timeout_seconds
            if timeout is None:
                timeout = sock.gettimeout()
            if timeout == 0.0:
                hit(policy, f"connect to {where} in progress forever (non-blocking, blackholed)", host=name)
                return policy, BlockingIOError(errno.EINPROGRESS, "Operation now in progress")
            waited = LINUX_CONNECT_TIMEOUT_SECONDS if timeout is None else timeout
            sleep(waited)
            hit(
                policy,
                f"connect to {where} blackholed: timed out after {waited:g} s",
                host=name,
                port=port,
                waited_seconds=waited,
            )
            if timeout is None:
                return policy, TimeoutError(errno.ETIMEDOUT, "Connection timed out")
            return policy, TimeoutError("timed out")
        # connection-refused, and dns-failure against a literal address (nothing to resolve)
        hit(policy, f"connect to {where} refused (ConnectionRefusedError)", host=name, port=port)
        return policy, ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    def connect(self: socket.socket, address: Any) -> None:
        refused = refuse(self, address)
        if refused is None:
            return real_connect(self, address)
        raise refused[1]

    def connect_ex(self: socket.socket, address: Any) -> int:
        refused = refuse(self, address)
        if refused is None:
            return real_connect_ex(self, address)
        exc = refused[1]
        if isinstance(exc, socket.gaierror):
            raise exc
        return int(getattr(exc, "errno", None) or errno.ETIMEDOUT)

    with contextlib.ExitStack() as stack:
        stack.enter_context(patched(socket, "getaddrinfo", getaddrinfo))
        stack.enter_context(patched(socket, "gethostbyname", gethostbyname))
        stack.enter_context(patched(socket.socket, "connect", connect))
        stack.enter_context(patched(socket.socket, "connect_ex", connect_ex))
        yield
