"""The source table's row for Amazon SQS (standard and FIFO queues)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from lambdachaos.service.mappings._rows_common import key_of, records_list
from lambdachaos.service.mappings._table import MapRequest, PollSource


def _queue_types() -> tuple[type, ...]:
    from lambdachaos.resources._sqs import Queue

    return (Queue,)


def _create(request: MapRequest) -> Any:
    from lambdachaos.service.mappings._sqs import BATCH_SIZE_DEFAULT, SqsEventSourceMapping, SqsMappingConfig

    queue: Any = request.resource
    settings = dict(request.settings)
    batch_size = settings.pop("batch_size")
    config = SqsMappingConfig(fifo=queue.fifo, batch_size=BATCH_SIZE_DEFAULT if batch_size is None else batch_size,
                              function_response_types=tuple(settings.pop("function_response_types")),
                              enabled=request.enabled, **settings)
    return SqsEventSourceMapping(request.service, queue, request.function, config, qualifier=request.qualifier)


def _order_keys(queue: Any) -> Mapping[str, str]:
    return {m.message_id: m.message_group_id for m in queue.history if m.message_group_id is not None}


def _precheck(given: Mapping[str, object]) -> None:
    from lambdachaos.service.invoke._validation import check_sqs_mapping_destination

    check_sqs_mapping_destination(given.get("on_failure"))


SQS_SOURCE: Final = PollSource(
    name="sqs", title="Amazon SQS", event_source="aws:sqs", resource_kind="queues", resource_types=_queue_types,
    settings={"batch_size": None, "maximum_batching_window_in_seconds": 0, "function_response_types": (),
              "filter_criteria": None, "maximum_concurrency": None},
    refused_hint={"on_failure": "SQS mappings have no on-failure destination: give the queue a dead_letter_queue "
                                "instead",
                  "": "retries, record age and bisect come from the queue's redrive policy"},
    precheck=_precheck, create=_create, records_of=records_list("aws:sqs"), record_id=key_of("messageId"),
    order_key="message_group", order_keys=_order_keys, event_source_arn=lambda queue: str(getattr(queue, "arn", "")),
)
