"""Large ledger files ask the kernel to drop their cached pages as they grow; the bytes are unchanged."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos.ledger import _uncached


def test_every_forget_every_characters_the_files_pages_are_dropped_and_the_text_is_whole(
        tmp_path: Path, monkeypatch: Any) -> None:
    calls: list[tuple[int, int, int, int]] = []
    monkeypatch.setattr(_uncached, "FORGET_EVERY", 10)
    monkeypatch.setattr(_uncached, "_ADVISE", lambda *args: calls.append(args))
    monkeypatch.setattr(_uncached, "_DONTNEED", 4)
    path = tmp_path / "out.txt"
    with open(path, "w", encoding="utf-8") as f:
        out = _uncached.Uncached(f)
        for part in ("abcd", "efgh", "ijkl", "mnop", "q" * 25):
            out.write(part)
        fd = f.fileno()
    assert path.read_text(encoding="utf-8") == "abcdefghijklmnop" + "q" * 25
    assert calls == [(fd, 0, 0, 4), (fd, 0, 0, 4)]  # after 12 characters, then after the next 29


def test_a_file_without_a_descriptor_is_written_as_it_is() -> None:
    buffer = io.StringIO()
    _uncached.forget(buffer)  # no descriptor: nothing to advise, no error
    assert _uncached.Uncached(buffer).write("x") == 1
    assert buffer.getvalue() == "x"


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise is a Linux call")
@pytest.mark.parametrize("mode", ["full", "stream"])
def test_ledger_files_are_the_same_bytes_when_their_pages_are_dropped_often(
        tmp_path: Path, monkeypatch: Any, mode: str) -> None:
    def ledger_bytes(forget_every: int) -> bytes:
        monkeypatch.setattr(_uncached, "FORGET_EVERY", forget_every)
        path = tmp_path / f"{mode}-{forget_every}.json"
        sim = Sim(seed=4, ledger=mode, ledger_path=str(path) if mode == "stream" else None)
        with sim:
            queue = sim.sqs_queue("orders")
            sim.map(queue, sim.function(lambda e, c: None, name="f"), batch_size=10)
            queue.send_many([f"m{i}" for i in range(300)])
            sim.run()
            if mode == "full":
                sim.ledger.write(str(path))
        return path.read_bytes()

    assert ledger_bytes(1) == ledger_bytes(1 << 40)
