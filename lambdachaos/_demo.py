"""``lambdachaos demo``: the bundled chaos run that the README's quick start shows.

An order handler whose payment provider is down fails on every attempt. Lambda accepts the event
asynchronously, retries it after 60 s and 120 s of virtual time, then gives up: the original event
lands in the function's dead-letter queue and an invocation record in the on-failure destination.
"""

from __future__ import annotations

import json
import time
from typing import Any, TextIO

from lambdachaos._sim import Sim

ORDER: dict[str, Any] = {"orderId": "o-1042", "customer": "c-77", "total": {"amount": 129.9, "currency": "EUR"}}


def order_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Charge an order; the payment provider is down for the whole demo."""
    raise ConnectionError(f"payment provider unreachable while charging {event['orderId']}")


def run_demo(*, seed: int = 0, out: TextIO, ledger_path: str | None = None) -> int:
    """Run the demo scenario, print its timeline and verdict; returns the process exit code."""
    started = time.perf_counter()
    with Sim(seed=seed) as sim:
        dlq = sim.sqs_queue("orders-dlq")
        failures = sim.sqs_queue("orders-failures")
        fn = sim.function(order_handler, name="orders", timeout=30, dead_letter_queue=dlq, on_failure=failures)
        request_id = fn.invoke_async(ORDER)
        sim.run()
        wall_ms = (time.perf_counter() - started) * 1000
        fate = sim.ledger.fate(request_id)
        dlq_messages = dlq.receive(max_messages=10)
        destination_messages = failures.receive(max_messages=10)
        w = out.write
        w(f"lambdachaos demo (seed {seed})\n")
        w("An async order handler fails on every attempt; Lambda retries it, then gives up.\n\n")
        w("  virtual time  what happened\n")
        w("  ------------  ------------------------------------------------------------\n")
        w(f"  {0.0:>10.3f} s  Invoke (Event) accepted: 202, request {request_id}\n")
        rows: list[tuple[int, int, str]] = []
        for a in sim.ledger.attempts:
            env = f"{'cold' if a.cold else 'warm'} env {a.env_id}"
            rows.append((a.start_ns, a.seq, f"attempt {a.attempt} ({env}) → {a.error_type}: {a.error_message}"))
        for d in sim.ledger.deliveries:
            where = d.target.rsplit(":", 1)[-1]
            label = "dead-letter queue" if d.kind == "dlq" else "on-failure destination"
            rows.append((d.at_ns, d.seq, f"→ {label} {where} ({d.condition})"))
        for at_ns, _, text in sorted(rows):
            w(f"  {at_ns / 1e9:>10.3f} s  {text}\n")
        w("\n")
        if dlq_messages:
            attrs = dlq_messages[0].message_attributes
            w("  DLQ message attributes: " + ", ".join(
                f"{k}={v['StringValue']!r}" for k, v in sorted(attrs.items())) + "\n")
        if destination_messages:
            record = json.loads(destination_messages[0].body)
            ctx = record["requestContext"]
            w(f"  destination record: condition={ctx['condition']} "
              f"approximateInvokeCount={ctx['approximateInvokeCount']}\n")
        w(f"\n  fate: {fate.status.value} ({fate.condition}) after {fate.attempts} attempts\n")
        w(f"  {sim.now:.0f} s of virtual time in {wall_ms:.1f} ms of wall time\n")
        if ledger_path:
            with open(ledger_path, "w", encoding="utf-8") as fh:
                fh.write(sim.ledger.to_json())
            w(f"  ledger written to {ledger_path}\n")
        expected = (
            [a.start for a in sim.ledger.attempts] == [0.0, 60.0, 180.0]
            and fate.status.value == "dead_lettered"
            and fate.sent_to(failures)
            and len(dlq_messages) == 1
            and len(destination_messages) == 1
        )
        w("\n  verdict: " + ("PASS, Lambda did what AWS does" if expected else "FAIL, unexpected outcome") + "\n")
        return 0 if expected else 1
