"""LocalStack vs simulator: the same two scenarios on both targets, wall time ratio.

``localstack_vs_sim_ratio`` = LocalStack wall time / simulator wall time for an async retry → DLQ
scenario plus an SQS partial-batch scenario (LocalStack started with ``up --fast``: 1 s retry base
delay). Needs a running LocalStack (``lambdachaos localstack up --fast``); without one it returns no
figures and says so on stderr. This module is also the handlers' code deployed to LocalStack, so
it imports only the standard library at module level.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from typing import Any

NOTE_DOWN = "LocalStack is not running: start it with 'lambdachaos localstack up --fast' to measure it"


def always_fails(event: Any, context: Any) -> Any:
    raise RuntimeError("payment service down")


def partial_batch(event: Any, context: Any) -> Any:
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                  if json.loads(r["body"]).get("fail")]}


def _async_retry(t: Any) -> None:
    dlq = t.sqs_queue("bench-dlq")
    fn = t.function(always_fails, name="bench-async", dead_letter_queue=dlq)
    t.invoke(fn, {"order": 1}, invocation_type="Event")


def _sqs_partial(t: Any) -> None:
    dlq = t.sqs_queue("bench-sqs-dlq")
    queue = t.sqs_queue("bench-sqs", dead_letter_queue=dlq, max_receive_count=2, visibility_timeout=1)
    fn = t.function(partial_batch, name="bench-sqs", timeout=1)
    t.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
    for i in range(10):
        queue.send(json.dumps({"order": i, "fail": i == 3}))


def _on_sim(scenario: Any) -> float:
    from lambdachaos import Sim

    started = time.perf_counter()
    with Sim(seed=1) as sim, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"queue .* has VisibilityTimeout=")
        scenario(sim)
        sim.run()
    return time.perf_counter() - started


def _on_localstack(scenario: Any, conn: Any) -> float:
    from lambdachaos.ledger._ledger import FateStatus
    from lambdachaos.targets import LocalStackTarget

    started = time.perf_counter()
    with LocalStackTarget(conn, seed=1) as ls:
        scenario(ls)
        ledger = ls.run(timeout=60)
        elapsed = time.perf_counter() - started
        if any(f.status is FateStatus.PENDING for f in ledger.fates.values()):
            raise RuntimeError(f"{scenario.__name__} did not settle on LocalStack within 60 s")
    return elapsed


def run() -> dict[str, dict[str, Any]]:
    from lambdachaos.targets import _ls_manager

    conn = _ls_manager.status()
    if conn is None:
        print(f"bench_localstack: {NOTE_DOWN}", file=sys.stderr)
        return {}
    scenarios = (_async_retry, _sqs_partial)
    sim_s = sum(_on_sim(s) for s in scenarios)
    ls_s = sum(_on_localstack(s, conn) for s in scenarios)
    return {
        "localstack_vs_sim_ratio": {
            "value": ls_s / sim_s, "unit": "x (wall time, LocalStack / simulator)",
            "baseline": sim_s, "ratio": ls_s / sim_s,
            "note": f"async retry->DLQ + SQS partial batch; LocalStack {ls_s:.2f} s, simulator {sim_s * 1000:.1f} ms; "
                    f"LocalStack settings {conn.settings}",
        },
    }
