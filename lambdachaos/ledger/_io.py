"""Encoding ledger entries: the JSON export of a full ledger and the JSON Lines of a streamed one.

Every entry is encoded on its own with the C JSON encoder (sorted keys, compact separators, ASCII only:
other characters, lone surrogates included, are ``\\u`` escapes, so the output can always be written),
so a whole ledger is written piece by piece without first building one large document in memory. The
export is byte-identical to ``json.dumps(ledger.to_dict(), sort_keys=True, separators=(",", ":"))``.
Schemas: ``lambdachaos.ledger/1`` (one JSON object, ``docs/ledger.md``) and
``lambdachaos.ledger-lines/1`` (one JSON object per line, ``docs/scale.md``).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from enum import Enum
from itertools import islice
from operator import attrgetter
from typing import IO, Any, Final

LINES_SCHEMA: Final = "lambdachaos.ledger-lines/1"

_string: Final[Callable[[str], str]] = json.encoder.encode_basestring_ascii
string: Final = _string
"""A string as a JSON string literal, ASCII only (the C encoder's escaping)."""


def _c_encoder(sort_keys: bool) -> Callable[[Any], str]:
    """Compact ASCII JSON through one C encoder made once (``JSONEncoder.encode`` makes one per call)."""
    encoder = json.JSONEncoder(sort_keys=sort_keys, separators=(",", ":"), check_circular=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return encoder.encode
    chunks = make(None, encoder.default, _string, None, ":", ",", sort_keys, False, True)
    join = "".join
    return lambda value: join(chunks(value, 0))


_encode: Final = _c_encoder(True)
_encode_in_order: Final = _c_encoder(False)


def encode(value: Any) -> str:
    """Compact, key-sorted JSON text of plain data (the C encoder)."""
    return _encode(value)


def seconds(ns: int | None) -> str | None:
    """Integer nanoseconds as a string of seconds with nine decimals (exact, byte-stable)."""
    if ns is None:
        return None
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return f"{sign}{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def nanoseconds(text: str | None) -> int | None:
    """The inverse of :func:`seconds`."""
    if text is None:
        return None
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(".")
    return sign * (int(whole) * 1_000_000_000 + int(frac.ljust(9, "0")))


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


_FIELDS: dict[type, tuple[tuple[str, str, bool], ...]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, str, bool], ...]:
    spec = _FIELDS.get(cls)
    if spec is None:
        spec = _FIELDS[cls] = tuple(
            (f.name, f.name[:-3] + "_s" if f.name.endswith("_ns") else f.name, f.name.endswith("_ns"))
            for f in fields(cls)
        )
    return spec


def entry_dict(entry: Any) -> dict[str, Any]:
    """One ledger entry as JSON-ready data (``*_ns`` fields become ``*_s`` strings of seconds)."""
    out: dict[str, Any] = {}
    for name, key, is_ns in _fields_of(type(entry)):
        value = getattr(entry, name)
        if is_ns:
            out[key] = seconds(value)
        elif type(value) is tuple or type(value) is dict:
            out[key] = _jsonable(value)
        else:
            out[key] = value
    return out


_NS: Final = 1_000_000_000


def entry_encoder(cls: type, kind: str | None = None) -> Callable[[Any], str]:
    """A fast encoder of ``cls`` entries: the text of ``json.dumps(entry_dict(entry), sort_keys=True, ...)``.

    The field values are read at once and laid out in key order, so the C encoder does not sort (the C
    encoder writes tuples as arrays, as ``entry_dict`` does). With ``kind`` the text is a JSON Lines entry:
    ``"type"`` first, then the fields, and a newline. An entry with a ``dict`` field (sorted recursively)
    uses the sorting encoder.
    """
    spec = sorted(_fields_of(cls), key=lambda s: s[1])
    names = [name for name, _, _ in spec]
    if any("dict" in str(f.type) for f in fields(cls)):
        sorted_encode = _encode
        if kind is None:
            return lambda entry: sorted_encode(entry_dict(entry))
        return lambda entry: f'{{"type":"{kind}",{sorted_encode(entry_dict(entry))[1:]}\n'
    keys = (["type"] if kind is not None else []) + [key for _, key, _ in spec]
    first = 1 if kind is not None else 0
    ns_at = [first + i for i, (_, _, is_ns) in enumerate(spec) if is_ns]
    get = attrgetter(*names)
    encode = _encode_in_order
    end = "\n" if kind is not None else ""

    def encode_entry(entry: Any) -> str:
        values = [kind, *get(entry)] if first else list(get(entry))
        for i in ns_at:
            v = values[i]
            if v is not None:
                values[i] = f"{v // _NS}.{v % _NS:09d}" if v >= 0 else seconds(v)
        return encode(dict(zip(keys, values, strict=True))) + end

    return encode_entry


_ATTEMPT_KEYS: Final = ("seq", "path", "function", "qualifier", "executed_version", "request_id", "event_id",
                         "attempt", "outcome", "start_ns", "end_ns", "env_id", "cold", "error_type", "error_message",
                         "records", "source", "batch_id", "bisect_depth", "reason", "faults", "failed_items",
                         "checkpoint", "record_outcomes")


def _text(value: Any) -> str:
    """A string (or ``None``) as JSON; anything else through the C encoder."""
    if isinstance(value, str):  # enum values are str too
        return _string(value)
    return "null" if value is None else _encode(value)


def _number(value: Any) -> str:
    return str(value) if type(value) is int else _encode(value)


def _texts(values: Any) -> str:
    """A tuple of strings as a JSON array; anything else through the C encoder."""
    try:
        return f"[{','.join(map(_string, values))}]"
    except TypeError:
        return _encode(values)


def _secs(ns: Any) -> str:
    if type(ns) is int and ns >= 0:
        return f'"{ns // _NS}.{ns % _NS:09d}"'
    return _encode(seconds(ns))


def attempt_encoder(cls: type, kind: str | None = None) -> Callable[[Any], str]:
    """The encoder of the most written entry with many fields, attempts, as one template (the same text as
    :func:`entry_encoder`, whose dict building and key sorting it skips); :func:`entry_encoder` if ``cls`` has
    other fields."""
    if tuple(f.name for f in fields(cls)) != _ATTEMPT_KEYS:
        return entry_encoder(cls, kind)
    head = f'{{"type":"{kind}",' if kind is not None else "{"
    end = "}\n" if kind is not None else "}"

    def encode_attempt(a: Any) -> str:
        return (f'{head}"attempt":{_number(a.attempt)}'
                f',"batch_id":{"null" if a.batch_id is None else _text(a.batch_id)}'
                f',"bisect_depth":{_number(a.bisect_depth)}'
                f',"checkpoint":{"null" if a.checkpoint is None else _text(a.checkpoint)}'
                f',"cold":{"true" if a.cold is True else "false" if a.cold is False else _encode(a.cold)}'
                f',"end_s":{_secs(a.end_ns)}'
                f',"env_id":{"null" if a.env_id is None else _text(a.env_id)}'
                f',"error_message":{"null" if a.error_message is None else _text(a.error_message)}'
                f',"error_type":{"null" if a.error_type is None else _text(a.error_type)}'
                f',"event_id":{"null" if a.event_id is None else _text(a.event_id)}'
                f',"executed_version":{"null" if a.executed_version is None else _text(a.executed_version)}'
                f',"failed_items":{_texts(a.failed_items)}'
                f',"faults":{_texts(a.faults)}'
                f',"function":{"null" if a.function is None else _text(a.function)}'
                f',"outcome":{"null" if a.outcome is None else _text(a.outcome)}'
                f',"path":{"null" if a.path is None else _text(a.path)}'
                f',"qualifier":{"null" if a.qualifier is None else _text(a.qualifier)}'
                f',"reason":{"null" if a.reason is None else _text(a.reason)}'
                f',"record_outcomes":{_texts(a.record_outcomes)}'
                f',"records":{_texts(a.records)}'
                f',"request_id":{"null" if a.request_id is None else _text(a.request_id)}'
                f',"seq":{_number(a.seq)}'
                f',"source":{"null" if a.source is None else _text(a.source)}'
                f',"start_s":{_secs(a.start_ns)}{end}')

    return encode_attempt


_ENCODERS: dict[type, Callable[[Any], str]] = {}


def encode_entry(entry: Any) -> str:
    """One entry as compact JSON (the same text ``json.dumps(entry_dict(entry), ...)`` gives)."""
    cls = type(entry)
    encode = _ENCODERS.get(cls)
    if encode is None:
        encode = _ENCODERS[cls] = attempt_encoder(cls)
    return encode(entry)


_FATE_KEYS: Final = ("event_id", "status", "at_ns", "condition", "destinations", "attempts")


def fate_encoder(fate_cls: type) -> Callable[[Any], str]:
    """A fast encoder for fates (the most numerous entries), or the generic one if the fields differ."""
    if tuple(f.name for f in fields(fate_cls)) != _FATE_KEYS:
        return encode_entry

    def encode_fate(fate: Any) -> str:
        cond = fate.condition
        dests = fate.destinations
        at = fate.at_ns
        return (f'{{"at_s":{"null" if at is None else chr(34) + seconds(at) + chr(34)},'  # type: ignore[operator]
                f'"attempts":{fate.attempts},"condition":{"null" if cond is None else _string(cond)},'
                f'"destinations":[{",".join(map(_string, dests))}],"event_id":{_string(fate.event_id)},'
                f'"status":{_string(fate.status.value)}}}')
    return encode_fate


def fate_chunks(fates: dict[str, Any], keys: list[str], status_text: tuple[str, ...],
                encode_fate: Callable[[Any], str]) -> Iterator[str]:
    """The JSON of the fates of ``keys``, in that order, comma-joined in chunks of at most 4,096.

    A plain fate packed as an int (status in bits 0-2, attempts in bits 3-14, time above) is written straight
    from the int, the text its ``Fate`` would give: the part before the id depends only on the time and the
    attempts, which the records of one batch share, so it is made once and reused (at most 262,144 kept).
    """
    suffix = [f',"status":"{text}"}}' for text in status_text]
    prefixes: dict[int, str] = {}

    def prefix(key: int) -> str:
        if len(prefixes) >= 1 << 18:
            prefixes.clear()
        at = key >> 12
        text = prefixes[key] = (f'{{"at_s":"{at // _NS}.{at % _NS:09d}","attempts":{key & 4095},'
                                '"condition":null,"destinations":[],"event_id":')
        return text

    known = prefixes.get
    for begin in range(0, len(keys), 4096):
        chunk = keys[begin:begin + 4096]
        values = list(map(fates.__getitem__, chunk))
        yield ",".join([((known(v >> 3) or prefix(v >> 3)) + _string(k) + suffix[v & 7]) if type(v) is int
                        else encode_fate(v) for k, v in zip(chunk, values, strict=True)])


def write_export(out: IO[str], seed: int, schema: str, attempts: Iterable[Any], deliveries: Iterable[Any],
                 faults: Iterable[Any], fate_chunks: Iterable[str]) -> None:
    """Write the ``lambdachaos.ledger/1`` document piece by piece (keys in sorted order); the fates come as
    comma-joined chunks of their JSON."""
    write = out.write

    def chunks(entries: Iterable[Any]) -> Iterator[str]:
        it = iter(entries)
        while texts := [encode_entry(e) for e in islice(it, 4096)]:
            yield ",".join(texts)

    for key, parts in (("attempts", chunks(attempts)), ("deliveries", chunks(deliveries)),
                       ("fates", fate_chunks), ("faults", chunks(faults))):
        write(f'{"{" if key == "attempts" else ","}"{key}":[')
        first = True
        for part in parts:
            write(part if first else "," + part)
            first = False
        write("]")
    write(f',"schema":{_encode(schema)},"seed":{_encode(seed)}}}')


def line(kind: str, body: str) -> str:
    """One JSON Lines entry: the entry's object with its ``type`` first."""
    return f'{{"type":"{kind}",{body[1:]}\n' if body != "{}" else f'{{"type":"{kind}"}}\n'


def concurrency(attempts: Iterable[Any], function: str | None) -> list[tuple[float, int]]:
    """Concurrent executions over virtual time from the attempts that ran: ``(seconds, count)`` at every change."""
    changes: list[tuple[int, int]] = []
    for a in attempts:
        if a.env_id is None or (function is not None and a.function != function):
            continue
        changes.append((a.start_ns, 1))
        changes.append((a.end_ns, -1))
    changes.sort(key=lambda c: (c[0], c[1]))  # an execution ending at t frees its slot before one starts
    series: list[tuple[float, int]] = []
    level = 0
    for at_ns, delta in changes:
        level += delta
        if series and series[-1][0] == at_ns / 1e9:
            series[-1] = (at_ns / 1e9, level)
        else:
            series.append((at_ns / 1e9, level))
    return series


def timeline(attempts: Iterable[Any], deliveries: Iterable[Any], events: Iterable[str] | None) -> list[str]:
    """Attempts and deliveries interleaved in time order as readable lines (only ``events`` when given)."""
    wanted = set(events) if events is not None else None
    rows: list[tuple[int, int, str]] = []
    for a in attempts:
        if wanted is None or a.event_id in wanted or wanted.intersection(a.records):
            rows.append((a.start_ns, a.seq, a.describe()))
    for d in deliveries:
        if wanted is None or d.event_id in wanted:
            rows.append((d.at_ns, d.seq, d.describe()))
    return [text for _, _, text in sorted(rows)]


def read_lines(path: str) -> Iterator[dict[str, Any]]:
    """The objects of a ``lambdachaos.ledger-lines/1`` file, one per line."""
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                yield json.loads(text)
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not a JSON line ({exc})") from None


def lines_seed(path: str) -> int:
    """The seed in the header line of a ``lambdachaos.ledger-lines/1`` file."""
    for data in read_lines(path):
        if data.get("type") != "header" or data.get("schema") != LINES_SCHEMA:
            break
        return int(data["seed"])
    raise ValueError(f"{path}: not a {LINES_SCHEMA} file (its first line must be the header)")


def read_entries(path: str, kinds: dict[str, type], enums: dict[str, type[Enum]]) -> Iterator[tuple[str, Any]]:
    """``(type, entry)`` for every attempt, delivery, fault and fate line of a JSON Lines ledger."""
    for data in read_lines(path):
        kind = data.pop("type", None)
        if kind in kinds:
            yield kind, entry_from(kinds[kind], data, enums)
        elif kind == "amend":
            yield kind, data


def encode_amend(request_id: str, changes: dict[str, Any]) -> str:
    """The body of an ``amend`` line: what was added to attempt ``request_id`` after it was written."""
    return _encode({"request_id": request_id, "changes": changes})


def amend_changes(changes: dict[str, Any], enums: dict[str, type[Enum]]) -> dict[str, Any]:
    """An ``amend`` line's changes as :meth:`Ledger.amend` takes them (enums back, lists back to tuples)."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name in enums and value is not None:
            value = enums[name](value)
        elif isinstance(value, list):
            value = tuple(value)
        out[name] = value
    return out


def entry_from(cls: type, data: dict[str, Any], enums: dict[str, type[Enum]]) -> Any:
    """Rebuild one entry from its JSON form (``*_s`` back to ``*_ns``, lists back to tuples)."""
    kwargs: dict[str, Any] = {}
    for name, key, is_ns in _fields_of(cls):
        if key not in data:
            continue
        value = data[key]
        if is_ns:
            value = nanoseconds(value)
        elif name in enums and value is not None:
            value = enums[name](value)
        elif isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        kwargs[name] = value
    return cls(**kwargs)
