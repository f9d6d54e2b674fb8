"""The building blocks of :mod:`.strategies`: seeds, payloads, bodies and the per-variant strategy factory.

With :mod:`.strategies`, the only modules that import hypothesis.
"""

from __future__ import annotations

import random
import types
from typing import Any, Protocol

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "lambdachaos.generators.strategies needs hypothesis: pip install 'lambdachaos[hypothesis]'"
    ) from exc

from . import _payload
from ._common import JSON
from ._payload import PayloadSpec

SearchStrategy = st.SearchStrategy

__all__ = ["SearchStrategy", "VariantStrategy", "bodies_of", "payloads", "seeds", "st", "variant_events"]


def seeds() -> SearchStrategy[int]:
    """Seeds for the builders; shrinks towards 0."""
    return st.integers(min_value=0, max_value=2**32 - 1)


def payloads(spec: PayloadSpec = None) -> SearchStrategy[JSON]:
    """Payload values shaped by ``spec`` (default: an :class:`~lambdachaos.generators.Order`).

    For orders, the number of lines varies (1 to 5) and shrinks towards one line; everything else comes from a
    seed that shrinks towards 0. Other specs vary by seed only.
    """
    if spec is None or spec is _payload.Order:
        return st.builds(
            lambda seed, n: _payload.order(
                random.Random(seed), items=[_payload.line_item(random.Random(seed + i)) for i in range(n)]
            ),
            seeds(),
            st.integers(min_value=1, max_value=5),
        )
    return seeds().map(lambda s: _payload.payload(spec, seed=s))


def bodies_of(
    bodies: SearchStrategy[JSON] | None, payload: PayloadSpec, min_size: int, max_size: int
) -> SearchStrategy[list[JSON]]:
    return st.lists(bodies if bodies is not None else payloads(payload), min_size=min_size, max_size=max_size)


class VariantStrategy(Protocol):
    """The strategy factory of a source shaped by ``variant`` (see :func:`variant_events`)."""

    def __call__(self, *, variant: str | None = None, **kwargs: Any) -> SearchStrategy[dict[str, Any]]: ...


def variant_events(module: types.ModuleType, what: str, *, batch: bool = False) -> VariantStrategy:
    """The strategy of a source whose shape is set by ``variant``: draws a variant (unless given), a seed and,
    for batching sources, the bodies (``payload``, ``bodies``, ``min_size``, ``max_size`` as in
    :func:`sqs_records`)."""
    variants: tuple[str, ...] = module.VARIANTS

    def make(*, variant: str | None = None, **kwargs: Any) -> SearchStrategy[dict[str, Any]]:
        chosen = st.sampled_from(variants) if variant is None else st.just(variant)
        if not batch:
            return st.builds(lambda v, s: module.event(variant=v, seed=s, **kwargs), chosen, seeds())
        sizes = (kwargs.pop("min_size", 1), kwargs.pop("max_size", 10))
        bodies = bodies_of(kwargs.pop("bodies", None), kwargs.pop("payload", None), *sizes)
        return st.builds(
            lambda b, v, s: module.event(n=len(b), bodies=b, variant=v, seed=s, **kwargs),
            bodies,
            chosen,
            seeds(),
        )

    make.__name__ = make.__qualname__ = f"{module.SOURCE}_events"
    make.__doc__ = (
        f"{what} Varies ``variant`` over {variants} (unless given)"
        + (", the batch size and bodies" if batch else "")
        + f" and the seed; shrinks towards ``{variants[0]}``"
        + (", one record with the smallest body" if batch else "")
        + " and seed 0."
    )
    return make
