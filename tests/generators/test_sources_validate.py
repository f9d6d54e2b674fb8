"""Every source and variant validates against its powertools parser model and the section 11 invariants."""

from __future__ import annotations

import pytest

from lambdachaos.generators import SOURCES, _sources

from .invariants import check_event

models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")

NAMES = sorted(SOURCES)


@pytest.mark.parametrize("name", NAMES)
def test_every_source_validates_against_its_powertools_model_and_invariants(name):
    source = _sources.get(name)
    for seed in range(8):
        event = source.build(count=1 + seed % 4, seed=seed)
        check_event(name, event)
        if source.model is not None:
            for e in event if isinstance(event, list) else [event]:
                getattr(models, source.model).model_validate(e)


def test_sources_without_a_model_say_why():
    for source in SOURCES.values():
        assert source.model is not None or source.model_note


def test_multi_value_alb_events_are_rejected_by_powertools_though_aws_sends_them():
    # Section 11 "sample-corpus traps": AlbModel requires `headers`; in multi-value mode AWS sends
    # only multiValueHeaders, so this variant is checked against the fact sheet instead.
    from pydantic import ValidationError

    event = SOURCES["alb-multi-value"].build(seed=1)
    with pytest.raises(ValidationError):
        models.AlbModel.model_validate(event)
    check_event("alb-multi-value", event)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_invariants_hold_over_many_seeds(name):
    source = _sources.get(name)
    for seed in range(100, 140):
        check_event(name, source.build(count=1 + seed % 7, seed=seed))
