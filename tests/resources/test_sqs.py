"""Conformance tests of the SQS queue model (docs/aws-behaviour.md §5, §11)."""

from __future__ import annotations

import hashlib
import re

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos._world import World
from lambdachaos.resources import MessageState, Queue, QueueConfig, RedrivePolicy
from lambdachaos.resources._errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    PurgeQueueInProgress,
    ReceiptHandleIsInvalid,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def world() -> World:
    return World(seed=7)


def test_queue_url_and_arn_follow_the_aws_formats(world):
    q = Queue(world, "orders")
    assert q.url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    assert q.arn == "arn:aws:sqs:us-east-1:123456789012:orders"
    assert not q.fifo
    assert Queue(world, "orders.fifo").fifo


def test_send_receive_delete_round_trip_has_the_section_11_shapes(world):
    world.clock.advance(5)
    q = Queue(world, "orders")
    sent = q.send("Test message.", message_attributes={"a": {"DataType": "String", "StringValue": "v"}})
    assert UUID.match(sent.message_id)
    assert sent.md5_of_body == "e4e68fb7bd0e697a0ae8f1bb342846b3"  # §11: MD5 of "Test message."
    assert sent.md5_of_message_attributes == "a18cbb58171ebf4ce88d9fb787f9210b"
    assert sent.sequence_number is None
    world.clock.advance(1)
    [got] = q.receive(10)
    assert got.message_id == sent.message_id
    assert got.body == "Test message."
    assert got.receipt_handle.startswith("AQEB")
    sent_ms = world.epoch_ms(5_000_000_000)
    assert got.attributes == {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": str(sent_ms),
        "SenderId": q.sender_id,
        "ApproximateFirstReceiveTimestamp": str(sent_ms + 1000),
    }
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", q.sender_id)
    assert q.approximate_number_of_messages_not_visible == 1
    q.delete(got.receipt_handle)
    assert q.approximate_number_of_messages_not_visible == 0
    assert q.messages == []
    assert [m.state for m in q.history] == [MessageState.DELETED]


def test_lambda_record_has_the_section_5_5_key_order_and_camel_case_attributes(world):
    q = Queue(world, "orders")
    q.send("hi", message_attributes={"b": {"DataType": "Binary", "BinaryValue": b"\x01"}})
    record = q.receive()[0].lambda_record()
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert record["messageAttributes"] == {
        "b": {"binaryValue": "AQ==", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}
    }
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == q.arn
    assert record["awsRegion"] == "us-east-1"


def test_message_reappears_after_the_visibility_timeout_with_a_higher_receive_count(world):
    q = Queue(world, "orders", QueueConfig(visibility_timeout=30))
    q.send("x")
    first = q.receive()[0]
    assert q.receive() == []
    world.clock.advance(29.999)
    assert q.receive() == []
    world.clock.advance(0.001)
    [second] = q.receive()
    assert second.receive_count == 2
    assert second.attributes["ApproximateReceiveCount"] == "2"
    assert (
        second.attributes["ApproximateFirstReceiveTimestamp"]
        == first.attributes["ApproximateFirstReceiveTimestamp"]
    )


def test_redrive_max_receive_count_2_gives_two_receives_then_the_dlq_section_5_3(world):
    dlq = Queue(world, "orders-dlq")
    q = Queue(
        world,
        "orders",
        QueueConfig(
            visibility_timeout=10, redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=2)
        ),
    )
    sent = q.send('{"n": 1}')
    counts = []
    for _ in range(4):
        got = q.receive()
        counts.extend(m.attributes["ApproximateReceiveCount"] for m in got)
        world.clock.advance(10)
    assert counts == ["1", "2"]
    [moved] = dlq.receive()
    assert moved.message_id == sent.message_id
    assert moved.body == '{"n": 1}'
    assert moved.md5_of_body == sent.md5_of_body
    assert moved.attributes["DeadLetterQueueSourceArn"] == q.arn
    assert moved.attributes["ApproximateReceiveCount"] == "1"
    assert q.history[0].state is MessageState.MOVED_TO_DLQ
    assert [m.message_id for m in dlq.history] == [sent.message_id]


def test_redrive_happens_at_visibility_expiry_without_a_further_receive(world):
    dlq = Queue(world, "dlq")
    q = Queue(
        world,
        "q",
        QueueConfig(
            visibility_timeout=5, redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=1)
        ),
    )
    q.send("x")
    q.receive()
    world.clock.run()
    assert world.clock.now == 5
    assert dlq.approximate_number_of_messages == 1


def test_delay_seconds_hold_a_message_and_on_visible_fires_when_it_ends(world):
    q = Queue(world, "q", QueueConfig(delay_seconds=5))
    woke: list[float] = []
    q.on_visible(lambda queue: woke.append(world.clock.now))
    q.send("a")
    q.send("b", delay_seconds=0)
    assert woke == [0.0]
    assert q.approximate_number_of_messages_delayed == 1
    [b] = q.receive(10)
    q.delete(b.receipt_handle)
    world.clock.run()
    assert woke == [0.0, 5.0]
    assert [m.body for m in q.receive(10)] == ["a"]


def test_on_visible_fires_when_visibility_expires_and_can_unsubscribe(world):
    q = Queue(world, "q", QueueConfig(visibility_timeout=3))
    woke: list[float] = []
    stop = q.on_visible(lambda queue: woke.append(world.clock.now))
    q.send("a")
    q.receive()
    world.clock.run()
    assert woke == [0.0, 3.0]
    stop()
    q.send("b")
    assert woke == [0.0, 3.0]


def test_messages_expire_after_the_retention_period(world):
    q = Queue(world, "q", QueueConfig(message_retention_period=60))
    q.send("old")
    world.clock.advance(30)
    q.send("new")
    world.clock.advance(30)
    assert [m.body for m in q.messages] == ["new"]
    assert q.history[0].state is MessageState.EXPIRED
    assert [m.body for m in q.receive(10)] == ["new"]


def test_the_clock_goes_idle_without_moving_once_every_message_is_deleted(world):
    q = Queue(world, "q")
    for i in range(3):
        q.send(str(i))
    for m in q.receive(10):
        q.delete(m.receipt_handle)
    world.clock.run()
    assert world.clock.now == 0


def test_change_visibility_zero_makes_the_message_visible_at_once(world):
    q = Queue(world, "q")
    q.send("x")
    got = q.receive()[0]
    q.change_visibility(got.receipt_handle, 0)
    assert q.receive()[0].receive_count == 2


def test_change_visibility_extends_the_timeout(world):
    q = Queue(world, "q", QueueConfig(visibility_timeout=10))
    q.send("x")
    got = q.receive()[0]
    q.change_visibility(got.receipt_handle, 100)
    world.clock.advance(99)
    assert q.receive() == []
    world.clock.advance(1)
    assert len(q.receive()) == 1


def test_change_visibility_errors_use_the_aws_wording(world):
    q = Queue(world, "q", QueueConfig(visibility_timeout=0))
    q.send("x")
    got = q.receive()[0]
    with pytest.raises(MessageNotInflight, match=r"^Message does not exist or is not available"):
        q.change_visibility(got.receipt_handle, 10)
    with pytest.raises(
        InvalidParameterValue,
        match=r"^Value 43201 for parameter VisibilityTimeout is invalid\. "
        r"Reason: Must be between 0 and 43200",
    ):
        q.change_visibility(got.receipt_handle, 43_201)
    other = World(seed=7)
    fresh = Queue(other, "fresh")
    fresh.send("x")
    got = fresh.receive(visibility_timeout=43_200)[0]
    other.clock.advance(10)
    with pytest.raises(
        InvalidParameterValue,
        match=r"^Value 43200 for parameter VisibilityTimeout is invalid\. "
        r"Reason: Total VisibilityTimeout for the "
        r"message is beyond the limit \[43200 seconds\]$",
    ):
        fresh.change_visibility(got.receipt_handle, 43_200)


def test_a_visibility_expiry_never_runs_before_its_time_after_a_cancelled_timer(world):
    done = Queue(world, "done", QueueConfig(visibility_timeout=5))
    done.send("x")
    done.delete(done.receive()[0].receipt_handle)  # its t=5 timer is cancelled: nothing is in flight
    q = Queue(world, "q")
    q.send("x")
    q.receive(visibility_timeout=100)
    world.clock.advance(10)
    assert world.clock.now == 10
    assert q.approximate_number_of_messages_not_visible == 1


def test_a_superseded_receipt_handle_succeeds_without_deleting(world):
    q = Queue(world, "q", QueueConfig(visibility_timeout=1))
    q.send("x")
    old = q.receive()[0]
    world.clock.advance(1)
    new = q.receive()[0]
    q.delete(old.receipt_handle)
    assert q.approximate_number_of_messages_not_visible == 1
    q.delete(new.receipt_handle)
    assert q.approximate_number_of_messages_not_visible == 0


def test_a_foreign_receipt_handle_is_invalid(world):
    q = Queue(world, "q")
    with pytest.raises(
        ReceiptHandleIsInvalid, match=r'^The input receipt handle "nope" is not a valid receipt handle\.$'
    ):
        q.delete("nope")


def test_send_validation_uses_the_sqs_wording(world):
    q = Queue(world, "q")
    with pytest.raises(
        InvalidParameterValue,
        match=r"^One or more parameters are invalid\. Reason: Message must be shorter than 262144 bytes\.$",
    ):
        q.send("x" * 262_145)
    q.send("x" * 262_144)
    with pytest.raises(
        InvalidParameterValue,
        match=r"^Value 901 for parameter DelaySeconds is invalid\. "
        r"Reason: DelaySeconds must be >= 0 and <= 900\.$",
    ):
        q.send("x", delay_seconds=901)
    with pytest.raises(InvalidMessageContents, match=r"^Invalid characters found\."):
        q.send("bad \x00")
    with pytest.raises(
        InvalidParameterValue, match=r"^Value 11 for parameter MaxNumberOfMessages is invalid\."
    ):
        q.receive(11)
    with pytest.raises(InvalidParameterValue, match=r"^Number of message attributes \[11\] exceeds"):
        q.send(
            "x", message_attributes={f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
        )
    with pytest.raises(
        InvalidParameterValue, match=r"^Can't cast the value of message \(user\) attribute 'n'"
    ):
        q.send("x", message_attributes={"n": {"DataType": "Number", "StringValue": "abc"}})


def test_the_1_mib_ceiling_is_a_named_knob(world):
    q = Queue(
        world, "big", QueueConfig(maximum_message_size=1_048_576, maximum_message_size_ceiling=1_048_576)
    )
    q.send("x" * 1_048_576)
    with pytest.raises(
        ConfigError,
        match=r"^Invalid value for the parameter MaximumMessageSize: "
        r"maximum_message_size=1048576 is outside the range AWS accepts "
        r"\(1,024 to 262,144 bytes\)",
    ):
        QueueConfig(maximum_message_size=1_048_576)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"visibility_timeout": 43_201},
            r"^Invalid value for the parameter VisibilityTimeout: visibility_timeout=43201 "
            r"is outside the range AWS accepts \(0 to 43,200 s\); pick an integer",
        ),
        ({"delay_seconds": -1}, r"^Invalid value for the parameter DelaySeconds: delay_seconds=-1"),
        (
            {"message_retention_period": 59},
            r"^Invalid value for the parameter MessageRetentionPeriod: "
            r"message_retention_period=59 .*\(60 to 1,209,600 s\)",
        ),
        (
            {"receive_message_wait_time_seconds": 21},
            r"^Invalid value for the parameter ReceiveMessageWaitTimeSeconds",
        ),
        (
            {"content_based_deduplication": True},
            r"^Invalid value for the parameter ContentBasedDeduplication",
        ),
    ],
)
def test_queue_config_rejects_values_outside_the_aws_ranges(kwargs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        QueueConfig(**kwargs)


def test_redrive_policy_validates_max_receive_count(world):
    dlq = Queue(world, "dlq")
    with pytest.raises(
        ConfigError,
        match=r"^Invalid value for the parameter RedrivePolicy\.maxReceiveCount: "
        r"max_receive_count=0 .*\(1 to 1,000 receives\)",
    ):
        RedrivePolicy(dead_letter_target=dlq, max_receive_count=0)
    with pytest.raises(
        ConfigError, match=r"^The dead-letter queue of a FIFO queue must also be a FIFO queue"
    ):
        Queue(
            world,
            "q.fifo",
            QueueConfig(
                fifo_queue=True, redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=3)
            ),
        )


def test_queue_names_follow_the_sqs_rules(world):
    with pytest.raises(
        ConfigError, match=r"^Can only include alphanumeric characters, hyphens, or underscores"
    ):
        Queue(world, "bad name")
    with pytest.raises(ConfigError, match=r"must end with \.fifo suffix"):
        Queue(world, "plain", QueueConfig(fifo_queue=True))


def test_purge_empties_the_queue_and_is_limited_to_once_a_minute(world):
    q = Queue(world, "q")
    q.send("a")
    q.send("b")
    q.receive()
    q.purge()
    assert q.messages == []
    assert q.approximate_number_of_messages == 0
    with pytest.raises(
        PurgeQueueInProgress, match=r"^Only one PurgeQueue operation on q is allowed every 60 seconds\.$"
    ):
        q.purge()
    world.clock.advance(59)
    with pytest.raises(PurgeQueueInProgress):
        q.purge()
    world.clock.advance(1)
    q.purge()


def test_same_seed_gives_identical_ids_and_handles():
    def run(seed):
        w = World(seed=seed)
        q = Queue(w, "q")
        ids = [q.send(str(i)).message_id for i in range(3)]
        return ids, [m.receipt_handle for m in q.receive(10)]

    assert run(1) == run(1)
    assert run(1) != run(2)


# --- FIFO (§5.4, §11) -----------------------------------------------------------------------------------
def fifo(world, **kw):
    return Queue(world, "orders.fifo", QueueConfig(fifo_queue=True, content_based_deduplication=True, **kw))


def test_fifo_delivers_each_group_in_order_and_locks_a_group_while_in_flight(world):
    q = fifo(world)
    for body, group in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("a3", "A")]:
        q.send(body, message_group_id=group)
    first = q.receive(2)
    assert [m.body for m in first] == ["a1", "a2"]
    second = q.receive(10)
    assert [m.body for m in second] == ["b1"]  # group A is locked while a1/a2 are in flight
    q.delete(first[0].receipt_handle)
    assert q.receive(10) == []  # a2 still in flight
    q.delete(first[1].receipt_handle)
    assert [m.body for m in q.receive(10)] == ["a3"]


def test_fifo_returned_messages_come_back_first_and_in_order(world):
    q = fifo(world, visibility_timeout=5)
    for i in range(4):
        q.send(f"m{i}", message_group_id="g")
    got = q.receive(3)
    q.delete(got[0].receipt_handle)
    world.clock.advance(5)
    again = q.receive(10)
    assert [(m.body, m.receive_count) for m in again] == [("m1", 2), ("m2", 2), ("m3", 1)]


def test_fifo_attributes_and_sequence_numbers(world):
    q = fifo(world)
    sent = [q.send(f"m{i}", message_group_id="g") for i in range(3)]
    numbers = [int(s.sequence_number) for s in sent]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(len(s.sequence_number) == 20 for s in sent)
    got = q.receive(1)[0]
    assert list(got.attributes) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SequenceNumber",
        "MessageGroupId",
        "SenderId",
        "MessageDeduplicationId",
        "ApproximateFirstReceiveTimestamp",
    ]
    assert got.attributes["MessageDeduplicationId"] == hashlib.sha256(b"m0").hexdigest()
    assert got.attributes["MessageGroupId"] == "g"


def test_fifo_deduplicates_within_five_minutes(world):
    q = fifo(world)
    first = q.send("same", message_group_id="g")
    again = q.send("same", message_group_id="g")
    assert again.message_id == first.message_id
    assert q.approximate_number_of_messages == 1
    q.send("x", message_group_id="g", message_deduplication_id="id-1")
    q.send("y", message_group_id="g", message_deduplication_id="id-1")
    assert q.approximate_number_of_messages == 2
    world.clock.advance(300)
    q.send("same", message_group_id="g")
    assert q.approximate_number_of_messages == 3


def test_fifo_send_errors(world):
    q = Queue(world, "plain.fifo")
    with pytest.raises(MissingParameter, match=r"^The request must contain the parameter MessageGroupId\.$"):
        q.send("x")
    with pytest.raises(
        InvalidParameterValue, match=r"^The queue should either have ContentBasedDeduplication enabled"
    ):
        q.send("x", message_group_id="g")
    with pytest.raises(
        InvalidParameterValue,
        match=r"^Value 5 for parameter DelaySeconds is invalid\. Reason: The "
        r"request include parameter that is not valid for this queue type",
    ):
        q.send("x", message_group_id="g", message_deduplication_id="d", delay_seconds=5)
    std = Queue(world, "std")
    with pytest.raises(
        InvalidParameterValue, match=r"^Value d for parameter MessageDeduplicationId is invalid"
    ):
        std.send("x", message_deduplication_id="d")


def test_fifo_redrive_keeps_group_and_frees_the_group(world):
    dlq = Queue(world, "dlq.fifo")
    q = fifo(
        world, visibility_timeout=1, redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=1)
    )
    q.send("poison", message_group_id="g")
    q.send("next", message_group_id="g")
    q.receive(1)
    world.clock.advance(1)
    assert [m.body for m in q.receive(10)] == ["next"]
    [moved] = dlq.receive()
    assert moved.body == "poison"
    assert moved.attributes["MessageGroupId"] == "g"


def test_inspection_counts(world):
    q = Queue(world, "q")
    q.send("a")
    q.send("b")
    q.send("c", delay_seconds=10)
    q.receive()
    assert (
        q.approximate_number_of_messages,
        q.approximate_number_of_messages_not_visible,
        q.approximate_number_of_messages_delayed,
    ) == (1, 1, 1)
    assert [m.state for m in q.messages] == [
        MessageState.IN_FLIGHT,
        MessageState.VISIBLE,
        MessageState.DELAYED,
    ]
    attrs = q.get_attributes()
    assert attrs["ApproximateNumberOfMessages"] == "1"
    assert attrs["VisibilityTimeout"] == "30"
    assert attrs["QueueArn"] == q.arn


@pytest.mark.parametrize("name", ["orders", "orders.fifo"])
def test_a_redrive_policy_lowered_under_a_waiting_message_moves_it_at_the_next_receive_5_3(world, name):
    # SetQueueAttributes lowers maxReceiveCount to 2 while a message that was received twice waits
    # visible: the next ReceiveMessage moves it to the DLQ instead of handing it out a third time.
    fifo_queue = name.endswith(".fifo")
    dlq = Queue(world, "dlq.fifo" if fifo_queue else "dlq")
    q = Queue(world, name, QueueConfig(
        visibility_timeout=5, fifo_queue=fifo_queue, content_based_deduplication=fifo_queue,
        redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=5),
    ))
    sent = q.send("x", message_group_id="g") if fifo_queue else q.send("x")
    for _ in range(2):
        assert [m.message_id for m in q.receive()] == [sent.message_id]
        world.clock.advance(5)
    assert q.messages[0].state is MessageState.VISIBLE
    q.configure(redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=2))
    assert q.receive() == []
    assert q.history[0].state is MessageState.MOVED_TO_DLQ
    assert [m.message_id for m in dlq.receive()] == [sent.message_id]


def test_a_fifo_group_with_a_message_in_flight_hands_out_nothing_sent_later_5_4(world):
    q = fifo(world, visibility_timeout=30)
    q.send("a1", message_group_id="a")
    assert [m.body for m in q.receive(10)] == ["a1"]
    world.clock.advance(5)
    q.send("a2", message_group_id="a")
    assert q.receive(10) == []
    world.clock.advance(25)
    assert [m.body for m in q.receive(10)] == ["a1", "a2"]
