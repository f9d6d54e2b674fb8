"""Scale benchmarks (run only with ``python -m benchmarks --scale``): a million records, ten million replayed,
garbage-collector pressure, complete small scenarios per second and a seed sweep over two pytest-xdist workers.

Every large run happens in a fresh child process (``python -m benchmarks.bench_scale child ...``) so its peak
resident set size is its own. ``LAMBDACHAOS_SCALE`` divides the record counts (``LAMBDACHAOS_SCALE=10`` runs
100,000 and 1,000,000 instead of 1,000,000 and 10,000,000) for a quick look.

- ``scale_sqs_1m_s``: send + run + write the ledger (stream mode to a file) for 1,000,000 SQS messages
  through a mapping (batch 10, partial batch responses, 1 % poison redriven to a DLQ).
- ``scale_bytes_per_record``: peak RSS growth per record of the same run with the full ledger written to a file.
- ``ledger_export_records_per_s``: attempts + fates per second written by the full ledger's export.
- ``replay_10m_records_per_s`` / ``replay_10m_peak_rss_mb``: 10,000,000 SQS messages replayed from a JSON Lines
  dump (one message per line, 20 per millisecond) through a mapping (batch 100, 1 s batching window, partial
  batch responses, 1 % poison redriven to a DLQ), stream ledger, recorded timing. A dump this large is read by
  a reader process on the other core (``reader_cpu_s``, ``reader_peak_rss_mb``); the peak RSS figure is the sum
  of both processes' peaks.
- ``scale_growth_ratio``: per-record ``sim.run()`` CPU time at 1,000,000 over at 10,000 (full ledger): the
  better of two 1,000,000-message runs over the best of three 10,000-message runs (a single million-message
  run moves with the machine's state: the same code's run phase took 6.4-7.8 CPU seconds within an hour).
- ``scenario_examples_per_s``: new Sim, function, queue with DLQ, mapping, 10 messages with one poison, run, assert
  (in a fresh process, like a property test's: the objects other benchmarks leave behind slow its collector).
- ``sweep_speedup_2_workers``: a 200-seed sweep under pytest, ``-n 2`` against serial (wall time).
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lambdachaos import Sim

SCALE = True
"""Marks this module as part of ``--scale`` only."""

DIVISOR = max(1, int(os.environ.get("LAMBDACHAOS_SCALE", "1")))
N_1M = 1_000_000 // DIVISOR
N_10M = 10_000_000 // DIVISOR
N_SMALL = 10_000


def partial_handler(event: Any, context: Any) -> dict[str, Any]:
    """Reports every poison record of the batch as failed (partial batch response)."""
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                  if r["body"].startswith('{"poison')]}


def _body(i: int) -> str:
    return f'{{"poison": {i}}}' if i % 100 == 7 else f'{{"orderId": {i}, "amount": 12.5}}'


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


MODES = "ledger" in inspect.signature(Sim).parameters
"""False on versions without ledger modes: every run then keeps the full ledger and exports it at the end."""


def _sim(mode: str, path: str | None, seed: int = 1) -> Sim:
    if MODES:
        return Sim(seed=seed, ledger=mode, ledger_path=path)  # type: ignore[call-arg]
    return Sim(seed=seed)


def _write_ledger(sim: Sim, path: str) -> None:
    ledger: Any = sim.ledger
    if hasattr(ledger, "write"):
        ledger.write(path)
    else:
        Path(path).write_text(ledger.to_json(), encoding="utf-8")


def sqs_run(n: int, mode: str) -> dict[str, Any]:
    """The million-message scenario; returns phase times and the peak RSS growth."""
    with tempfile.TemporaryDirectory(prefix="lc-scale-") as out_dir:
        path = os.path.join(out_dir, "ledger.jsonl" if mode == "stream" else "ledger.json")
        base = _rss()
        c0 = time.process_time()
        t0 = time.perf_counter()
        sim = _sim(mode, path if mode == "stream" else None)
        with sim:
            dlq = sim.sqs_queue("dlq")
            queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=3)
            fn = sim.function(partial_handler, name="consumer")
            sim.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
            bodies = (_body(i) for i in range(n))
            if hasattr(queue, "send_many"):
                queue.send_many(bodies)
            else:
                for body in bodies:
                    queue.send(body)
            t1 = time.perf_counter()
            c1 = time.process_time()
            sim.run()
            t2 = time.perf_counter()
            c2 = time.process_time()
            if mode != "stream" or not MODES:
                _write_ledger(sim, path)
            t3 = time.perf_counter()
            cpu = time.process_time() - c0
            entries = len(sim.ledger) + n
            dead = len(dlq.messages)
    assert dead == n // 100, dead
    return {"send_s": t1 - t0, "run_s": t2 - t1, "ledger_s": t3 - t2, "total_s": t3 - t0, "cpu_s": cpu,
            "send_cpu_s": c1 - c0, "run_cpu_s": c2 - c1, "ledger_cpu_s": cpu - (c2 - c0),
            "bytes_per_record": (_peak() - base) / n, "entries": entries}


def replay_file(n: int, path: str) -> None:
    """An SQS dump as JSON Lines: one ReceiveMessage message per line, 20 per millisecond (a busy queue)."""
    start_ms = 1_767_225_600_000
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"MessageId": f"m-{i}", "Body": _body(i),
                                "Attributes": {"SentTimestamp": str(start_ms + i // 20)}}) + "\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def replay_run(n: int) -> dict[str, Any]:
    """Replay ``n`` messages from a JSON Lines dump through a mapping with a stream ledger (a dump this large is
    read by a reader process: ``reader_cpu_s`` is its CPU time, on the other core)."""
    with tempfile.TemporaryDirectory(prefix="lc-replay-") as out_dir:
        src = os.path.join(out_dir, "dump.jsonl")
        replay_file(n, src)
        ledger_path = os.path.join(out_dir, "ledger.jsonl")
        base = _rss()
        c0 = time.process_time()
        r0 = _children_cpu()
        t0 = time.perf_counter()
        sim = _sim("stream", ledger_path)
        with sim:
            dlq = sim.sqs_queue("dlq")
            queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=3)
            fn = sim.function(partial_handler, name="consumer")
            sim.map(queue, fn, batch_size=100, maximum_batching_window_in_seconds=1,
                    function_response_types=["ReportBatchItemFailures"])
            replay = getattr(sim, "replay", None)
            if replay is not None:
                replay(src, queue, format="sqs-messages")
            else:
                from lambdachaos.replay import _read as _replay

                _, items = _replay.read(src, "sqs-messages")
                for at, item in _replay.place(items):
                    sim.clock.call_at(int(at * 1e9), queue.send, item.payload)
            sim.run()
            elapsed = time.perf_counter() - t0
            cpu = time.process_time() - c0
        reader = _children_cpu() - r0
    return {"total_s": elapsed, "cpu_s": cpu, "reader_cpu_s": reader, "records_per_s": n / elapsed,
            "records_per_cpu_s": n / cpu, "peak_rss_mb": _peak() / 2**20, "growth_mb": (_peak() - base) / 2**20,
            "reader_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**10}


def _child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_scale", "child", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True,
                          cwd=str(Path(__file__).resolve().parent.parent))
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def scenario_example(seed: int, n: int = 10, max_receives: int = 2) -> None:
    """One complete small scenario as a property test runs it (``n`` messages, 1 % poison, at least one)."""
    with Sim(seed=seed) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=max_receives)
        fn = sim.function(partial_handler, name="consumer")
        sim.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
        for i in range(n):
            queue.send(_body(i))
        sim.run()
        assert len(dlq.messages) == max(1, n // 100)


def scenario_examples_per_s() -> float:
    scenario_example(0)
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        count = 0
        while time.perf_counter() - t0 < 1.0:
            scenario_example(count)
            count += 1
        best = max(best, count / (time.perf_counter() - t0))
    return best


SWEEP_TEST = '''
import lambdachaos
from benchmarks.bench_scale import scenario_example

SEEDS = range(200)
try:
    params = lambdachaos.sweep(seeds=SEEDS)
except AttributeError:
    import pytest
    params = pytest.mark.parametrize("seed", SEEDS)

@params
def test_seed(seed, plan=None):
    scenario_example(seed, n=3000, max_receives=3)
'''


def sweep_speedup() -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="lc-sweep-") as tmp:
        test = Path(tmp) / "test_sweep_bench.py"
        test.write_text(SWEEP_TEST, encoding="utf-8")
        times = {}
        for label, extra in (("serial", ["-p", "no:xdist"]), ("n2", ["-n", "2"])):
            best = float("inf")
            for _ in range(2):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                                *extra, str(test)], cwd=str(root), check=True, capture_output=True,
                               env={**os.environ, "PYTHONPATH": str(root)})
                best = min(best, time.perf_counter() - t0)
            times[label] = best
    return times


def run() -> dict[str, dict[str, Any]]:
    """Measure the scale figures (each large run in its own process)."""
    stream = _child(["sqs", str(N_1M), "stream"])
    full = _child(["sqs", str(N_1M), "full"])
    large = min(full, _child(["sqs", str(N_1M), "full"]), key=lambda r: r["run_cpu_s"])
    small = min((_child(["sqs", str(N_SMALL), "full"]) for _ in range(3)), key=lambda r: r["run_cpu_s"])
    replay = _child(["replay", str(N_10M)])
    sweep = sweep_speedup()
    per_1m = large["run_cpu_s"] / N_1M  # CPU seconds: steady on a shared machine, the same on a quiet one
    per_small = small["run_cpu_s"] / N_SMALL
    return {
        "scale_sqs_1m_s": {"value": stream["total_s"], "unit": "s", "phases": stream},
        "scale_bytes_per_record": {"value": full["bytes_per_record"], "unit": "bytes/record", "phases": full},
        "ledger_export_records_per_s": {"value": full["entries"] / full["ledger_s"], "unit": "entries/s"},
        "replay_10m_records_per_s": {"value": replay["records_per_s"], "unit": "records/s", "phases": replay},
        "replay_10m_peak_rss_mb": {"value": replay["peak_rss_mb"] + replay["reader_peak_rss_mb"], "unit": "MB"},
        "scale_growth_ratio": {"value": per_1m / per_small, "unit": "x", "baseline": per_small * 1e6,
                               "ratio": per_1m / per_small, "per_record_us": per_1m * 1e6},
        "scenario_examples_per_s": {"value": _child(["scenarios", "0"])["scenarios_per_s"], "unit": "scenarios/s"},
        "sweep_speedup_2_workers": {"value": sweep["serial"] / sweep["n2"], "unit": "x", "baseline": sweep["serial"],
                                    "ratio": sweep["serial"] / sweep["n2"]},
    }


def _main(argv: list[str]) -> None:
    if argv[:1] == ["child"]:
        kind, n = argv[1], int(argv[2])
        if kind == "scenarios":
            result = {"scenarios_per_s": scenario_examples_per_s()}
        else:
            result = sqs_run(n, argv[3]) if kind == "sqs" else replay_run(n)
        print(json.dumps(result))
    else:
        print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    _main(sys.argv[1:])
