"""DynamoDB writes through boto3 on a table the simulation streams (``sim.dynamodb_table``).

The item store is moto's: the call goes to moto unchanged (moto's table is created on first use
with the sim table's key schema), so the handler reads its own writes back. Around the call the
bridge reads the item before and after the write and hands the change to the sim table, which
produces the stream record: ``INSERT``/``MODIFY``/``REMOVE``, ``Keys`` always, images per
``StreamViewType``, and no record for a write that changed nothing (AWS developer guide: "Change data
capture for DynamoDB Streams").
Covered: ``PutItem``, ``UpdateItem``, ``DeleteItem``, ``BatchWriteItem``, ``TransactWriteItems``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable

Call = Callable[[str, dict[str, Any]], Any]
"""Send one DynamoDB operation to moto (the bridge's passthrough bound to the caller's client)."""
FindTable = Callable[[str], "DynamoDBTable | None"]

WRITE_OPERATIONS: Final = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_SINGLE: Final = frozenset({"PutItem", "UpdateItem", "DeleteItem"})


def tables_of(op: str, p: Mapping[str, Any]) -> list[str]:
    """The table names a write request touches."""
    if op in _SINGLE:
        name = p.get("TableName")
        return [name] if isinstance(name, str) else []
    if op == "BatchWriteItem":
        return [str(name) for name in (p.get("RequestItems") or {})]
    names = []
    for entry in p.get("TransactItems") or []:
        for body in entry.values():
            if isinstance(body, Mapping) and isinstance(body.get("TableName"), str):
                names.append(body["TableName"])
    return names


def to_python(value: Mapping[str, Any]) -> Any:
    """One AttributeValue (as boto3 takes it: ``B`` as bytes) as the plain value the sim table stores."""
    (kind, raw), = value.items()
    if kind == "S":
        return raw
    if kind == "N":
        return Decimal(raw)
    if kind == "B":
        return raw if isinstance(raw, bytes) else base64.b64decode(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {Decimal(v) for v in raw}
    if kind == "BS":
        return {v if isinstance(v, bytes) else base64.b64decode(v) for v in raw}
    if kind == "L":
        return [to_python(v) for v in raw]
    if kind == "M":
        return {k: to_python(v) for k, v in raw.items()}
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def _item(image: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if image is None else {k: to_python(v) for k, v in image.items()}


def _key(table: DynamoDBTable, item_or_key: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item_or_key[name] for name in table.key_schema if name in item_or_key}


class _Writes:
    """The items one request touches on sim tables: ``(table, key)`` with the image before the write."""

    def __init__(self, call: Call, find: FindTable) -> None:
        self.call = call
        self.find = find
        self.touched: list[tuple[DynamoDBTable, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None,
                                 bool]] = []

    def before(self, table_name: str, key_source: Mapping[str, Any], new: Mapping[str, Any] | None,
               *, read_after: bool = False) -> None:
        """Note one item write: ``new`` is the written item (None for a delete); ``read_after`` when
        only moto knows the result (``UpdateItem``)."""
        table = self.find(table_name)
        if table is None:
            return
        key = _key(table, key_source)
        old = self._get(table_name, key)
        self.touched.append((table, key, old, None if new is None else dict(new), read_after))

    def _get(self, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = self.call("GetItem", {"TableName": table_name, "Key": key, "ConsistentRead": True})
        except Exception as exc:  # the moto table does not exist yet: the write will create it
            if _not_found(exc):
                return None
            raise
        item = found.get("Item")
        return dict(item) if item else None

    def mirror(self) -> None:
        for table, key, old, new, read_after in self.touched:
            if read_after:
                new = self._get(table.name, key)
            py_key = {k: to_python(v) for k, v in key.items()}
            table.mirror(py_key, _item(old), _item(new))


def _not_found(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    return isinstance(response, Mapping) and response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def _ensure_table(call: Call, table: DynamoDBTable, sample: Mapping[str, Any]) -> None:
    """Create moto's table with the sim table's key schema (types taken from the written key)."""
    kinds = {"S": "S", "N": "N", "B": "B"}
    definitions = []
    schema = []
    for i, name in enumerate(table.key_schema):
        value = sample.get(name) or {"S": ""}
        definitions.append({"AttributeName": name, "AttributeType": kinds.get(next(iter(value)), "S")})
        schema.append({"AttributeName": name, "KeyType": "HASH" if i == 0 else "RANGE"})
    call("CreateTable", {"TableName": table.name, "KeySchema": schema, "AttributeDefinitions": definitions,
                         "BillingMode": "PAY_PER_REQUEST"})


def high_level(client: Any) -> bool:
    """True for the client of a ``boto3.resource("dynamodb")``: its requests carry plain Python values,
    which boto3 turns into AttributeValues only inside the call."""
    emitter = getattr(client.meta.events, "_emitter", client.meta.events)
    return "dynamodb-attr-value-input" in getattr(emitter, "_unique_id_handlers", {})


def low_level(op: str, p: dict[str, Any]) -> dict[str, Any]:
    """The AttributeValue form of the items and keys of a high-level (resource) write request."""
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize

    def image(values: Mapping[str, Any]) -> dict[str, Any]:
        return {k: serialize(v) for k, v in values.items()}

    def body(entry: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        for field in ("Item", "Key"):
            if field in out:
                out[field] = image(out[field])
        return out

    if op in _SINGLE:
        return body(p)
    if op == "BatchWriteItem":
        return {"RequestItems": {name: [{kind: body(req) for kind, req in r.items()} for r in requests]
                                 for name, requests in (p.get("RequestItems") or {}).items()}}
    return {"TransactItems": [{kind: body(req) for kind, req in e.items()} for e in p.get("TransactItems") or []]}


def write(op: str, p: dict[str, Any], call: Call, internal: Call, find: FindTable, *, plain_values: bool) -> Any:
    """Run the write on moto (``call``, the caller's client) and mirror what changed on sim tables.

    ``internal`` reads and creates tables with a low-level client; ``plain_values`` says the request
    holds plain Python values (a ``boto3.resource`` table) rather than AttributeValues.
    """
    writes = _Writes(internal, find)
    request = low_level(op, p) if plain_values else p
    samples: dict[str, Mapping[str, Any]] = {}
    if op == "PutItem":
        writes.before(request["TableName"], request["Item"], request["Item"])
        samples[request["TableName"]] = request["Item"]
    elif op == "UpdateItem":
        writes.before(request["TableName"], request["Key"], None, read_after=True)
        samples[request["TableName"]] = request["Key"]
    elif op == "DeleteItem":
        writes.before(request["TableName"], request["Key"], None)
        samples[request["TableName"]] = request["Key"]
    elif op == "BatchWriteItem":
        for name, requests in (request.get("RequestItems") or {}).items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    writes.before(name, item, item)
                    samples[name] = item
                elif "DeleteRequest" in request:
                    writes.before(name, request["DeleteRequest"]["Key"], None)
                    samples[name] = request["DeleteRequest"]["Key"]
    else:
        for entry in request.get("TransactItems") or []:
            if "Put" in entry:
                writes.before(entry["Put"]["TableName"], entry["Put"]["Item"], entry["Put"]["Item"])
                samples[entry["Put"]["TableName"]] = entry["Put"]["Item"]
            elif "Update" in entry:
                writes.before(entry["Update"]["TableName"], entry["Update"]["Key"], None, read_after=True)
                samples[entry["Update"]["TableName"]] = entry["Update"]["Key"]
            elif "Delete" in entry:
                writes.before(entry["Delete"]["TableName"], entry["Delete"]["Key"], None)
                samples[entry["Delete"]["TableName"]] = entry["Delete"]["Key"]
    try:
        response = call(op, p)
    except Exception as exc:
        if not _not_found(exc):
            raise
        created = False
        for name, sample in samples.items():
            table = find(name)
            if table is not None:
                try:
                    _ensure_table(internal, table, sample)
                    created = True
                except Exception as create_error:  # already there: the missing table was another one
                    if "ResourceInUse" not in repr(create_error):
                        raise
        if not created:
            raise
        response = call(op, p)
    # moto processes every BatchWriteItem request, so UnprocessedItems is always empty here.
    writes.mirror()
    return response
