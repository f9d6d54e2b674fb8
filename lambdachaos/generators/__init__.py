"""Realistic AWS Lambda events for every event source (importable as ``lambdachaos.generators``).

Each event source has its own module with the same small API (see ``docs/generators.md``):

* batching sources (``sqs``, ``kinesis``, ``dynamodb_streams``, ``s3``, ``sns``, ...): ``record(...)``,
  ``records(n, ...)``, ``event(records=None, n=1, ...)`` and ``events(n, ...)``;
* every other source: ``event(...)`` and ``events(n, ...)``.

The modules are listed once, in the generator catalogue (:mod:`._catalogue`), and imported on first use.
All builders take ``seed``, ``region``, ``account_id`` and ``now`` (see :mod:`._common`) and return plain
dicts in AWS's wire shape. Hypothesis strategies live in ``lambdachaos.generators.strategies`` (needs the
``hypothesis`` extra); the poison catalogue in :mod:`.poison`.

>>> from lambdachaos.generators import sqs
>>> sqs.event(n=2, seed=7)["Records"][0]["eventSource"]
'aws:sqs'
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from . import _catalogue

if _TYPE_CHECKING:
    from ._common import DEFAULT_ACCOUNT_ID as DEFAULT_ACCOUNT_ID
    from ._common import DEFAULT_NOW as DEFAULT_NOW
    from ._common import DEFAULT_REGION as DEFAULT_REGION
    from ._common import Seed as Seed
    from ._payload import Address as Address
    from ._payload import Customer as Customer
    from ._payload import LineItem as LineItem
    from ._payload import Order as Order
    from ._payload import PayloadSpec as PayloadSpec
    from ._payload import payload as payload
    from ._payload import payload_json as payload_json
    from ._sources import SOURCES as SOURCES
    from ._sources import Source as Source
    from .poison import Poison as Poison

_COMMON = ("DEFAULT_ACCOUNT_ID", "DEFAULT_NOW", "DEFAULT_REGION", "Seed")
_PAYLOAD = ("Address", "Customer", "LineItem", "Order", "PayloadSpec", "payload", "payload_json")
_LAZY: dict[str, str | None] = {
    **dict.fromkeys(_COMMON, "._common"),
    **dict.fromkeys(_PAYLOAD, "._payload"),
    "SOURCES": "._sources",
    "Source": "._sources",
    "Poison": ".poison",
    "poison": None,
}
"""Names imported on first use (``None``: the submodule itself); every catalogue module is one too, so
importing the package costs next to nothing."""

__all__ = sorted([*_LAZY, *_catalogue.module_names()])


def __getattr__(name: str) -> _Any:
    """Import a source module (or ``SOURCES``, ``Source``, ``poison``, ``Poison``) the first time it is used."""
    if name in _LAZY and _LAZY[name] is not None:
        value = getattr(_importlib.import_module(str(_LAZY[name]), __name__), name)
    elif name in _LAZY or name in _catalogue.module_names():
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
