"""Hypothesis strategies for every generated event source and for payloads.

Needs hypothesis (``pip install 'lambdachaos[hypothesis]'``), imported by :mod:`._strategy_kit` only. Each strategy
draws the overrides that matter (batch size, bodies, variant, a seed for the rest) and calls the matching
builder, so an event's shape is defined once, in its source module. Strategies compose:
``sqs_events(bodies=payloads(Order))``. Shrinking goes towards one record, the first variant, the smallest
payload and seed 0 (a realistic, readable event). :func:`register_powertools_types` makes
``st.from_type(SqsModel)`` and friends work.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import (
    _catalogue,
    _sources,
    _type_registry,
    alb,
    apigateway,
    apigateway_http,
    codedeploy,
    documentdb,
    dynamodb_streams,
    eventbridge,
    function_url,
    kinesis,
    poison,
    s3,
    sns,
    sqs,
)
from ._common import JSON
from ._payload import PayloadSpec
from ._strategy_kit import SearchStrategy, VariantStrategy, bodies_of, payloads, seeds, st, variant_events

_OWN = [
    "dynamodb_streams_records",
    "kinesis_records",
    "payloads",
    "poisoned_batches",
    "powertools_strategy",
    "register_powertools_types",
    "seeds",
    "source_events",
    "sqs_records",
]
__all__ = sorted([*_OWN, *(g.strategy for g in _catalogue.CATALOGUE)])
"""Strategies of this module's own, plus one per generator catalogue row (:mod:`._catalogue`)."""


def __getattr__(name: str) -> VariantStrategy:
    """The strategy of a catalogue row whose events are shaped by ``variant``, built on first use."""
    generator = _catalogue.by_strategy(name)
    if generator is None or generator.kind == "custom":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = variant_events(generator.load(), generator.description, batch=generator.kind == "variant-batch")
    globals()[name] = made
    return made


def sqs_records(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    fifo: bool | None = None,
    **kwargs: Any,
) -> SearchStrategy[list[dict[str, Any]]]:
    """One SQS batch (list of records) of one queue. Varies batch size, bodies, standard/FIFO (unless
    ``fifo`` is given), ids and ``ApproximateReceiveCount`` (redeliveries 2-5 times, unless ``receive_count``
    is given); shrinks towards one first-delivery standard-queue record with the smallest body."""
    fifos = st.booleans() if fifo is None else st.just(fifo)
    counts = st.just(kwargs.pop("receive_count")) if "receive_count" in kwargs else st.integers(1, 5)
    return st.builds(
        lambda b, f, c, s: sqs.records(len(b), bodies=b, fifo=f, receive_count=c, seed=s, **kwargs),
        bodies_of(bodies, payload, min_size, max_size),
        fifos,
        counts,
        seeds(),
    )


def sqs_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full SQS events ``{"Records": [...]}``; keywords and shrinking as :func:`sqs_records`."""
    return sqs_records(**kwargs).map(sqs.event)


def kinesis_records(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    **kwargs: Any,
) -> SearchStrategy[list[dict[str, Any]]]:
    """One Kinesis batch of one shard. Varies batch size, data, partition keys (1-10) and sequence numbers;
    shrinks towards one record, one partition key and the smallest body."""
    return st.builds(
        lambda b, k, s: kinesis.records(len(b), bodies=b, partition_keys=k, seed=s, **kwargs),
        bodies_of(bodies, payload, min_size, max_size),
        st.integers(1, 10),
        seeds(),
    )


def kinesis_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full Kinesis events; keywords and shrinking as :func:`kinesis_records`."""
    return kinesis_records(**kwargs).map(kinesis.event)


def dynamodb_streams_records(
    *, payload: PayloadSpec = None, min_size: int = 1, max_size: int = 10, **kwargs: Any
) -> SearchStrategy[list[dict[str, Any]]]:
    """One DynamoDB Streams batch. Varies size, event names (INSERT/MODIFY/REMOVE), stream view type and
    items;
    shrinks towards one INSERT of a KEYS_ONLY stream."""
    return st.builds(
        lambda n, e, v, s: dynamodb_streams.records(
            n, event_name=e, stream_view_type=v, seed=s, payload=payload, **kwargs
        ),
        st.integers(min_size, max_size),
        st.sampled_from((*dynamodb_streams.EVENT_NAMES, None)),
        st.sampled_from(dynamodb_streams.STREAM_VIEW_TYPES),
        seeds(),
    )


def dynamodb_streams_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full DynamoDB Streams events; keywords and shrinking as :func:`dynamodb_streams_records`."""
    return dynamodb_streams_records(**kwargs).map(dynamodb_streams.event)


def s3_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """S3 notification events. Varies the event type (shrinks towards ``ObjectCreated:Put``), bucket versioning
    (unless ``versioned`` is given; shrinks towards unversioned) and the seed."""
    versioned = st.just(kwargs.pop("versioned")) if "versioned" in kwargs else st.booleans()
    return st.builds(
        lambda e, v, s: s3.event(event_name=e, versioned=v or None, seed=s, **kwargs),
        st.sampled_from(s3.EVENT_NAMES),
        versioned,
        seeds(),
    )


def sns_events(
    *, payload: PayloadSpec = None, bodies: SearchStrategy[JSON] | None = None, **kwargs: Any
) -> SearchStrategy[dict[str, Any]]:
    """SNS events (one record). Varies the message and subject; shrinks to the smallest body, no subject."""
    return st.builds(
        lambda b, subj, s: sns.event(bodies=[b], subject=subj, seed=s, **kwargs),
        bodies if bodies is not None else payloads(payload),
        st.none() | st.sampled_from(("Order update", "Alert")),
        seeds(),
    )


def eventbridge_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """EventBridge events. Varies the variant (shrinks towards ``custom``) and the seed."""
    return st.builds(
        lambda v, s: eventbridge.event(variant=v, seed=s, **kwargs),
        st.sampled_from(eventbridge.VARIANTS),
        seeds(),
    )


_METHODS = st.sampled_from(("GET", "POST", "PUT", "DELETE", "PATCH"))


def apigateway_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """REST API (payload 1.0) events. Varies method (shrinks towards GET) and seed."""
    return st.builds(lambda m, s: apigateway.event(method=m, seed=s, **kwargs), _METHODS, seeds())


def apigateway_http_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """HTTP API (payload 2.0) events. Varies method, route style and seed; shrinks to ``GET`` on a route."""
    return st.builds(
        lambda m, v, s: apigateway_http.event(method=m, variant=v, seed=s, **kwargs),
        _METHODS,
        st.sampled_from(apigateway_http.VARIANTS),
        seeds(),
    )


def function_url_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Function URL events. Varies method, auth type (shrinks towards ``NONE``) and seed."""
    return st.builds(
        lambda m, a, s: function_url.event(method=m, auth_type=a, seed=s, **kwargs),
        _METHODS,
        st.sampled_from(function_url.VARIANTS),
        seeds(),
    )


def alb_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """ALB events. Varies method, header mode (shrinks towards single-value) and seed."""
    return st.builds(
        lambda m, mv, s: alb.event(method=m, multi_value_headers=mv, seed=s, **kwargs),
        _METHODS,
        st.booleans(),
        seeds(),
    )


def codedeploy_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """CodeDeploy lifecycle hook invocations. Varies the seed; shrinks towards seed 0."""
    return seeds().map(lambda s: codedeploy.event(seed=s, **kwargs))


def documentdb_events(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    **kwargs: Any,
) -> SearchStrategy[dict[str, Any]]:
    """DocumentDB change stream events. Varies the batch size, the documents, each change's operation type and
    the mapping's ``FullDocument`` (unless ``full_document_mode`` is given); shrinks towards one inserted
    document with the smallest body and ``Default``."""
    modes = st.just(kwargs.pop("full_document_mode")) if "full_document_mode" in kwargs else st.sampled_from(
        documentdb.FULL_DOCUMENT_MODES
    )
    return st.builds(
        lambda b, ops, mode, s: documentdb.event(
            records=[
                documentdb.record(
                    seed=s + i, document=doc, operation_type=op, increment=i + 1, full_document_mode=mode, **kwargs
                )
                for i, (doc, op) in enumerate(zip(b, ops, strict=False))
            ]
        ),
        bodies_of(bodies, payload, min_size, max_size),
        st.lists(st.sampled_from(documentdb.OPERATION_TYPES), min_size=max_size, max_size=max_size),
        modes,
        seeds(),
    )


def source_events(name: str | None = None) -> SearchStrategy[Any]:
    """Events of the named source from the CLI table (any source when ``None``; shrinks towards the first,
    ``sqs``).

    Batching sources vary the batch size 1-5 (shrinking towards 1).
    """
    names = st.just(name) if name is not None else st.sampled_from(tuple(_sources.SOURCES))
    return st.builds(
        lambda n, c, s: _sources.get(n).build(count=c if _sources.get(n).batching else 1, seed=s),
        names,
        st.integers(1, 5),
        seeds(),
    )


def poisoned_batches(
    source: str = "sqs",
    *,
    rate: float = 0.2,
    min_size: int = 1,
    max_size: int = 10,
    kinds: tuple[str, ...] | None = None,
) -> SearchStrategy[tuple[dict[str, Any], dict[str, str]]]:
    """``(event, {identity: poison kind})`` for a valid batch of ``source`` with about ``rate`` of it
    poisoned.

    Varies batch size, which records are poisoned and with what; shrinks towards one record and seed 0.
    """
    module = {"sqs": sqs, "kinesis": kinesis, "sns": sns, "dynamodb_streams": dynamodb_streams}[source]

    def build(n: int, s: int) -> tuple[dict[str, Any], dict[str, str]]:
        batch, tags = poison.mix(source, module.records(n, seed=s), rate=rate, seed=s, kinds=kinds)
        return {"Records": batch}, tags

    return st.builds(build, st.integers(min_size, max_size), seeds())


_BUILT: dict[str, SearchStrategy[Any]] = {}


def _model_strategies() -> dict[str, SearchStrategy[Any]]:
    """The strategy for each powertools model some source validates against: the row's own strategy when every
    event-builder source of its generator validates against that model, else the first such source's events."""
    by_module = {g.module: g for g in _catalogue.CATALOGUE}  # read now: the table may have grown since import
    out: dict[str, SearchStrategy[Any]] = {}
    for source in _sources.SOURCES.values():
        if source.model is None or source.model in out:
            continue
        generator = by_module[source.module.__name__.rpartition(".")[2]]
        siblings = {s.model for s in _sources.SOURCES.values() if s.module is source.module and s.builder == "event"}
        if source.builder == "event" and siblings == {source.model}:
            make = globals()[generator.strategy] if generator.kind == "custom" else __getattr__(generator.strategy)
            out[source.model] = make()
        else:
            out[source.model] = source_events(source.name)
    return out


def powertools_strategy(model: type[Any]) -> Any:
    """Realistic events parsed into the powertools parser ``model``, or ``NotImplemented`` when no source of
    the catalogue validates against it (the resolver :func:`register_powertools_types` registers)."""
    if not _BUILT:
        _BUILT.update(_model_strategies())
    base = _BUILT.get(model.__name__)
    if base is None or not model.__module__.startswith(_type_registry.MODELS_PACKAGE):
        return NotImplemented
    return base.map(model.model_validate)


def register_powertools_types() -> list[str]:
    """Make ``st.from_type(<powertools parser model>)`` draw realistic events; return the covered model names.

    Registers one resolver per model class, for the models imported so far and, through an import hook, for
    those imported later (so no model is built before it is used); each strategy is built on its first
    ``from_type``. Registering twice changes nothing, so a strategy registered since by the user stays.
    The ``hypothesis`` entry point does the same in every hypothesis run. Empty when powertools is missing.
    """
    try:
        importlib.import_module(_type_registry.MODELS_PACKAGE)
    except ImportError:
        return []
    _type_registry.install(st.register_type_strategy)
    return sorted({s.model for s in _sources.SOURCES.values() if s.model is not None})
