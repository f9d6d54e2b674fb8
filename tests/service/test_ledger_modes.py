"""Ledger modes: ``stream`` and ``summary`` agree with ``full`` on every fate and count; the stream file is
byte-identical across runs and processes; members that need every entry say so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lambdachaos import Sim
from lambdachaos.ledger._ledger import Ledger
from lambdachaos.ledger._store import LedgerModeError

HERE = Path(__file__).parent


def _handler(event: Any, context: Any) -> Any:
    if "Records" in event:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"].startswith("poison")]}
    if event.get("fail"):
        raise RuntimeError("order service down")
    return "ok"


def scenario(mode: str, path: str | None, seed: int, messages: int, poison_every: int, receives: int,
             async_events: int, batch: int, upstream: int = 0) -> Ledger:
    """``upstream`` messages are sent to an unmapped queue whose redrive policy moves them into the mapped
    queue: they were never sent to it, so they are no record of its mapping, whatever happens to them there."""
    with Sim(seed=seed, ledger=mode, ledger_path=path) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=receives)
        fn = sim.function(_handler, name="consumer", dead_letter_queue=dlq, maximum_retry_attempts=1)
        inbox = sim.sqs_queue("inbox", visibility_timeout=1, dead_letter_queue=queue, max_receive_count=1)
        for i in range(upstream):
            inbox.send("poison" if i % poison_every == 0 else f"late-{i}")
        sim.map(queue, fn, batch_size=batch, function_response_types=["ReportBatchItemFailures"])
        for i in range(messages):
            queue.send("poison" if i % poison_every == 0 else f"order-{i}")
        for i in range(async_events):
            fn.invoke_async({"fail": i % 3 == 0})
        while inbox.receive(10):
            pass
        sim.run(until=1.5)
        inbox.receive(10)  # past maxReceiveCount: moved into the mapped queue
        sim.run(until=20.0 + seed % 200)  # some runs stop with records still pending
        return sim.ledger


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), messages=st.integers(0, 60), poison_every=st.integers(1, 20),
       receives=st.integers(1, 4), async_events=st.integers(0, 8), batch=st.integers(1, 10),
       upstream=st.integers(0, 5))
@example(seed=1, messages=10, poison_every=3, receives=1, async_events=0, batch=10, upstream=4)
def test_stream_and_summary_agree_with_full_on_every_fate_and_count(
    tmp_path: Path, seed: int, messages: int, poison_every: int, receives: int, async_events: int, batch: int,
    upstream: int,
) -> None:
    args = (seed, messages, poison_every, receives, async_events, batch, upstream)
    full = scenario("full", None, *args)
    path = tmp_path / f"{seed}-{messages}-{batch}-{upstream}.jsonl"
    stream = scenario("stream", str(path), *args)
    summary = scenario("summary", None, *args)
    assert stream.counts() == full.counts() == summary.counts()
    assert len(stream) == len(summary) == len(full)
    assert stream.failed_fates() == summary.failed_fates() == full.failed_fates()
    assert stream.pending_fates() == summary.pending_fates() == full.pending_fates()
    for fate in full.failed_fates() + full.pending_fates():
        assert summary.fate(fate.event_id) == fate
    # the file holds every entry: rebuilt, it is the full ledger, fate for fate and byte for byte
    rebuilt = Ledger.from_lines(str(path))
    assert rebuilt.fates == full.fates
    assert rebuilt.to_json() == full.to_json()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"type": "header", "schema": "lambdachaos.ledger-lines/1", "seed": seed}
    assert json.loads(lines[-1]) == {"type": "summary", **full.counts()}


STREAM_SCRIPT = """
import sys
sys.path.insert(0, {here!r})
from test_ledger_modes import scenario
scenario("stream", sys.argv[1], 7, 50, 6, 2, 5, 10)
"""


def test_stream_file_is_byte_identical_across_runs_and_processes(tmp_path: Path) -> None:
    scenario("stream", str(tmp_path / "a.jsonl"), 7, 50, 6, 2, 5, 10)
    scenario("stream", str(tmp_path / "b.jsonl"), 7, 50, 6, 2, 5, 10)
    script = STREAM_SCRIPT.format(here=str(HERE))
    for name, hash_seed in (("c.jsonl", "1"), ("d.jsonl", "4242")):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, timeout=120,
                       env={"PYTHONHASHSEED": hash_seed, "PATH": ""}, cwd=str(tmp_path))
    files = [(tmp_path / n).read_bytes() for n in ("a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl")]
    assert files[0] == files[1] == files[2] == files[3]
    assert files[0].count(b'"type":"fate"') == 55  # 50 messages and 5 events, each exactly one fate
    assert scenario("stream", str(tmp_path / "e.jsonl"), 8, 50, 6, 2, 5, 10) is not None
    assert (tmp_path / "e.jsonl").read_bytes() != files[0]  # another seed, other ids


def test_members_that_need_every_entry_name_the_mode_and_the_way_out(tmp_path: Path) -> None:
    ledger = scenario("summary", None, 1, 20, 5, 1, 2, 10)
    for member in ("attempts", "fates", "deliveries", "faults"):
        with pytest.raises(LedgerModeError, match=rf"ledger\.{member} needs Sim\(ledger='full'\): this 'summary'"):
            getattr(ledger, member)
    with pytest.raises(LedgerModeError, match="to_json"):
        ledger.to_json()
    with pytest.raises(KeyError, match="keeps only pending and failed records"):
        ledger.fate("no-such-id")
    # 4 poison messages wait out their visibility timeout, the failing event its retry: pending at t=21 s
    assert ledger.counts()["fates"] == {"pending": 5, "succeeded": 17}
    assert len(ledger.pending_fates()) == 5


def test_mode_and_path_are_checked() -> None:
    with pytest.raises(LedgerModeError, match=r"ledger='fast' is not a ledger mode; use one of full, stream, summary"):
        Sim(ledger="fast")
    with pytest.raises(LedgerModeError, match="a 'stream' ledger needs ledger_path"):
        Sim(ledger="stream")


def test_full_export_is_compact_c_encoded_json_and_indent_still_pretty_prints(tmp_path: Path) -> None:
    ledger = scenario("full", None, 3, 30, 4, 2, 3, 5)
    text = ledger.to_json()
    assert text == json.dumps(ledger.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "\n" not in text
    assert ledger.to_json(indent=2) == json.dumps(ledger.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    ledger.write(str(tmp_path / "l.json"))
    assert (tmp_path / "l.json").read_text(encoding="utf-8") == text
