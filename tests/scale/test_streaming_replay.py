"""Replay reads its input while the simulation runs: JSON Lines and JSON arrays in chunks, sent on the clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _read as _replay

T0_MS = 1_767_225_600_000


def _dump(path: Path, n: int, *, gap_ms: int = 250, as_array: bool = False) -> None:
    messages = [{"MessageId": f"m-{i}", "Body": f"order-{i}", "Attributes": {"SentTimestamp": str(T0_MS + i * gap_ms)}}
                for i in range(n)]
    if as_array:
        path.write_text(json.dumps(messages), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(m) + "\n" for m in messages), encoding="utf-8")


@pytest.mark.parametrize("as_array", [False, True], ids=["json-lines", "json-array"])
def test_values_are_read_chunk_by_chunk_with_the_same_result(tmp_path: Path, monkeypatch: Any, as_array: bool) -> None:
    path = tmp_path / "dump.json"
    _dump(path, 40, as_array=as_array)
    whole = _replay.load_items(path)
    monkeypatch.setattr(_replay, "_CHUNK", 7)  # every value spans several chunks
    assert list(_replay.iter_items(path)) == whole
    assert [m["Body"] for m in whole] == [f"order-{i}" for i in range(40)]


def test_a_broken_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text('{"Body": "a"}\n{"Body": "b"}\n{"Body": \n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{path}:3: not JSON and not JSON Lines"):
        list(_replay.iter_items(path))


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_the_line_of_a_broken_value_is_counted_across_chunks(tmp_path: Path, monkeypatch: Any, chunk: int) -> None:
    path = tmp_path / "dump.jsonl"
    good = "".join(f'{{"Body": "order-{i}"}}\n\n' if i % 3 == 0 else f'{{"Body": "order-{i}"}}\n' for i in range(30))
    path.write_text(good + '{"Body": \n', encoding="utf-8")  # 30 values, 10 blank lines, then line 41 breaks
    monkeypatch.setattr(_replay, "_CHUNK", chunk)
    with pytest.raises(ConfigError, match=rf"{path}:41: not JSON and not JSON Lines"):
        list(_replay.iter_items(path))


def _consumer(event: Any, context: Any) -> None:
    return None


def test_replay_sends_on_the_recorded_gaps_and_reads_only_as_far_as_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    _dump(path, 100)
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders")
        sim.map(queue, sim.function(_consumer, name="consumer"), batch_size=10)
        replay = sim.replay(path, queue)
        assert replay.format == "sqs-messages"
        sim.run(until=2.0)
        # gaps of 0.25 s from t=0: items 0..8 are due by t=2 s, the 10th has been read and waits on the clock
        assert (replay.items, replay.sends) == (9, 9)
        sim.run()
        assert (replay.items, replay.sends) == (100, 100)
        assert repr(replay) == "<Replay sqs-messages items=100 sends=100>"
        sent = sorted((m.sent_ns, m.body) for m in queue.history)
        assert sent == [(i * 250_000_000, f"order-{i}") for i in range(100)]
        assert sim.ledger.counts()["fates"] == {"succeeded": 100}


def test_compress_and_fast_timing(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    _dump(path, 5, gap_ms=1000)
    for timing, factor, expected in (("compress", 4.0, [0, 250, 500, 750, 1000]), ("fast", 1.0, [0, 0, 0, 0, 0])):
        with Sim(seed=1, ledger="summary") as sim:
            queue = sim.sqs_queue("orders")
            sim.replay(path, queue, timing=timing, factor=factor, start=1.0)
            sim.run()
            assert [m.sent_ns // 1_000_000 - 1000 for m in queue.history] == expected


def test_replay_of_lambda_events_into_a_function_and_bad_targets(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps({"at": 1_767_225_600 + i, "event": {"n": i}}) + "\n" for i in range(3)),
                    encoding="utf-8")
    seen: list[Any] = []
    with Sim(seed=1) as sim:
        fn = sim.function(lambda event, context: seen.append((sim.now, event)), name="f")
        sim.replay(path, fn)
        sim.run()
        assert seen == [(0.0, {"n": 0}), (1.0, {"n": 1}), (2.0, {"n": 2})]
        with pytest.raises(ConfigError, match="a streaming replay sends to an SQS queue, a function, a Kinesis stream"):
            sim.replay(path, sim.sns_topic("t"))
        with pytest.raises(ConfigError, match="timing='slow': use preserve, compress or fast"):
            sim.replay(path, fn, timing="slow")


SCENARIO = """\
version: 1
name: streamed-replay
resources:
  queues: {orders: {}}
functions:
  consumer:
    handler: lambdachaos.scenarios._handlers.accept
mappings:
  - {source: orders, function: consumer, batch_size: 10}
traffic:
  - name: dump
    queue: orders
    replay: {file: dump.jsonl, timing: preserve}
expectations:
  - fates: {traffic: dump, succeeded: all}
"""


def test_a_scenario_file_replay_reads_its_file_as_the_clock_reaches_each_item(tmp_path: Path, monkeypatch: Any) -> None:
    from lambdachaos.scenarios import loads_scenario, run_scenario

    _dump(tmp_path / "dump.jsonl", 200, gap_ms=1000)
    reads: list[float] = []
    real = _replay.iter_read

    def counting(path: Any, fmt: str = "auto") -> Any:
        detected, items = real(path, fmt)
        return detected, (reads.append(item.at or 0.0) or item for item in items)

    monkeypatch.setattr(_replay, "iter_read", counting)
    seen: list[tuple[float, int, int]] = []
    scenario = loads_scenario(SCENARIO, base_dir=tmp_path)
    result = run_scenario(scenario, progress=lambda p: seen.append((p.now, len(reads), p.total)))
    assert [(s.index, s.at) for s in result.sent] == [(i, float(i)) for i in range(200)]
    assert all(len(s.ids) == 1 and s.rejected is None for s in result.sent) and result.passed
    # at every report the file was read only one item past the clock (the next item waits on it)
    assert all(read <= int(now) + 2 for now, read, _ in seen), seen[:5]
    assert seen[0][1] < 200 and seen[-1][1:] == (200, 200)


@pytest.mark.parametrize(("sent", "at"), [
    ("1767225600000", 1_767_225_600.0),  # epoch milliseconds, as SQS writes them
    ("1767225600", 1_767_225_600.0),  # epoch seconds
    ("000000000000001", 1.0),  # leading zeros: a small number, so seconds
    ("1767225600123.5", 1_767_225_600.1235),
    ("2026-01-01T00:00:00Z", 1_767_225_600.0),
    ("\u00b2", None),  # a digit that is not a decimal: no time, not a crash
    ("1e12", None),
])
def test_sent_timestamps_are_read_in_every_form(sent: str, at: float | None) -> None:
    (item,) = _replay.read_sqs([{"Body": "x", "Attributes": {"SentTimestamp": sent}}])
    assert item.at == at
    assert _replay.epoch(sent) == at


def test_recorded_gaps_are_kept_to_the_nanosecond_at_present_day_epochs() -> None:
    from lambdachaos.replay._convert import Gaps

    at = [1_767_225_600.0 + ms / 1000 for ms in (0, 40, 80, 1_001, 86_400_123)]  # SentTimestamp ms / 1000
    iso = ["2026-01-01T00:00:00.000001+00:00", "2026-01-01T00:00:00.000042+00:00"]
    for timing, factor, expected in (
        ("preserve", 1.0, [0, 40_000_000, 80_000_000, 1_001_000_000, 86_400_123_000_000]),
        ("compress", 4.0, [0, 10_000_000, 20_000_000, 250_250_000, 21_600_030_750_000]),
    ):
        gaps = Gaps(timing, factor, 0, 0)
        assert [gaps.place(_replay.Recorded("message", "x", t)) for t in at] == expected
    gaps = Gaps("preserve", 1.0, 5, 0)
    assert [gaps.place(_replay.Recorded("message", "x", _replay.epoch(t))) for t in iso] == [5, 41_005]
