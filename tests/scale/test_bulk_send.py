"""``queue.send_many``: one pass, the same messages, ids, errors and ledger as ``send`` in a loop."""

from __future__ import annotations

from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import InvalidParameterValue


def _handler(event: Any, context: Any) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                  if r["body"].startswith("poison")]}


def _run(bulk: bool, **queue_settings: Any) -> tuple[str, list[str]]:
    with Sim(seed=4) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders", dead_letter_queue=dlq, max_receive_count=2, **queue_settings)
        fn = sim.function(_handler, name="consumer")
        sim.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
        bodies = ["poison" if i % 17 == 0 else f"order-{i}" for i in range(120)]
        ids = queue.send_many(bodies) if bulk else [queue.send(b).message_id for b in bodies]
        sim.run()
        assert len(dlq.messages) == 8
        return sim.ledger.to_json(), ids


@pytest.mark.parametrize("settings", [{}, {"delay_seconds": 5}], ids=["standard", "queue-delay"])
def test_send_many_gives_the_ledger_of_send_in_a_loop(settings: dict[str, Any]) -> None:
    bulk_ledger, bulk_ids = _run(True, **settings)
    loop_ledger, loop_ids = _run(False, **settings)
    assert bulk_ids == loop_ids
    assert len(set(bulk_ids)) == 120
    assert bulk_ledger == loop_ledger


def test_send_many_refuses_a_bad_body_with_the_send_message_error_and_keeps_the_ones_before() -> None:
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("q", maximum_message_size=1024)
        with pytest.raises(InvalidParameterValue, match="Message must be shorter than 1024 bytes"):
            queue.send_many(["a", "b", "x" * 1025, "c"])
        assert [m.body for m in queue.messages] == ["a", "b"]
        assert queue.approximate_number_of_messages == 2
        with pytest.raises(InvalidParameterValue, match="The request must contain the parameter MessageBody"):
            queue.send_many([""])


def test_send_many_on_a_fifo_queue_needs_what_send_needs() -> None:
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("q.fifo", content_based_deduplication=True)
        with pytest.raises(Exception, match="MessageGroupId"):
            queue.send_many(["a"])


@pytest.mark.parametrize("bodies", ["order-1", b"order-1"], ids=["str", "bytes"])
def test_send_many_refuses_one_body_given_where_the_bodies_go(bodies: object) -> None:
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("q")
        with pytest.raises(ConfigError, match=r"send_many\(bodies=.*\): give an iterable of message bodies"):
            queue.send_many(bodies)  # type: ignore[arg-type]
        assert queue.messages == []
