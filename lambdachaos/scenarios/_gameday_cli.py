"""``lambdachaos run SCENARIO --target aws``: the plan (default), ``--apply`` after a pre-flight, ``--fis``.

Exit codes: 0 the plan was printed, or the game day ran and every expectation held; 1 an expectation failed, was
not evaluated, or a restore failed; 2 bad options, or a pre-flight problem (nothing was changed); 130 interrupted
(every change made so far was restored).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from lambdachaos.faults import FaultPlanError
from lambdachaos.scenarios import _coverage
from lambdachaos.scenarios._gameday import Clients, Journal, _faulted_functions, apply, plan, restore_journal, survey
from lambdachaos.scenarios._gameday_check import PreflightError, identity, preflight, resolve_region
from lambdachaos.scenarios._model import Scenario

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130


def fis_template(scenario: Scenario, *, role_arn: str, function_arns: list[str], subnet_arns: Sequence[str] = (),
                 subnet_tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The scenario's fault plan as an FIS experiment template, with what FIS cannot express."""
    from lambdachaos.faults import to_fis_template

    export = to_fis_template(scenario.faults, role_arn=role_arn, function_arns=function_arns,
                             subnet_arns=list(subnet_arns), subnet_tags=subnet_tags,
                             description=f"lambdachaos scenario {scenario.name}")
    return {"template": export.template, "unsupported": [list(u) for u in export.unsupported]}


def _function_arns(scenario: Scenario, args: argparse.Namespace, region: str) -> list[str]:
    given = dict(a.split("=", 1) for a in args.function_arn if "=" in a)
    missing = [n for n in _faulted_functions(scenario) if n not in given]
    if missing and not args.account:
        raise PreflightError(f"--fis needs the ARN of function(s) {', '.join(missing)}: pass --function-arn NAME=ARN, "
                             f"or --account ID to build arn:aws:lambda:{region}:ID:function:NAME")
    return [given.get(n) or f"arn:aws:lambda:{region}:{args.account}:function:{n}"
            for n in _faulted_functions(scenario)]


def _fis(scenario: Scenario, args: argparse.Namespace, region: str, out: TextIO) -> None:
    if not args.role_arn:
        raise PreflightError("--fis needs --role-arn (the FIS experiment role)")
    tags = dict(t.split("=", 1) for t in args.subnet_tag if "=" in t) or None
    try:
        doc = fis_template(scenario, role_arn=args.role_arn, function_arns=_function_arns(scenario, args, region),
                           subnet_arns=list(args.subnet_arn), subnet_tags=tags)
    except FaultPlanError as exc:
        raise PreflightError(f"--fis: {exc}") from None
    Path(args.fis).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    out.write(f"FIS experiment template written to {args.fis} ({len(doc['unsupported'])} rule(s) FIS cannot "
              "express fully)\n" + "".join(f"  {rid}: {why}\n" for rid, why in doc["unsupported"]))


def _confirm(p: Any, args: argparse.Namespace, out: TextIO) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise PreflightError("--apply changes a real account: confirm in a terminal, or pass --yes")
    out.write(f"apply {len(p.changes)} change(s) to account {p.account} in {p.region}? [y/N] ")
    out.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def gameday_from_args(scenario: Scenario, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``lambdachaos run SCENARIO --target aws``: print the plan (default) or ``--apply`` it; ``--fis``."""
    try:
        import boto3

        session = boto3.session.Session()
        region = resolve_region(scenario, getattr(args, "region", None), session)
        clients = Clients(region=region, session=session)
        if getattr(args, "restore", None):
            return EXIT_FAILED if restore_journal(args.restore, clients, out) else EXIT_OK
        if args.fis:
            _fis(scenario, args, region, out)
        p = plan(scenario, seed=args.seed, region=region)
        blocked = _coverage.blocking(scenario, "aws")
        if args.dry_run:
            out.write(survey(p, scenario, clients).render())
            for rid, line, why in blocked:
                out.write(f"NOT EVALUATED: fault {rid} (line {line}) cannot fire on aws: {why}\n")
            return EXIT_OK
        account, caller = preflight(scenario, clients)
        p.account = f"{account} ({caller})"
        out.write(f"pre-flight passed: account {p.account}, region {region}, {len(p.changes)} change(s)\n")
        if not _confirm(p, args, out):
            err.write("not confirmed: nothing was changed\n")
            return EXIT_REFUSED
    except PreflightError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_REFUSED
    journal = Journal(getattr(args, "journal", None) or f"gameday-{scenario.name}.journal.json",
                      scenario=scenario.name, account=str(account), region=region)
    out.write(f"journal: {journal.path} (finish a broken restore with --restore {journal.path})\n")
    try:
        results = apply(p, clients, out=out, speed=args.speed or 1.0, scenario=scenario,
                        wait_seconds=getattr(args, "wait", None) or 300.0, journal=journal)
    except KeyboardInterrupt:
        err.write("interrupted: every change made so far was restored\n")
        return EXIT_INTERRUPTED
    return EXIT_FAILED if results["errors"] or results.get("verdict", "passed") != "passed" else EXIT_OK


__all__ = ["fis_template", "gameday_from_args", "identity"]
