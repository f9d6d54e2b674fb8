"""Where a streaming replay's items come from: read from the recording and placed on the virtual clock, in chunks
of entries (their send times in ns, never decreasing, and their items).

A file of at least :data:`PROCESS_MIN_BYTES` is read by a reader process (``python -m
lambdachaos.replay._reader``) on another core while the simulation sends: it parses the JSON, applies the format's
reader and places the items, and hands over pickled chunks through a pipe that it fills at most a few chunks
ahead (memory stays bounded). Smaller files, and any machine where the process cannot start, are read in this
process. Both give the same entries in the same order, so the same ledger.

An entry's item is the message body itself (a ``str``) for a plain SQS message going to a queue (no message
attributes, no group id), else the :class:`~lambdachaos.replay._read.Recorded` item. An error reading the file
is raised after the entries read before it, so they are sent first, as an item-by-item reader would.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
from collections.abc import Iterator
from typing import IO, Any, Final, NamedTuple, TypeAlias, cast

from lambdachaos._errors import ConfigError
from lambdachaos.replay import _read
from lambdachaos.replay._convert import Gaps
from lambdachaos.resources._sqs_checks import md5_of_body

Item: TypeAlias = "str | _read.Recorded"
"""A plain SQS message body, or a recorded item."""


class Chunk(NamedTuple):
    """Consecutive entries: send times (virtual ns, never decreasing) and items, in file order."""

    times: list[int]
    items: list[Item]
    plain: bool
    """Whether every item is a plain message body."""
    md5s: list[str] | None = None
    """The bodies' MD5 digests, when ``plain`` and the chunk was read by a reader process (it spares the
    simulation's process the hashing)."""

PROCESS_MIN_BYTES: Final = 32 * 2**20
"""Files at least this large are read by a reader process (the start costs about 50 ms)."""

CHUNK: Final = 1024
"""Entries per chunk."""

PIPE_BYTES: Final = 2**20
"""The size asked for the reader's pipe (about a dozen chunks of plain messages)."""

_ROOT: Final = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def open_entries(path: str, fmt: str, placement: tuple[str, float, int, int],
                 plain: bool) -> tuple[str, Iterator[Chunk]]:
    """The format read (detected when ``fmt`` is ``auto``) and the recording's entries in chunks.

    ``placement`` is :class:`~lambdachaos.replay._convert.Gaps`'s ``(timing, factor, start_ns, floor_ns)``;
    ``plain`` says plain SQS messages become their body (the target is a queue).
    """
    Gaps(*placement)  # bad timing or factor: refused here, before any process starts
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"path={path!r}: {exc.strerror}; give the recording file to replay") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"path={path!r} is a folder; give the recording file to replay")
    if stat.S_ISREG(info.st_mode) and info.st_size >= PROCESS_MIN_BYTES:
        started = _start_reader(path, fmt, placement, plain)
        if started is not None:
            return started
    return read_entries(path, fmt, placement, plain)


def read_entries(path: str, fmt: str, placement: tuple[str, float, int, int],
                 plain: bool) -> tuple[str, Iterator[Chunk]]:
    """:func:`open_entries` read in this process."""
    fmt, items = _read.iter_read(path, fmt)
    return fmt, _chunks(items, Gaps(*placement), plain)


def _chunks(items: Iterator[_read.Recorded], gaps: Gaps, plain: bool) -> Iterator[Chunk]:
    times: list[int] = []
    out: list[Item] = []
    all_plain = True
    place = gaps.place
    try:
        for item in items:
            meta = item.meta
            times.append(place(item))
            if (plain and item.kind == "message" and not meta.get("message_attributes")
                    and meta.get("message_group_id") is None):
                out.append(item.payload)
            else:
                out.append(item)
                all_plain = False
            if len(out) == CHUNK:
                yield Chunk(times, out, all_plain)
                times, out, all_plain = [], [], True
    except Exception:
        if out:  # what was read before the error is sent first
            yield Chunk(times, out, all_plain)
        raise
    if out:
        yield Chunk(times, out, all_plain)


def digested(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """``chunks`` with the MD5 digests of plain chunks' bodies (the reader process's share of the work)."""
    for chunk in chunks:
        if chunk.plain:
            yield chunk._replace(md5s=[md5_of_body(body) for body in cast("list[str]", chunk.items)])
        else:
            yield chunk


# ---- the reader process ------------------------------------------------------------------------------------
def _start_reader(path: str, fmt: str, placement: tuple[str, float, int, int],
                  plain: bool) -> tuple[str, Iterator[Chunk]] | None:
    """Start the reader process; None when it cannot start or does not answer (the caller reads in process)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.Popen(  # our own interpreter and module, no shell
            [sys.executable, "-P", "-m", "lambdachaos.replay._reader"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=_ROOT,
        )
    except OSError:
        return None
    assert proc.stdin is not None and proc.stdout is not None
    _widen(proc.stdout.fileno())
    try:
        proc.stdin.write(json.dumps([os.path.abspath(path), fmt, list(placement), plain]).encode() + b"\n")
        proc.stdin.close()
    except OSError:  # it ended at once
        _stop(proc)
        return None
    first = receive(proc.stdout)
    if first is None or first[0] not in ("format", "error"):
        _stop(proc)
        return None
    if first[0] == "error":
        _stop(proc)
        raise ConfigError(first[1])
    return first[1], _remote_chunks(proc, path)


def _widen(pipe: int) -> None:
    """Let the reader run up to :data:`PIPE_BYTES` ahead (Linux pipes hold 64 KB, less than a chunk, by default),
    so a moment without the other core does not stall the simulation; where that cannot be set, nothing changes."""
    try:
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined, unused-ignore]
    except (ImportError, AttributeError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        pass


def _remote_chunks(proc: subprocess.Popen[bytes], path: str) -> Iterator[Chunk]:
    assert proc.stdout is not None
    try:
        while True:
            message = receive(proc.stdout)
            if message is None:
                raise ConfigError(f"the reader process of {path} ended before the end of the file "
                                  f"(exit code {proc.wait()})")
            tag, body = message
            if tag == "items":
                yield body
            elif tag == "end":
                return
            else:
                raise ConfigError(body)
    finally:  # also when the replay is dropped half-way: the reader's next write fails and it ends
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdout is not None:
        proc.stdout.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def send(out: IO[bytes], message: tuple[str, Any]) -> None:
    """Write one message of the reader's protocol (8-byte little-endian length, then the pickle)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)
    out.flush()


def receive(stream: IO[bytes]) -> tuple[str, Any] | None:
    """Read one message of the reader's protocol; None at the end of the stream."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        return None
    message: tuple[str, Any] = pickle.loads(data)  # written by our own reader process
    return message
