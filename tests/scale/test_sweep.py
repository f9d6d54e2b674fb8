"""Sweeps: ``lambdachaos.sweep`` as pytest parametrization (serial and under pytest-xdist) and
``lambdachaos run --seeds --jobs``; failing seeds are reported the same way every time."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lambdachaos
from lambdachaos._errors import ConfigError
from lambdachaos._sweep import parse_seeds
from lambdachaos.faults import FaultPlan, InvocationError, When
from lambdachaos.scenarios import load_scenario, run_scenario
from lambdachaos.scenarios._cli import run_main
from lambdachaos.scenarios._sweep_run import run_seed

FLAKY = Path(__file__).parent / "data" / "flaky.yaml"
ROOT = Path(__file__).resolve().parents[2]


def test_seed_ranges() -> None:
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("3,7, 9-10,7") == [3, 7, 9, 10]
    with pytest.raises(ConfigError, match=r"--seeds='1-x': '1-x' is not a seed or a range like 1-1000"):
        parse_seeds("1-x")
    with pytest.raises(ConfigError, match="the range 9-3 ends before it starts"):
        parse_seeds("9-3")


def test_sweep_cases_and_ids() -> None:
    plan = FaultPlan.of(InvocationError(), when=When(invocation_percentage=50))
    cases = lambdachaos.sweep(seeds=range(3), plans={"none": None, "flaky": plan}).cases
    assert [c.id for c in cases] == ["seed=0-plan=none", "seed=1-plan=none", "seed=2-plan=none",
                                     "seed=0-plan=flaky", "seed=1-plan=flaky", "seed=2-plan=flaky"]
    assert cases[3].plan is plan
    assert [c.id for c in lambdachaos.sweep(seeds=[5, 9])] == ["seed=5", "seed=9"]
    with pytest.raises(ConfigError, match="a sweep needs one or more integer seeds"):
        lambdachaos.sweep(seeds=["1"])  # type: ignore[list-item]


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_main([str(FLAKY), *argv], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_cli_sweep_merges_verdicts_and_names_the_failing_seeds(tmp_path: Path) -> None:
    expected_failing = [s for s in range(1, 9) if not all(v[2] for v in run_seed(str(FLAKY), s, None)[1])]
    assert 0 < len(expected_failing) < 8  # the fault fires on some seeds only
    code, text = _cli("--seeds", "1-8", "--jobs", "2", "--ledgers", str(tmp_path))
    assert code == 1
    lines = text.splitlines()
    assert lines[0] == "sweep flaky-orders: 8 seeds (1-8) on 2 job(s)"
    seeds = ", ".join(map(str, expected_failing))
    assert lines[1] == f"  FAILED  every order is charged         {len(expected_failing)}/8  seeds {seeds}"
    assert lines[2] == "  ok      at most one attempt per order  0/8"
    assert lines[3] == (f"{8 - len(expected_failing)} of 8 seeds passed; rerun one: lambdachaos run {FLAKY} "
                        f"--seed {expected_failing[0]} --timeline")
    # one process gives the same table; each seed's ledger is the one a single run writes
    code_serial, serial = _cli("--seeds", "1-8")
    assert code_serial == 1
    assert serial.splitlines()[1:4] == lines[1:4]
    single = run_scenario(load_scenario(FLAKY), seed=expected_failing[0]).sim.ledger.to_json()
    assert (tmp_path / f"seed-{expected_failing[0]}.json").read_text(encoding="utf-8") == single
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"seed-{s}.json" for s in range(1, 9))


def test_cli_sweep_refuses_bad_arguments() -> None:
    assert _cli("--seeds", "5-1") == (2, "error: --seeds='5-1': the range 5-1 ends before it starts\n")
    assert _cli("--seeds", "1-3", "--jobs", "0") == (
        2, "error: --jobs=0 must be at least 1 (processes running seeds at once)\n")
    assert _cli("--jobs", "2")[0] == 2
    assert _cli("--seeds", "1-2", "--ledger", "x.json")[0] == 2


SWEPT = '''
import lambdachaos
from lambdachaos import Sim
from lambdachaos.faults import FaultPlan, InvocationError, When

FLAKY = FaultPlan.of(InvocationError(), when=When(invocation_percentage=40))


@lambdachaos.sweep(seeds=range(24), plans={"flaky": FLAKY})
def test_order_is_charged(seed, plan):
    with Sim(seed=seed) as sim:
        sim.apply_faults(plan)
        fn = sim.function(lambda event, context: "ok", name="orders", maximum_retry_attempts=0)
        request_id = fn.invoke_async({"order": 1})
        sim.run()
        assert sim.ledger.fate(request_id).status == "succeeded"
'''


def _pytest(path: Path, *extra: str, target: str | None = None) -> tuple[set[str], str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           *extra, target or str(path)], capture_output=True, text=True, cwd=str(path.parent),
                          timeout=300)
    failed = set(re.findall(r"FAILED \S*::(test_order_is_charged\[[^\]]+\])", proc.stdout))
    return failed, proc.stdout


def test_pytest_sweep_under_xdist_reports_the_same_failing_seeds_as_a_serial_run(tmp_path: Path) -> None:
    path = tmp_path / "test_swept.py"
    path.write_text(SWEPT, encoding="utf-8")
    serial, serial_out = _pytest(path, "-p", "no:xdist")
    spread, spread_out = _pytest(path, "-n", "2")
    assert "bringing up nodes" in spread_out  # pytest-xdist ran it
    assert serial == spread
    assert 0 < len(serial) < 24, serial_out
    seeds = sorted(int(re.search(r"seed=(\d+)", n).group(1)) for n in serial)  # type: ignore[union-attr]
    assert all(re.fullmatch(r"test_order_is_charged\[seed=\d+-plan=flaky\]", n) for n in serial)
    for out in (serial_out, spread_out):
        summary = out.split("lambdachaos sweep: failing seeds", 1)[1]
        listed = re.search(r"test_order_is_charged: (\d+) failing case\(s\): seed (.*)", summary)
        assert listed is not None
        assert int(listed.group(1)) == len(seeds)
        assert [int(s.split()[0]) for s in listed.group(2).split(", ")] == seeds
    rerun, rerun_out = _pytest(path, "-p", "no:xdist",
                               target=f"{path}::test_order_is_charged[seed={seeds[0]}-plan=flaky]")
    assert rerun == {f"test_order_is_charged[seed={seeds[0]}-plan=flaky]"}, rerun_out
