"""Errors that teach: a wrong name gets the closest right one, a stopped service says how to start it."""

from __future__ import annotations

import pytest

from lambdachaos import Sim
from lambdachaos._cli import main


def test_an_unknown_event_source_suggests_the_closest_names_instead_of_listing_all(capsys):
    from lambdachaos.generators import _sources

    total = len(_sources.SOURCES)
    assert total > 100
    assert main(["events", "sqss"]) == 2
    err = capsys.readouterr().err
    assert err == ("lambdachaos events: error: unknown event source 'sqss'; did you mean 'sqs' or 's3-sqs' or "
                   f"'sns'? 'lambdachaos events --list' shows all {total}\n")
    assert main(["events", "nosuch"]) == 2
    assert capsys.readouterr().err == (
        f"lambdachaos events: error: unknown event source 'nosuch'; 'lambdachaos events --list' shows all {total}\n")


def test_importing_a_fault_by_its_kind_names_the_class():
    with pytest.raises(ImportError, match=r"^lambdachaos.faults has no 'Timeout': the 'timeout' fault is the class "
                                          r"InvocationTimeout \(from lambdachaos.faults import InvocationTimeout\)$"):
        from lambdachaos.faults import Timeout  # noqa: F401
    with pytest.raises(ImportError, match=r"'Egresloss'.*class EgressLoss"):
        from lambdachaos.faults import Egresloss  # noqa: F401
    import lambdachaos.faults as faults

    assert not hasattr(faults, "__wrapped__")
    with pytest.raises(AttributeError, match=r"has no attribute 'Zebra'; fault classes: AccountConcurrencyExhausted"):
        faults.Zebra  # noqa: B018


def test_an_unknown_fault_kind_suggests_the_closest():
    from lambdachaos.faults import Fault, FaultPlanError

    with pytest.raises(FaultPlanError, match=r"^fault kind='timout' is unknown; did you mean 'timeout'\? valid"):
        Fault.from_dict({"kind": "timout"})


def test_ledger_lookups_suggest_the_closest_id_and_field():
    with Sim(seed=1) as sim:
        fn = sim.function(lambda e, c: None, name="f")
        rid = fn.invoke_async({})
        sim.run()
        with pytest.raises(KeyError, match=rf"did you mean '{rid}'\? 1 known"):
            sim.ledger.fate(rid[:-1] + "x")
        with pytest.raises(TypeError, match=r"unknown attempt field\(s\) \['outcom'\]; did you mean outcome\?"):
            sim.ledger.filter(outcom="success")


def test_localstack_status_says_how_to_start_it(capsys, monkeypatch):
    from lambdachaos.targets import _ls_cli

    monkeypatch.setattr(_ls_cli.m, "status", lambda: None)
    assert main(["localstack", "status"]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("LocalStack is not running (state: ")
    assert last.endswith("); start it with: lambdachaos localstack up --fast")
