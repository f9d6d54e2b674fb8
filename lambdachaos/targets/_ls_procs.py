"""What a running LocalStack listens on: its process tree and the sockets it holds, read from ``/proc``.

``up`` calls :func:`exposed` after every start and stops LocalStack when anything in its process tree
(LocalStack itself, the function processes, the watchdog) listens on an address other than
``127.0.0.1`` / ``::1``: an emulator that runs code must not be reachable from the network.

Linux only (``/proc``); elsewhere :func:`listeners` returns ``None`` and nothing is checked.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_PROC: Final = Path("/proc")
_TCP_LISTEN: Final = "0A"
_UDP_UNCONNECTED: Final = "07"
_TABLES: Final = (("tcp", _TCP_LISTEN), ("tcp6", _TCP_LISTEN), ("udp", _UDP_UNCONNECTED), ("udp6", _UDP_UNCONNECTED))


@dataclass(frozen=True, slots=True)
class Listener:
    """One listening socket: protocol, address, port and the process holding it."""

    protocol: str
    address: str
    port: int
    pid: int

    @property
    def loopback(self) -> bool:
        """True for 127.0.0.0/8, ``::1`` and IPv4-mapped loopback."""
        ip = ipaddress.ip_address(self.address)
        mapped = getattr(ip, "ipv4_mapped", None)
        return ip.is_loopback or (mapped is not None and mapped.is_loopback)

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.protocol} {host}:{self.port} (pid {self.pid})"


def decode_address(hex_address: str) -> str:
    """``0100007F`` → ``127.0.0.1``; 32 hex digits → an IPv6 address (``/proc/net`` stores 32-bit words
    in host byte order, little-endian on every platform this runs on)."""
    raw = bytes.fromhex(hex_address)
    swapped = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(swapped))


def parse_table(text: str, protocol: str, state: str) -> dict[int, tuple[str, int]]:
    """Socket inode → (address, port) for the rows of a ``/proc/net/<protocol>`` table in ``state``."""
    out: dict[int, tuple[str, int]] = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != state:
            continue
        address, _, port = fields[1].partition(":")
        out[int(fields[9])] = (decode_address(address), int(port, 16))
    return out


def process_tree(root: int) -> list[int]:
    """``root`` and every process descending from it (by parent pid), ``root`` first."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += sorted(children.get(pid, ()), reverse=True)
    return tree


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    fd_dir = _PROC / str(pid) / "fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            target = os.readlink(fd_dir / name)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listeners(root: int) -> list[Listener] | None:
    """Every listening TCP socket and bound UDP socket held by ``root``'s process tree (``None`` without /proc)."""
    if not (_PROC / "net" / "tcp").exists():
        return None
    found: list[Listener] = []
    for pid in process_tree(root):
        inodes = _socket_inodes(pid)
        if not inodes:
            continue
        for protocol, state in _TABLES:
            try:
                table = parse_table((_PROC / str(pid) / "net" / protocol).read_text(), protocol, state)
            except OSError:
                continue
            found += [Listener(protocol, *table[i], pid) for i in sorted(inodes & table.keys())]
    return found


def exposed(root: int) -> list[Listener]:
    """The listeners of ``root``'s process tree that are not on a loopback address."""
    return [item for item in listeners(root) or () if not item.loopback]
