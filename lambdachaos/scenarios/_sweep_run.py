"""``lambdachaos run SCENARIO --seeds 1-1000 --jobs N``: one scenario over many seeds, on N processes, with one
merged verdict table (which seeds failed which expectation) and, on request, one ledger file per seed."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from lambdachaos._errors import ConfigError
from lambdachaos._sweep import parse_seeds

_SCENARIOS: dict[str, Any] = {}
SeedResult = tuple[int, list[tuple[str, int, bool, str]]]


def run_seed(path: str, seed: int, ledgers: str | None) -> SeedResult:
    """Run the scenario file at ``path`` with ``seed``: ``(seed, [(expectation, line, passed, observed)])``."""
    from lambdachaos.scenarios import load_scenario, run_scenario

    scenario = _SCENARIOS.get(path)
    if scenario is None:
        scenario = _SCENARIOS[path] = load_scenario(path)
    result = run_scenario(scenario, seed=seed)
    if ledgers is not None:
        result.sim.ledger.write(os.path.join(ledgers, f"seed-{seed}.json"))
    return seed, [(v.name, v.line, v.passed, v.observed) for v in result.verdicts]


def _chunk(args: tuple[str, list[int], str | None]) -> list[SeedResult]:
    path, seeds, ledgers = args
    return [run_seed(path, s, ledgers) for s in seeds]


def run_sweep(path: str, seeds: list[int], jobs: int, ledgers: str | None = None) -> list[SeedResult]:
    """Every seed's verdicts, sorted by seed (the same whatever ``jobs`` is)."""
    if jobs <= 1 or len(seeds) == 1:
        return [run_seed(path, s, ledgers) for s in seeds]
    size = max(1, min(50, len(seeds) // (jobs * 4)))
    chunks = [(path, seeds[i:i + size], ledgers) for i in range(0, len(seeds), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = [r for part in pool.map(_chunk, chunks) for r in part]
    return sorted(results)


def verdict_table(name: str, results: list[SeedResult]) -> list[str]:
    """The merged table: each expectation with how many seeds failed it, and which."""
    rows: dict[tuple[int, str], list[int]] = {}
    for seed, verdicts in results:
        for expectation, line, passed, _ in verdicts:
            failed = rows.setdefault((line, expectation), [])
            if not passed:
                failed.append(seed)
    width = max((len(e) for _, e in rows), default=10)
    out = []
    for (_, expectation), failed in sorted(rows.items()):
        status = "FAILED" if failed else "ok"
        seeds = "" if not failed else "  seeds " + ", ".join(map(str, failed[:20])) + (
            f" ... (+{len(failed) - 20})" if len(failed) > 20 else "")
        out.append(f"  {status:6s}  {expectation:{width}s}  {len(failed)}/{len(results)}{seeds}")
    return out


def sweep_main(scenario: Any, scenario_path: Path, args: Any, out: TextIO, err: TextIO) -> int:
    """Entry of ``lambdachaos run --seeds``; returns the exit code (0 all seeds passed, 1 some failed, 2 bad
    arguments)."""
    try:
        seeds = parse_seeds(args.seeds)
    except ConfigError as exc:
        err.write(f"error: {exc}\n")
        return 2
    jobs = args.jobs if args.jobs is not None else 1
    if jobs < 1:
        err.write(f"error: --jobs={jobs} must be at least 1 (processes running seeds at once)\n")
        return 2
    if args.ledger or args.report or args.timeline:
        err.write("error: --ledger, --report and --timeline describe one run; with --seeds use --ledgers DIR\n")
        return 2
    if args.ledgers is not None:
        Path(args.ledgers).mkdir(parents=True, exist_ok=True)
    results = run_sweep(str(scenario_path), seeds, jobs, args.ledgers)
    failed = [seed for seed, verdicts in results if not all(v[2] for v in verdicts)]
    span = f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else args.seeds
    out.write(f"sweep {scenario.name}: {len(seeds)} seeds ({span}) on {jobs} job(s)\n")
    for line in verdict_table(scenario.name, results):
        out.write(line + "\n")
    out.write(f"{len(seeds) - len(failed)} of {len(seeds)} seeds passed")
    if failed:
        out.write(f"; rerun one: lambdachaos run {args.scenario} --seed {failed[0]} --timeline")
    out.write("\n")
    if args.ledgers is not None:
        out.write(f"ledgers written to {args.ledgers}/seed-<n>.json\n")
    return 1 if failed else 0
