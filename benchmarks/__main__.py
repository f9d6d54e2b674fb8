"""Run every benchmark module and print one JSON object of figures.

Each ``benchmarks/bench_*.py`` exposes ``run() -> {name: {"value", "unit", ["baseline", "ratio"]}}``;
baselines and ratios are measured in the same run. Targets live in ``TARGETS`` and are reported,
not asserted: a figure that misses its target is flagged in the human-readable output.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any

TARGETS: dict[str, tuple[str, float]] = {
    "async_retry_dlq_scenario_ms": ("<=", 5.0),
    "sync_invoke_overhead_ratio": ("<=", 5.0),
    "boto3_invoke_overhead_ratio": ("<=", 1.0),
    "generate_sqs_records_per_s": (">=", 40_000),
    "sqs_esm_records_per_s": (">=", 50_000),
    "kinesis_bisect_10k_s": ("<=", 1.0),
    "esm_overhead_ratio": ("<=", 5.0),
    "process_isolation_invoke_overhead_ratio": ("<=", 20.0),
    "generate_kinesis_records_per_s": (">=", 10_000),
    "scale_sqs_1m_s": ("<=", 15.0),
    "scale_bytes_per_record": ("<=", 1_000),
    "ledger_export_records_per_s": (">=", 500_000),
    "replay_10m_records_per_s": (">=", 100_000),
    "replay_10m_peak_rss_mb": ("<=", 1_500),
    "scale_growth_ratio": ("<=", 1.25),
    "scenario_examples_per_s": (">=", 2_500),
    "template_load_ms": ("<=", 100.0),
    "template_load_cfn_ms": ("<=", 30.0),
    "kafka_esm_records_per_s": (">=", 100_000),
    "kafka_blocked_partition_ratio": (">=", 0.9),
}


def collect(only: list[str] | None = None, *, scale: bool = False) -> dict[str, dict[str, Any]]:
    """Import every bench module (or the named ones) and merge their figures.

    Modules marked ``SCALE = True`` (minutes of work, gigabytes of memory) run only with ``scale``.
    """
    here = Path(__file__).parent
    results: dict[str, dict[str, Any]] = {}
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if getattr(module, "SCALE", False) and not scale:
            continue
        results.update(module.run())
    for name, figure in results.items():
        target = TARGETS.get(name)
        if target is not None:
            op, bound = target
            figure["target"] = f"{op} {bound:g}"
            figure["meets_target"] = figure["value"] <= bound if op == "<=" else figure["value"] >= bound
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--scale", action="store_true",
                        help="also run the scale benchmarks (millions of records; several minutes)")
    parser.add_argument("modules", nargs="*", help="bench module names (default: all)")
    args = parser.parse_args(argv)
    results = collect(args.modules or None, scale=args.scale)
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
    else:
        for name, fig in sorted(results.items()):
            flag = "" if fig.get("meets_target", True) else "  << misses target"
            ratio = f"  (baseline {fig['baseline']:.4g}, ratio {fig['ratio']:.3g})" if "baseline" in fig else ""
            print(f"{name:40s} {fig['value']:>14.4g} {fig['unit']}{ratio}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
