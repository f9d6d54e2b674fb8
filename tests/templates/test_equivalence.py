"""Traffic through a loaded template under a fault plan gives the same ledger as the hand-written wiring."""

from __future__ import annotations

import json
from pathlib import Path

from lambdachaos import Sim
from lambdachaos.faults import FaultPlan, FaultRule, InvocationError, Target, When
from lambdachaos.generators import sqs

HERE = Path(__file__).parent / "equivalent"
PLAN = FaultPlan(rules=[FaultRule(fault=InvocationError(prevent_execution=False),
                                  target=Target(function_name="worker"), when=When(invocation_percentage=30))])


def _by_hand(seed: int) -> Sim:
    sim = Sim(seed=seed)
    dlq = sim.sqs_queue("jobs-dlq")
    jobs = sim.sqs_queue("jobs", visibility_timeout=60, dead_letter_queue=dlq, max_receive_count=3)
    worker = sim.function("app.handler", name="worker", code_dir=str(HERE / "code"), runtime="python3.12",
                          timeout=10, environment={"LIMIT": "7"})
    sim.map(jobs, worker, batch_size=4, function_response_types=["ReportBatchItemFailures"])
    return sim


def _traffic(sim: Sim) -> str:
    sim.apply_faults(PLAN)
    queue = sim.queues["jobs"]
    bodies = [json.loads(sqs.event(seed=i)["Records"][0]["body"] or "{}") for i in range(3)]
    for n in range(12):
        queue.send(json.dumps({"n": n, "generated": bodies[n % 3]}))
    sim.run()
    return sim.ledger.to_json()


def test_the_template_and_the_hand_written_wiring_give_the_same_ledger_byte_for_byte():
    with Sim.from_template(HERE / "template.yaml", seed=11) as loaded, _by_hand(11) as by_hand:
        from_template = _traffic(loaded)
        written = _traffic(by_hand)
        assert from_template == written
        fates = loaded.ledger.fates
        over_limit = [m.message_id for m in loaded.queues["jobs-dlq"].messages if json.loads(m.body)["n"] > 7]
        assert len(over_limit) == 4  # reported as failed by the handler on every receive
        assert all((fates[m].status, fates[m].attempts) == ("dead_lettered", 3) for m in over_limit)
        assert loaded.ledger.faults  # the plan fired
