"""A large recording is read by a reader process on another core: the same entries, the same ledger, errors at the
same place, and the process ends with the replay (``lambdachaos.replay._source``)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _source

T0_MS = 1_767_225_600_000
PLACEMENT = ("preserve", 1.0, 0, 0)


def _messages(path: Path, n: int, *, broken_at: int | None = None, attributes: bool = True) -> None:
    lines = []
    for i in range(n):
        msg: dict[str, Any] = {"MessageId": f"m-{i}", "Body": f'{{"poison": {i}}}' if i % 50 == 7 else f"order-{i}",
                               "Attributes": {"SentTimestamp": str(T0_MS + i * 40)}}
        if attributes and i % 9 == 4:
            msg["MessageAttributes"] = {"tenant": {"DataType": "String", "StringValue": f"t{i % 3}"}}
        lines.append(json.dumps(msg) + "\n" if i != broken_at else '{"Body": \n')
    path.write_text("".join(lines), encoding="utf-8")


def _readers(monkeypatch: Any) -> list[int]:
    """Start every replay in a reader process; returns the list the started processes' ids are added to."""
    started: list[int] = []
    real = _source._start_reader

    def start(*args: Any) -> Any:
        out = real(*args)
        assert out is not None, "the reader process did not start"
        started.append(1)
        return out

    monkeypatch.setattr(_source, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(_source, "_start_reader", start)
    return started


def _readers_alive() -> list[int]:
    mine = str(os.getpid())
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        parent = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        state = next(line.split()[1] for line in status.splitlines() if line.startswith("State:"))
        if parent == mine and b"lambdachaos.replay._reader" in cmdline and state != "Z":
            alive.append(int(pid))
    return alive


@pytest.mark.parametrize(("fmt", "attributes"), [("auto", True), ("sqs-messages", True), ("auto", False)])
def test_the_reader_process_gives_the_entries_read_in_process(tmp_path: Path, monkeypatch: Any, fmt: str,
                                                               attributes: bool) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 2500, attributes=attributes)
    inline_fmt, inline = _source.read_entries(str(path), fmt, PLACEMENT, True)
    _readers(monkeypatch)
    remote_fmt, remote = _source.open_entries(str(path), fmt, PLACEMENT, True)
    assert remote_fmt == inline_fmt == "sqs-messages"
    expected = [e for chunk in inline for e in zip(chunk.times, chunk.items, strict=True)]
    remote_chunks = list(remote)
    assert [e for chunk in remote_chunks for e in zip(chunk.times, chunk.items, strict=True)] == expected
    # a chunk of plain bodies comes with their digests (one with a message with attributes in it does not)
    assert {chunk.plain for chunk in remote_chunks} == {not attributes}
    for chunk in remote_chunks:
        assert chunk.md5s == ([hashlib.md5(b.encode()).hexdigest() for b in chunk.items] if chunk.plain else None)
    # plain messages are their body; those with attributes stay recorded items (sent with their attributes)
    assert expected[0] == (0, "order-0") and expected[1] == (40_000_000, "order-1")
    if attributes:
        assert expected[4][1].meta["message_attributes"] == {"tenant": {"DataType": "String", "StringValue": "t1"}}


def _run(path: Path, mode: str, tmp_path: Path) -> tuple[bytes, tuple[int, int]]:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        for r in event["Records"]:  # the digest a reader process computed is the body's
            assert r["md5OfBody"] == hashlib.md5(r["body"].encode()).hexdigest(), r
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if "poison" in r["body"]]}

    ledger = tmp_path / f"{mode}.jsonl"
    with Sim(seed=11, ledger="stream", ledger_path=str(ledger)) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders", dead_letter_queue=dlq, max_receive_count=2)
        sim.map(queue, sim.function(handler, name="consumer"), batch_size=25, maximum_batching_window_in_seconds=1,
                function_response_types=["ReportBatchItemFailures"])
        replay = sim.replay(path, queue)
        sim.run()
        counts = (replay.items, replay.sends)
    return ledger.read_bytes(), counts


@pytest.mark.parametrize("attributes", [True, False])
def test_a_replay_through_the_reader_process_writes_the_same_ledger(tmp_path: Path, monkeypatch: Any,
                                                                    attributes: bool) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 3000, attributes=attributes)
    inline = _run(path, "inline", tmp_path)
    started = _readers(monkeypatch)
    assert _run(path, "process", tmp_path) == inline
    assert started == [1] and inline[1] == (3000, 3000)
    assert b'"dead_lettered"' in inline[0]


def test_a_broken_line_is_reported_after_the_items_before_it_were_sent(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 1500, broken_at=1200)
    _readers(monkeypatch)
    with Sim(seed=1, ledger="summary") as sim:
        queue = sim.sqs_queue("orders")
        replay = sim.replay(path, queue)
        with pytest.raises(ConfigError, match=rf"{path}:1201: not JSON and not JSON Lines"):
            sim.run()
        assert (replay.items, len(queue.history)) == (1200, 1200)
    assert _readers_alive() == []


def test_closing_a_replay_half_way_ends_its_reader(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 20_000)  # more than the pipe holds: the reader waits on it
    _readers(monkeypatch)
    with Sim(seed=1, ledger="summary") as sim:
        queue = sim.sqs_queue("orders")
        replay = sim.replay(path, queue)
        sim.run(until=1.0)
        assert replay.items == 26 and len(_readers_alive()) == 1  # 40 ms apart: items 0..25 by t=1 s
        replay.close()
        assert _readers_alive() == []
        sim.run()
        assert replay.items == 26


def test_closing_the_sim_ends_the_reader_of_an_unfinished_replay(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 20_000)
    _readers(monkeypatch)
    with Sim(seed=1, ledger="summary") as sim:
        sim.replay(path, sim.sqs_queue("orders"))
        sim.run(until=0.5)
        assert len(_readers_alive()) == 1
    assert _readers_alive() == []


def test_a_reader_that_dies_is_named(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 20_000)
    _readers(monkeypatch)
    with Sim(seed=1, ledger="summary") as sim:
        replay = sim.replay(path, sim.sqs_queue("orders"))
        (pid,) = _readers_alive()
        os.kill(pid, 9)
        with pytest.raises(ConfigError, match=rf"the reader process of {path} ended before the end of the file "
                                              r"\(exit code -9\)"):
            sim.run()
        assert 0 < replay.items < 20_000


@pytest.mark.parametrize("failure", ["cannot-start", "exits-at-once"])
def test_without_a_reader_process_the_file_is_read_in_process(tmp_path: Path, monkeypatch: Any,
                                                               failure: str) -> None:
    path = tmp_path / "dump.jsonl"
    _messages(path, 300)
    inline = _run(path, "inline", tmp_path)

    def no_process(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no processes here")

    monkeypatch.setattr(_source, "PROCESS_MIN_BYTES", 0)
    if failure == "cannot-start":
        monkeypatch.setattr(_source.subprocess, "Popen", no_process)
    else:  # an interpreter that is not one: it answers nothing
        monkeypatch.setattr(_source.sys, "executable", "/bin/false")
    assert _run(path, "fallback", tmp_path) == inline
    assert _readers_alive() == []


def test_a_missing_file_or_a_folder_is_refused_naming_the_path(tmp_path: Path) -> None:
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders")
        missing = tmp_path / "missing.jsonl"
        with pytest.raises(ConfigError, match=rf"^path='{missing}': No such file or directory; give the recording "
                                              r"file to replay$"):
            sim.replay(missing, queue)
        with pytest.raises(ConfigError, match=rf"^path='{tmp_path}' is a folder; give the recording file to replay$"):
            sim.replay(tmp_path, queue)


@pytest.mark.skipif(not hasattr(__import__("fcntl") if os.name == "posix" else object, "F_GETPIPE_SZ"),
                    reason="pipe sizes are a Linux setting")
def test_the_reader_pipe_is_widened_to_hold_many_chunks() -> None:
    import fcntl

    with open("/proc/sys/fs/pipe-max-size") as f:
        if int(f.read()) < _source.PIPE_BYTES:
            pytest.skip("this machine caps pipes below PIPE_BYTES")
    read, write = os.pipe()
    try:
        before = fcntl.fcntl(read, fcntl.F_GETPIPE_SZ)
        _source._widen(read)
        assert (before, fcntl.fcntl(read, fcntl.F_GETPIPE_SZ)) == (65536, _source.PIPE_BYTES)
    finally:
        os.close(read)
        os.close(write)
