"""The event sources of ``lambdachaos events``: CLI name, module, builder keywords and powertools parser model.

:data:`SOURCES` is derived from the generator catalogue (:mod:`._catalogue`, the one table of generator
modules); it drives the CLI, the generic strategy :func:`strategies.source_events`, the powertools
``st.from_type`` registration and the validation tests.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from typing import Any

from lambdachaos._errors import ConfigError

from . import _catalogue
from ._common import Seed, as_rng, check_count
from ._payload import PayloadSpec


@dataclasses.dataclass(frozen=True)
class Source:
    """One generated event source or variant.

    ``model`` is the dotted name of the powertools parser model the event validates against, under
    ``aws_lambda_powertools.utilities.parser.models`` (``None``: powertools has none, or it is wrong for this
    variant -- then ``model_note`` says why).
    """

    name: str
    module: types.ModuleType
    kwargs: dict[str, Any]
    model: str | None
    builder: str = "event"
    model_note: str = ""

    @property
    def batching(self) -> bool:
        """Whether one Lambda event carries a batch of records."""
        return bool(getattr(self.module, "BATCHING", False)) and self.builder == "event"

    def build(self, *, count: int = 1, seed: Seed = None, payload: PayloadSpec = None) -> Any:
        """One event (``count`` records for batching sources), or a list of ``count`` events otherwise."""
        check_count(count, name="count", high=10_000)
        fn = getattr(self.module, self.builder)
        kw = dict(self.kwargs)
        params = inspect.signature(fn).parameters
        if payload is not None:
            if "payload" not in params and not _accepts_http(params):
                raise ConfigError(f"source {self.name!r} has no body to shape; drop the body schema")
            kw["payload"] = payload
        if self.batching:
            return fn(n=count, seed=seed, **kw)
        if "n" in params:
            kw["n"] = 1
        if count == 1:
            return fn(seed=seed, **kw)
        rng = as_rng(seed, self.module.__name__.rpartition(".")[2])
        return [fn(seed=rng, **kw) for _ in range(count)]


def _accepts_http(params: Any) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def sources(catalogue: tuple[_catalogue.Generator, ...] | None = None) -> dict[str, Source]:
    """Every source and variant of ``catalogue`` (default: the catalogue), by CLI name (imports each module)."""
    out: dict[str, Source] = {}
    for generator in _catalogue.CATALOGUE if catalogue is None else catalogue:
        module = generator.load()
        for row in generator.rows(module):
            if row.name in out:
                raise ValueError(f"source name {row.name!r} appears twice in the generator catalogue")
            out[row.name] = Source(row.name, module, row.kwargs, row.model, row.builder, row.note)
    return out


SOURCES: dict[str, Source] = sources()
"""Every source and variant, by CLI name."""


def get(name: str) -> Source:
    """The source called ``name``; the error lists the valid names."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ConfigError(f"unknown event source {name!r}; valid sources: {', '.join(SOURCES)}") from None
