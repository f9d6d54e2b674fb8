"""``lambdachaos template inspect PATH``: load a template into a fresh simulation and print what became of it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambdachaos template", description="Inspect how a SAM, CloudFormation "
                                     "or CDK template loads into the simulation (docs/templates.md).")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    inspect = sub.add_parser("inspect", help="print each resource: simulated, recorded only or skipped, and why")
    inspect.add_argument("path", metavar="PATH", help="template.yaml/.json, a cdk.out folder or *.template.json")
    inspect.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                         help="override a template parameter (repeatable)")
    inspect.add_argument("--code-root", metavar="DIR", help="folder of function code not found from the template")
    inspect.add_argument("--stack", metavar="NAME", help="the stack to load from a cdk.out with several")
    inspect.add_argument("--region", default="us-east-1", help="AWS::Region (default us-east-1)")
    return parser


def template_main(argv: Sequence[str]) -> int:
    """Run ``lambdachaos template ...``; 0 when the template loads, 1 when it cannot, 2 on a usage error."""
    parser = _parser()
    args = parser.parse_args(list(argv))
    parameters = {}
    for item in args.parameter:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--parameter {item!r}: use KEY=VALUE")
        parameters[key] = value
    from lambdachaos import Sim
    from lambdachaos.templates._errors import TemplateError

    try:
        with Sim(region=args.region) as sim:
            load = sim.load_template(args.path, parameters=parameters, code_root=args.code_root, stack=args.stack)
            sys.stdout.write(load.table() + "\n")
    except TemplateError as exc:
        sys.stderr.write(f"lambdachaos template: error: {exc}\n")
        return 1
    return 0
