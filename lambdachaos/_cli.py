"""The ``lambdachaos`` command line."""

from __future__ import annotations

import argparse
import difflib
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
    if argv[:1] == ["template"]:
        from lambdachaos.templates._cli import template_main

        code = template_main(argv[1:])
        return code
    if argv[:1] == ["events"]:
        from lambdachaos.generators._cli import events_main

        hint = _unknown_source(argv[1:])
        if hint is not None:
            sys.stderr.write(hint)
            return 2
        code = events_main(argv[1:])
        return code
    from lambdachaos._version import version

    parser = argparse.ArgumentParser(
        prog="lambdachaos",
        description="Chaos testing for AWS Lambda on a deterministic virtual clock.",
    )
    parser.add_argument("--version", action="version", version=f"lambdachaos {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("demo", help="run the bundled chaos scenario and print its timeline")
    sub.add_parser("events", help="print generated Lambda events (see 'lambdachaos events --help')")
    sub.add_parser("run", help="run a scenario file (see 'lambdachaos run --help')")
    sub.add_parser("localstack", help="install, start and stop the pinned LocalStack (up|down|status|logs)")
    sub.add_parser("replay", help="inspect or anonymise recorded events (see 'lambdachaos replay --help')")
    sub.add_parser("template", help="inspect how a SAM/CloudFormation/CDK template loads (template inspect PATH)")
    parser.parse_args(argv)
    parser.print_help()
    return 2


def _unknown_source(argv: list[str]) -> str | None:
    """The error for ``lambdachaos events NAME`` with an unknown NAME: the closest names, not all of them."""
    from lambdachaos.generators import _sources  # type: ignore[import-not-found, unused-ignore]
    from lambdachaos.generators._cli import _parser  # type: ignore[import-not-found, unused-ignore]

    try:
        args, _ = _parser().parse_known_args(argv)
    except SystemExit:
        return None
    name = getattr(args, "source", None)
    names = list(_sources.SOURCES)
    if name is None or getattr(args, "list", False) or name in names:
        return None
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if n.startswith(name) and n not in close][: 3 - len(close)]
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return (f"lambdachaos events: error: unknown event source {name!r}; {hint}"
            f"'lambdachaos events --list' shows all {len(names)}\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
