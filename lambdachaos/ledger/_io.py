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

from lambdachaos.ledger._attempt_json import ATTEMPT_FIELDS, template_encoder

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

    The field values are read at once and laid out in key order without building ``entry_dict`` (the C
    encoder writes tuples as arrays, as ``entry_dict`` does, and sorts the keys of any dict inside). With
    ``kind`` the text is a JSON Lines entry: ``"type"`` first, then the fields, and a newline. An entry with a
    ``dict`` field (sorted recursively) goes through ``entry_dict``.
    """
    spec = sorted(_fields_of(cls), key=lambda s: s[1])
    names = [name for name, _, _ in spec]
    sorted_encode = _encode
    head = f'{{"type":"{kind}",' if kind is not None else "{"
    end = "\n" if kind is not None else ""
    if any("dict" in str(f.type) for f in fields(cls)):
        if kind is None:
            return lambda entry: sorted_encode(entry_dict(entry))
        return lambda entry: f'{head}{sorted_encode(entry_dict(entry))[1:]}{end}'
    keys = [key for _, key, _ in spec]
    ns_at = [i for i, (_, _, is_ns) in enumerate(spec) if is_ns]
    get = attrgetter(*names)

    def encode_entry(entry: Any) -> str:
        values = list(get(entry))
        for i in ns_at:
            v = values[i]
            if v is not None:
                values[i] = f"{v // _NS}.{v % _NS:09d}" if v >= 0 else seconds(v)
        return f"{head}{sorted_encode(dict(zip(keys, values, strict=True)))[1:]}{end}"

    return encode_entry


def attempt_encoder(cls: type, kind: str | None = None) -> Callable[[Any], str]:
    """The encoder of the most written entry with many fields, attempts, as one template (the same text as
    :func:`entry_encoder`, without building a dict per attempt); :func:`entry_encoder` if ``cls`` has other
    fields."""
    if tuple(f.name for f in fields(cls)) != ATTEMPT_FIELDS:
        return entry_encoder(cls, kind)
    if kind is None:
        return template_encoder(None, lambda entry: _encode(entry_dict(entry)))
    return template_encoder(kind, lambda entry: f'{{"type":"{kind}",{_encode(entry_dict(entry))[1:]}\n')


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
        attempts = fate.attempts
        if type(attempts) is not int or type(at) not in (int, type(None)) or not isinstance(fate.status, Enum):
            return encode_entry(fate)  # a field of another type: the general encoder writes what to_dict gives
        try:  # _string refuses anything but a string
            return (f'{{"at_s":{"null" if at is None else chr(34) + seconds(at) + chr(34)},'  # type: ignore[operator]
                    f'"attempts":{attempts},"condition":{"null" if cond is None else _string(cond)},'
                    f'"destinations":[{",".join(map(_string, dests))}],"event_id":{_string(fate.event_id)},'
                    f'"status":{_string(fate.status.value)}}}')
        except TypeError:
            return encode_entry(fate)
    return encode_fate


def write_export(out: IO[str], seed: int, schema: str, attempts: Iterable[Any], deliveries: Iterable[Any],
                 faults: Iterable[Any], fate_chunks: Iterable[str]) -> None:
    """Write the ``lambdachaos.ledger/1`` document piece by piece (keys in sorted order); the fates come as
    comma-joined chunks of their JSON."""
    write = out.write

    def chunks(entries: Iterable[Any]) -> Iterator[str]:
        it = iter(entries)
        while batch := list(islice(it, 4096)):
            cls = type(batch[0])  # entries of one list share a class: its encoder without a lookup each
            encode = _ENCODERS.get(cls) or _ENCODERS.setdefault(cls, attempt_encoder(cls))
            yield ",".join([encode(e) if type(e) is cls else encode_entry(e) for e in batch])

    for key, parts in (("attempts", chunks(attempts)), ("deliveries", chunks(deliveries)),
                       ("fates", fate_chunks), ("faults", chunks(faults))):
        write(f'{"{" if key == "attempts" else ","}"{key}":[')
        first = True
        for part in parts:
            if not first:
                write(",")
            write(part)
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
