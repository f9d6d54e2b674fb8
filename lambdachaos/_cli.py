"""The ``lambdachaos`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _demo(args: argparse.Namespace) -> int:
    from lambdachaos._demo import run_demo

    return run_demo(seed=args.seed, out=sys.stdout, ledger_path=args.ledger)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lambdachaos`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["events"]:
        from lambdachaos.generators._cli import events_main

        code: int = events_main(argv[1:])
        return code
    parser = argparse.ArgumentParser(
        prog="lambdachaos",
        description="Chaos testing for AWS Lambda on a deterministic virtual clock.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the bundled chaos scenario and print its timeline")
    demo.add_argument("--seed", type=int, default=0, help="simulation seed (default 0)")
    demo.add_argument("--ledger", metavar="FILE", help="also write the ledger JSON to FILE")
    demo.set_defaults(func=_demo)
    sub.add_parser("events", help="print generated Lambda events (see 'lambdachaos events --help')")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
