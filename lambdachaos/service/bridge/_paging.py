"""Pagination of the Lambda API's list calls: ``Marker`` and ``MaxItems`` in, ``NextMarker`` out.

A page holds at most ``MaxItems`` items and never more than the operation's own cap (ListFunctions
and ListVersionsByFunction: 50 items per response, ListEventSourceMappings: 100, the layer and event
invoke config lists: 50). ``NextMarker`` is present only when more items follow; it is opaque to
callers (here: the position of the next item, encoded).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

from lambdachaos.service.invoke._errors import InvalidParameterValue
from lambdachaos.service.invoke._validation import check_max_items

PAGE_CAPS: Final = {
    "ListFunctions": (10_000, 50), "ListVersionsByFunction": (10_000, 50), "ListAliases": (10_000, 50),
    "ListEventSourceMappings": (10_000, 100), "ListFunctionEventInvokeConfigs": (50, 50),
    "ListLayers": (50, 50), "ListLayerVersions": (50, 50),
}
"""Per operation: the largest ``MaxItems`` accepted, and the most items one response holds."""
_PREFIX: Final = "lambdachaos-page:"

_T = TypeVar("_T")


def _marker(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode()


def _position(marker: object) -> int:
    try:
        text = base64.urlsafe_b64decode(str(marker).encode()).decode()
        if text.startswith(_PREFIX) and text[len(_PREFIX):].isdigit():
            return int(text[len(_PREFIX):])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidParameterValue(f"Marker={marker!r} is not a marker this list returned (pass the NextMarker of "
                                "the previous page)")


def page(operation: str, p: dict[str, Any], items: Sequence[_T], key: str,
         render: Callable[[_T], Any]) -> dict[str, Any]:
    """The response of one list call: ``{key: [...]}`` plus ``NextMarker`` when more items follow."""
    high, cap = PAGE_CAPS[operation]
    wanted = check_max_items(p.get("MaxItems"), high)
    size = cap if wanted is None else min(wanted, cap)
    start = _position(p["Marker"]) if p.get("Marker") else 0
    chosen = items[start:start + size]
    out: dict[str, Any] = {key: [render(item) for item in chosen]}
    if start + size < len(items):
        out["NextMarker"] = _marker(start + size)
    return out
