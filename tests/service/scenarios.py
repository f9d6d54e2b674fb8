"""A reusable scenario for determinism tests (also run in a subprocess)."""

from __future__ import annotations

import random
import time

from lambdachaos import Sim


def flaky(event, context):
    # randomness through the event only: the same seed gives the same events
    time.sleep(event["work"])
    if event["fail"]:
        raise RuntimeError(f"order {event['id']} failed")
    return {"ok": event["id"]}


def ledger_json(seed: int) -> str:
    rng = random.Random(seed)
    with Sim(seed=seed) as sim:
        dlq = sim.sqs_queue("dlq")
        dest = sim.sqs_queue("dest")
        fn = sim.function(flaky, name="flaky", timeout=2, dead_letter_queue=dlq, on_failure=dest,
                          on_success=dest, reserved_concurrency=3)
        fn.publish_version()
        fn.publish_version()
        fn.create_alias("live", "1", additional_version_weights={"2": 0.5})
        for i in range(30):
            event = {"id": i, "work": rng.choice([0.1, 0.5, 2.5]), "fail": rng.random() < 0.4}
            fn.invoke_async(event, qualifier="live" if i % 2 else None)
            sim.advance(rng.random())
        sim.run()
        return sim.ledger.to_json()


if __name__ == "__main__":
    import sys

    sys.stdout.write(ledger_json(int(sys.argv[1])))
