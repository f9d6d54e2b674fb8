"""The ``lambdachaos`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lambdachaos`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        from lambdachaos.scenarios._cli import run_main

        code: int = run_main(argv[1:])
        return code
    if argv[:1] == ["replay"]:
        from lambdachaos.scenarios._cli import replay_main

        code = replay_main(argv[1:])
        return code
    if argv[:1] == ["demo"]:
        from lambdachaos.scenarios._cli import demo_main

        code = demo_main(argv[1:])
        return code
    if argv[:1] == ["localstack"]:
        from lambdachaos.targets._ls_cli import localstack_main

        code = localstack_main(argv[1:])
        return code
    if argv[:1] == ["events"]:
        from lambdachaos.generators._cli import events_main

        code = events_main(argv[1:])
        return code
    parser = argparse.ArgumentParser(
        prog="lambdachaos",
        description="Chaos testing for AWS Lambda on a deterministic virtual clock.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("demo", help="run the bundled chaos scenario and print its timeline")
    sub.add_parser("events", help="print generated Lambda events (see 'lambdachaos events --help')")
    sub.add_parser("run", help="run a scenario file (see 'lambdachaos run --help')")
    sub.add_parser("localstack", help="install, start and stop the pinned LocalStack (up|down|status|logs)")
    sub.add_parser("replay", help="inspect or anonymise recorded events (see 'lambdachaos replay --help')")
    parser.parse_args(argv)
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
