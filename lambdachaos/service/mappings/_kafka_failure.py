"""Where a Kafka mapping's discarded records go, and how it reads a partial batch response.

On-failure destinations (kafka-on-failure, kafka-on-failure-destination): an SQS queue or SNS topic
gets one record per discarded batch; an S3 bucket the same record plus ``"payload"``, the failed
invocation's whole event as a JSON string; a ``kafka://<topic>`` destination (a topic of the same
cluster) one message per record, keyed with the record's own key (round-robin when it has none).
Partial batch response (kafka-retry-configurations): ``{"batchItemFailures": [{"itemIdentifier":
{"partition": "<topic>-<n>", "offset": n}}]}``; an identifier not in the batch fails the whole batch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lambdachaos.ledger._ledger import Delivery, FateStatus
from lambdachaos.service.invoke import _destinations as dest
from lambdachaos.service.mappings import _kafka_records as rec
from lambdachaos.service.mappings._kafka_config import kafka_destination

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lambdachaos.resources._kafka import KafkaRecord
    from lambdachaos.service.invoke._service import Execution
    from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping
    from lambdachaos.service.mappings._kafka_parts import Batch


def parse_kafka_response(payload: bytes, records: Sequence[KafkaRecord]) -> dict[int, int] | None:
    """The lowest failed offset per partition, ``{}`` for complete success, None for a complete failure.

    Success: empty payload, ``null``, any JSON without ``batchItemFailures``, an empty list. Failure: not
    JSON, a list that is not a list, an item that is not an object, an ``itemIdentifier`` without a
    ``"<topic>-<n>"`` string and an integer offset, or one naming a record not in the batch.
    """
    if not payload:
        return {}
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return {}
    items = body.get("batchItemFailures")
    if items is None:
        return {}
    if not isinstance(items, list):
        return None
    present = {(rec.partition_key(r), r.offset): r.partition for r in records}
    failed: dict[int, int] = {}
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, dict):
            return None
        key, offset = ident.get("partition"), ident.get("offset")
        if not isinstance(key, str) or isinstance(offset, bool) or not isinstance(offset, int):
            return None
        partition = present.get((key, offset))
        if partition is None:
            return None
        failed[partition] = min(offset, failed.get(partition, offset))
    return failed


def discard(mapping: KafkaEventSourceMapping, batch: Batch, records: list[KafkaRecord], condition: str | None,
            ex: Execution | None, function_error: str | None) -> None:
    """Send discarded ``records`` to the on-failure destination (if any) and settle their fates.

    ``condition`` None means the retries are exhausted: ``RetryAttemptsExhausted`` for SQS, SNS and S3,
    ``RetriesExhausted`` for a ``kafka://`` topic, as AWS documents each.
    """
    count = batch.prior + batch.invokes
    if condition == rec.RECORD_AGE_EXCEEDED:
        count = max(1, count)
    target = mapping.config.on_failure
    world = mapping._world
    ledger = mapping._ledger
    destinations: tuple[str, ...] = ()
    request_id = ex.request_id if ex is not None else world.uuid()
    version = ex.executed_version if ex is not None else None
    topic_name = kafka_destination(target)
    shown = condition
    if target is not None and topic_name is not None:
        shown = condition or rec.RETRIES_EXHAUSTED
        destination_topic = mapping.cluster.topics.get(topic_name)
        all_ok = True
        for record in records:
            message = rec.topic_failure_message(
                world=world, cluster=mapping.cluster, record=record, request_id=request_id,
                function_arn=mapping.function_arn, condition=shown, invoke_count=count, executed_version=version,
                function_error=function_error, payload_size=rec.size_of(record))
            ok, detail, message_id = True, None, None
            if destination_topic is None:
                ok, detail = False, f"topic {topic_name} does not exist in cluster {mapping.cluster.name}"
            else:
                sent = destination_topic.produce(dest.dumps(message), key=record.key)
                message_id = sent.event_id
            all_ok = all_ok and ok
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="on_failure", target=str(target),
                                         event_id=record.event_id, at_ns=world.clock.now_ns, condition=shown,
                                         message_id=message_id, ok=ok, detail=detail))
        if all_ok:
            destinations = (str(target),)
    elif target is not None:
        shown = condition or rec.RETRY_ATTEMPTS_EXHAUSTED
        event = batch.event or rec.event(mapping.cluster, records)
        body_event = dest.dumps(event)
        failure: dict[str, Any] = rec.batch_failure_record(
            world=world, cluster=mapping.cluster, records=records, request_id=request_id,
            function_arn=mapping.function_arn, condition=shown, invoke_count=count, executed_version=version,
            function_error=function_error, payload_size=len(body_event.encode()))
        arn = dest.arn_of(target)
        key = None
        if dest.service_of(arn) == "s3":
            failure["payload"] = body_event
            prefix = dest.S3_STREAM_PREFIX.format(uuid=mapping.uuid, shard_id=rec.partition_key(records[0]))
            key = dest.s3_key(prefix, world.wall_ns(), world.uuid())
        ok, detail, message_id = True, None, None
        try:
            message_id = dest.send(target, dest.dumps(failure), resolve=mapping._resolve, s3_key=key)
        except dest.DeliveryError as exc:
            ok, detail = False, str(exc)
        ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="on_failure", target=arn,
                                     event_id=records[0].event_id, at_ns=world.clock.now_ns, condition=shown,
                                     message_id=message_id, ok=ok, detail=detail))
        if ok:
            destinations = (arn,)
    else:
        shown = condition or rec.RETRY_ATTEMPTS_EXHAUSTED
    status = FateStatus.ON_FAILURE if destinations else FateStatus.DROPPED
    for r in records:
        mapping._settle(r, status, shown, count, destinations)
