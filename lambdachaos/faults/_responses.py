"""Malformed partial batch responses (docs/aws-behaviour.md §5.3 / §6.4) for the ``malformed-batch-response``
fault."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._catalogue import BATCH_RESPONSE_SHAPES
from ._errors import bad_value

__all__ = ["malform_batch_response"]


def malform_batch_response(shape: str, response: Any, batch_ids: Sequence[str]) -> Any:
    """The handler ``response`` replaced by a malformed partial batch response of ``shape``.

    ``unknown-identifier``: an id not in the batch; ``empty-identifier`` / ``null-identifier``: ``""`` /
    ``null``;
    ``misspelled-key``: ``itemIdentifer``; ``not-json``: a string that is not JSON; all of these make
    Lambda treat
    the whole batch as failed. ``dict-without-key``: a dict without ``batchItemFailures``, which Lambda
    reads as
    complete success (reported failures silently lost). ``batch_ids`` are the batch's message ids / sequence
    numbers (used to pick an id that is not among them).
    """
    if shape == "unknown-identifier":
        unknown = "unknown-0"
        while unknown in batch_ids:
            unknown += "0"
        return {"batchItemFailures": [{"itemIdentifier": unknown}]}
    if shape == "empty-identifier":
        return {"batchItemFailures": [{"itemIdentifier": ""}]}
    if shape == "null-identifier":
        return {"batchItemFailures": [{"itemIdentifier": None}]}
    if shape == "misspelled-key":
        first = batch_ids[0] if batch_ids else "0"
        return {"batchItemFailures": [{"itemIdentifer": first}]}
    if shape == "not-json":
        return "{batchItemFailures: [not json"
    if shape == "dict-without-key":
        return {
            "statusCode": 200,
            "body": response if isinstance(response, str | int | float | None) else "ok",
        }
    raise bad_value(
        "shape", shape, f"valid shapes are {', '.join(BATCH_RESPONSE_SHAPES)}", "Pick one of them."
    )
