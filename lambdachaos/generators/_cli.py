"""``lambdachaos events``: print generated Lambda events as JSON.

Usage::

    lambdachaos events --list
    lambdachaos events SOURCE [--count N] [--seed S] [--body-schema FILE]

For a batching source (SQS, Kinesis, DynamoDB Streams...) the output is one event with N records; for any
other source N=1 prints the event itself and N>1 a JSON array of N events. The same arguments always print the
same bytes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from lambdachaos._errors import ConfigError

from . import _sources

DEFAULT_SEED = 0
MAX_COUNT = 10_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambdachaos events",
        description="Print a realistic AWS Lambda event as JSON (deterministic for a given seed).",
    )
    parser.add_argument("source", nargs="?", help="event source name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the source names and exit")
    parser.add_argument(
        "--count",
        "-n",
        type=int,
        default=1,
        help=f"records in the batch (batching sources) or number of events, 1 to {MAX_COUNT} (default: 1)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--body-schema",
        type=Path,
        metavar="FILE",
        help="JSON Schema file (.json, or .yaml with pyyaml) shaping the bodies",
    )
    return parser


def _load_schema(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            yaml = importlib.import_module("yaml")
        except ImportError as exc:
            raise ConfigError(f"--body-schema {path} is YAML; PyYAML is missing: pip install 'pyyaml>=6'") from exc
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ConfigError(f"--body-schema {path} must hold a JSON Schema object, got {type(data).__name__}")
    return data


def events_main(argv: list[str] | None = None) -> int:
    """Run ``lambdachaos events`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.list:
        sys.stdout.write("".join(f"{name}\n" for name in _sources.SOURCES))
        return 0
    if args.source is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write("lambdachaos events: error: give a SOURCE, or --list to see them\n")
        return 2
    if not 1 <= args.count <= MAX_COUNT:
        sys.stderr.write(f"lambdachaos events: error: --count {args.count} is out of range; pass 1 to {MAX_COUNT}\n")
        return 2
    try:
        source = _sources.get(args.source)
        schema = _load_schema(args.body_schema) if args.body_schema else None
        out = source.build(count=args.count, seed=args.seed, payload=schema)
    except (ConfigError, OSError, json.JSONDecodeError) as exc:
        sys.stderr.write(f"lambdachaos events: error: {exc}\n")
        return 2
    sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(events_main())
