"""A fate is packed into an int only when its fields fit: anything else is kept as the Fate itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdachaos import Sim
from lambdachaos.ledger._entries import Fate, FateStatus


@pytest.mark.parametrize("attempts", [-1, 0, 4095, 4096])
def test_a_settled_fate_reads_back_as_given_whatever_its_attempt_count(attempts: int) -> None:
    with Sim(seed=1) as sim:
        sim.ledger.settle(Fate(event_id="e", status=FateStatus.SUCCEEDED, at_ns=5_000, attempts=attempts))
        fate = sim.ledger.fate("e")
        assert (fate.status, fate.at_ns, fate.attempts) == (FateStatus.SUCCEEDED, 5_000, attempts)


@pytest.mark.parametrize("attempts", [True, 2.5, 10**30])
def test_a_kept_fate_with_an_odd_attempt_count_exports_as_its_dict_does(attempts: object) -> None:
    with Sim(seed=1) as sim:
        sim.ledger.settle(Fate(event_id="e", status=FateStatus.DEAD_LETTERED, at_ns=7, attempts=attempts,  # type: ignore[arg-type]
                               condition="maxReceiveCount", destinations=("arn:dlq",)))
        assert sim.ledger.to_json() == json.dumps(sim.ledger.to_dict(), sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("attempts", [True, 2.5])
def test_a_plain_fate_with_an_odd_attempt_count_is_kept_as_given(attempts: object) -> None:
    with Sim(seed=1) as sim:
        sim.ledger.settle(Fate(event_id="e", status=FateStatus.SUCCEEDED, at_ns=5_000, attempts=attempts))  # type: ignore[arg-type]
        fate = sim.ledger.fate("e")
        assert (fate.status, fate.at_ns, type(fate.attempts), fate.attempts) == (
            FateStatus.SUCCEEDED, 5_000, type(attempts), attempts)
        assert sim.ledger.to_json() == json.dumps(sim.ledger.to_dict(), sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("attempts", [True, 2.5, 3])
def test_a_streamed_plain_fate_line_is_json_whatever_its_attempt_count(attempts: object, tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with Sim(seed=1, ledger="stream", ledger_path=str(path)) as sim:
        sim.ledger.settle(Fate(event_id="e", status=FateStatus.SUCCEEDED, at_ns=5_000, attempts=attempts))  # type: ignore[arg-type]
    fates = [json.loads(line) for line in path.read_text().splitlines() if '"type":"fate"' in line]
    assert [(f["event_id"], f["attempts"], type(f["attempts"])) for f in fates] == [("e", attempts, type(attempts))]
