"""The JSON text of an attempt, the most written entry with many fields, as one template.

The template writes the text the C encoder would give for the attempt's ``entry_dict`` (sorted keys, compact,
ASCII only) when every field has the type an :class:`~lambdachaos.ledger._entries.Attempt` declares: strings
(enum members are strings) or ``None``, ``int`` counters, a ``bool`` ``cold``, non-negative ``int`` times and
tuples of strings. Any other value, anywhere, sends the attempt to the general encoder it is given, so the text
is the same for every attempt. The text of a time is kept (at most 4,096 of them): many attempts share theirs.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Final

ATTEMPT_FIELDS: Final = ("seq", "path", "function", "qualifier", "executed_version", "request_id", "event_id",
                         "attempt", "outcome", "start_ns", "end_ns", "env_id", "cold", "error_type", "error_message",
                         "records", "source", "batch_id", "bisect_depth", "reason", "faults", "failed_items",
                         "checkpoint", "record_outcomes")
"""The fields of an attempt, in declaration order: the template applies only to a class with exactly these."""

_string: Final[Callable[[str], str]] = json.encoder.encode_basestring_ascii
_NS: Final = 1_000_000_000
_KEPT: Final = 4096

_get: Final = attrgetter(*sorted(ATTEMPT_FIELDS, key=lambda name: name.replace("_ns", "_s")))
"""The fields in the order of their JSON keys (``*_ns`` fields are written as ``*_s``)."""


def template_encoder(kind: str | None, general: Callable[[Any], str]) -> Callable[[Any], str]:
    """An attempt encoder giving the same text as ``general`` (``kind``: a JSON Lines entry of that type,
    ``"type"`` first and a newline; ``None``: the object alone)."""
    head = f'{{"type":"{kind}",' if kind is not None else "{"
    end = "}\n" if kind is not None else "}"
    tuple_ = tuple
    times: dict[int, str] = {}  # the attempts of a batch, and a batch and its retries, share their times
    known = times.get

    def secs(ns: int) -> str:
        if len(times) >= _KEPT:
            times.clear()
        text = times[ns] = f'"{ns // _NS}.{ns % _NS:09d}"'
        return text

    def encode_attempt(a: Any) -> str:
        (attempt, batch_id, bisect_depth, checkpoint, cold, end_ns, env_id, error_message, error_type, event_id,
         executed_version, failed_items, faults, function, outcome, path, qualifier, reason, record_outcomes,
         records, request_id, seq, source, start_ns) = _get(a)
        if (type(attempt) is not int or type(bisect_depth) is not int or type(seq) is not int
                or type(cold) is not bool or type(start_ns) is not int or type(end_ns) is not int
                or start_ns < 0 or end_ns < 0 or type(records) is not tuple_ or type(failed_items) is not tuple_
                or type(faults) is not tuple_ or type(record_outcomes) is not tuple_):
            return general(a)
        try:  # _string refuses anything but a string: a TypeError means a field of another type
            return (f'{head}"attempt":{attempt}'
                    f',"batch_id":{"null" if batch_id is None else _string(batch_id)}'
                    f',"bisect_depth":{bisect_depth}'
                    f',"checkpoint":{"null" if checkpoint is None else _string(checkpoint)}'
                    f',"cold":{"true" if cold else "false"}'
                    f',"end_s":{known(end_ns) or secs(end_ns)}'
                    f',"env_id":{"null" if env_id is None else _string(env_id)}'
                    f',"error_message":{"null" if error_message is None else _string(error_message)}'
                    f',"error_type":{"null" if error_type is None else _string(error_type)}'
                    f',"event_id":{"null" if event_id is None else _string(event_id)}'
                    f',"executed_version":{"null" if executed_version is None else _string(executed_version)}'
                    f',"failed_items":[{",".join(map(_string, failed_items))}]'
                    f',"faults":[{",".join(map(_string, faults))}]'
                    f',"function":{"null" if function is None else _string(function)}'
                    f',"outcome":{"null" if outcome is None else _string(outcome)}'
                    f',"path":{"null" if path is None else _string(path)}'
                    f',"qualifier":{"null" if qualifier is None else _string(qualifier)}'
                    f',"reason":{"null" if reason is None else _string(reason)}'
                    f',"record_outcomes":[{",".join(map(_string, record_outcomes))}]'
                    f',"records":[{",".join(map(_string, records))}]'
                    f',"request_id":{"null" if request_id is None else _string(request_id)}'
                    f',"seq":{seq}'
                    f',"source":{"null" if source is None else _string(source)}'
                    f',"start_s":{known(start_ns) or secs(start_ns)}{end}')
        except TypeError:
            return general(a)

    return encode_attempt
