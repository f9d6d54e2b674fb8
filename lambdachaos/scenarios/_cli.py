"""``lambdachaos run``, ``lambdachaos replay`` and ``lambdachaos gameday``.

Exit codes of ``run``: 0 every expectation held; 1 an expectation failed; 2 the command line or the
scenario file is invalid (every problem is printed as ``file:line:column: path: message``); 3 the target
cannot run here.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_UNAVAILABLE = 3


def _scenario_path(name: str) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    from lambdachaos.scenarios import bundled, bundled_names

    try:
        return bundled(name)
    except FileNotFoundError:
        names = bundled_names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise FileNotFoundError(f"{name}: no such scenario file, nor a bundled scenario of that name; {hint}"
                                f"bundled scenarios: {', '.join(names)}") from None


def _save(source: Path, target: str, name: str, out: TextIO, err: TextIO) -> int:
    dest = Path(target)
    if dest.exists():
        err.write(f"error: --save {target}: the file exists; choose another name\n")
        return EXIT_INVALID
    try:
        dest.write_bytes(source.read_bytes())
    except OSError as exc:
        err.write(f"error: --save {target}: {exc.strerror or exc}\n")
        return EXIT_INVALID
    out.write(f"saved scenario {name} to {target}; edit it, then run: lambdachaos run {target}\n")
    return EXIT_OK


def run_parser() -> argparse.ArgumentParser:
    """The ``lambdachaos run`` argument parser."""
    p = argparse.ArgumentParser(prog="lambdachaos run", description="Run a scenario file and check its expectations.")
    p.add_argument("scenario", help="scenario YAML file, or the name of a bundled scenario")
    p.add_argument("--target", choices=("sim", "localstack", "aws"), default=None,
                   help="where to run it (default: the file's target, else sim)")
    p.add_argument("--seed", type=int, default=None, help="simulation seed (default: the file's seed, else 0)")
    p.add_argument("--template", metavar="PATH", default=None,
                   help="load this SAM/CloudFormation/CDK template (replaces the file's template: path)")
    p.add_argument("--report", metavar="OUT.html", help="write the HTML report (timeline and verdicts)")
    p.add_argument("--ledger", metavar="OUT.json", help="write the ledger JSON")
    p.add_argument("--save", metavar="COPY.yaml",
                   help="write a copy of the scenario file (to edit and run as your own) instead of running it")
    p.add_argument("--seeds", metavar="RANGE", help="sweep: run every seed of RANGE (1-1000, 3,7,9) and print one "
                   "merged verdict table (docs/scale.md)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="sweep: run seeds on N processes (default 1)")
    p.add_argument("--ledgers", metavar="DIR", help="sweep: write each seed's ledger to DIR/seed-<n>.json")
    p.add_argument("--timeline", action="store_true",
                   help="print every attempt and delivery in virtual-time order before the verdict")
    p.add_argument("--speed", type=float, default=None, metavar="X",
                   help="pace the run: X virtual seconds per wall second (default: as fast as possible)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", default=True,
                   help="--target aws: print the plan only (the default)")
    p.add_argument("--apply", dest="dry_run", action="store_false",
                   help="--target aws: make the changes, run the game day, then restore everything")
    p.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                   help="--target aws --apply: wait at most this long for results before restoring (default: 300)")
    p.add_argument("--fis", metavar="OUT.json", help="--target aws: also write the FIS experiment template")
    p.add_argument("--role-arn", default=None, help="--target aws: the FIS experiment role ARN for --fis")
    p.add_argument("--function-arn", action="append", default=[], metavar="NAME=ARN",
                   help="--target aws: the deployed ARN of a scenario function (repeatable)")
    p.add_argument("--region", default=None, help="--target aws: the region (default: the scenario's "
                   "settings.region, else the AWS session's: AWS_REGION, AWS_DEFAULT_REGION or the profile)")
    p.add_argument("--account", default=None, metavar="ID",
                   help="--target aws --fis: build function ARNs in this account (instead of --function-arn)")
    p.add_argument("--subnet-arn", action="append", default=[], metavar="ARN",
                   help="--target aws --fis: a subnet of the function's VPC, for egress faults (repeatable)")
    p.add_argument("--subnet-tag", action="append", default=[], metavar="KEY=VALUE",
                   help="--target aws --fis: select the subnets by tag instead of --subnet-arn")
    p.add_argument("--yes", action="store_true", help="--target aws --apply: do not ask for confirmation")
    p.add_argument("--journal", default=None, metavar="FILE",
                   help="--target aws --apply: where to record each change and the value before it "
                   "(default: gameday-<scenario>.journal.json)")
    p.add_argument("--restore", default=None, metavar="JOURNAL",
                   help="--target aws: put back every change a journal records as not yet restored")
    return p


def run_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of ``lambdachaos run``; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = run_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_INVALID if exc.code else EXIT_OK
    from lambdachaos.scenarios import ScenarioError, load_scenario

    try:
        source = _scenario_path(args.scenario)
    except FileNotFoundError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_INVALID
    if args.save:
        return _save(source, args.save, args.scenario, out, err)
    try:
        scenario = load_scenario(source, template=args.template)
    except FileNotFoundError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_INVALID
    except ScenarioError as exc:
        err.write(f"{len(exc.issues)} problem(s) in the scenario file:\n{exc}\n")
        return EXIT_INVALID
    from lambdachaos.scenarios._outputs import output_problem

    problems = [problem for option, path in (("--ledger", args.ledger), ("--report", args.report))
                if path is not None and (problem := output_problem(option, path)) is not None]
    if problems:
        err.write("".join(f"error: {problem}\n" for problem in problems))
        return EXIT_INVALID
    target = args.target or scenario.target
    if args.speed is not None and args.speed <= 0:
        err.write(f"error: --speed={args.speed} must be greater than 0\n")
        return EXIT_INVALID
    if args.seeds is not None or args.jobs is not None or args.ledgers is not None:
        if args.seeds is None or target != "sim":
            err.write("error: --jobs and --ledgers go with --seeds, and a sweep runs on --target sim\n")
            return EXIT_INVALID
        from lambdachaos.scenarios._sweep_run import sweep_main

        return sweep_main(scenario, _scenario_path(args.scenario), args, out, err)
    if target == "localstack":
        return _localstack(scenario, args, out, err)
    if target == "aws":
        from lambdachaos.scenarios._gameday_cli import gameday_from_args

        return gameday_from_args(scenario, args, out, err)
    return _run_sim(scenario, args, out, err)


def _run_sim(scenario: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from lambdachaos.scenarios import ScenarioError, run_scenario
    from lambdachaos.scenarios import _report as report

    fancy = out.isatty() and importlib.util.find_spec("rich") is not None
    try:
        if fancy:
            result = _run_with_rich(scenario, args)
        else:
            result = run_scenario(scenario, seed=args.seed, speed=args.speed, progress=_plain_progress(out))
    except ScenarioError as exc:
        err.write(f"{exc}\n")
        return EXIT_INVALID
    written: list[tuple[str, str]] = []

    def write_report(result: Any, path: str) -> None:
        report.write_html(result, path, ledger_path=args.ledger)

    for what, path, write in (("ledger", args.ledger, report.write_ledger), ("report", args.report, write_report)):
        if path:
            try:
                write(result, path)
                written.append((what, path))
            except OSError as exc:
                err.write(f"error: the {what} could not be written to {path}: {exc.strerror or exc}\n")
    if args.timeline:
        out.write("timeline (virtual time):\n")
        for line in result.sim.ledger.timeline():
            out.write(f"  {line}\n")
    if fancy:
        from rich.console import Console

        report.write_rich(result, Console(file=out))
    else:
        report.write_text(result, out)
    for what, path in written:
        out.write(f"{what} written to {path}\n")
    code: int = result.exit_code
    return code if len(written) == bool(args.ledger) + bool(args.report) else EXIT_INVALID


def _plain_progress(out: TextIO) -> Any:
    marks = {25, 50, 75, 100}
    shown: set[int] = set()

    def show(p: Any) -> None:
        pct = 100 if not p.total else p.sent * 100 // p.total
        due = [m for m in marks if m <= pct and m not in shown]
        if due:
            shown.update(due)
            last = "" if p.last_sent_at is None else f", the latest at t={p.last_sent_at:.1f} s"
            out.write(f"by virtual t={p.now:.1f} s: {p.sent} of {p.total} record(s) sent{last}\n")
        if p.done:
            out.write(f"settled at virtual t={p.now:.1f} s: nothing left to happen\n")

    return show


def _run_with_rich(scenario: Any, args: argparse.Namespace) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn

    from lambdachaos.scenarios import run_scenario

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}")) as bar:
        traffic = bar.add_task("traffic", total=None, info="")
        clock = bar.add_task("virtual time", total=None, info="")

        def show(p: Any) -> None:
            bar.update(traffic, total=p.total, completed=p.sent, info=f"{p.sent}/{p.total}")
            bar.update(clock, info=f"t={p.now:.1f} s" + (" settled" if p.done else ""),
                       completed=1 if p.done else 0, total=1 if p.done else None)

        return run_scenario(scenario, seed=args.seed, speed=args.speed, progress=show)


def _localstack(scenario: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if importlib.util.find_spec("lambdachaos.targets._ls_scenario") is None:
        err.write("error: the localstack target is not available in this build: lambdachaos.targets._ls_scenario "
                  "is not installed; run with --target sim\n")
        return EXIT_UNAVAILABLE
    from lambdachaos.targets._ls_install import LocalStackError
    from lambdachaos.targets._ls_scenario import run_scenario

    try:
        return run_scenario(scenario, seed=args.seed, report=args.report, ledger=args.ledger, out=out,
                            speed=args.speed, err=err)
    except LocalStackError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_UNAVAILABLE


def replay_parser() -> argparse.ArgumentParser:
    """The ``lambdachaos replay`` argument parser."""
    p = argparse.ArgumentParser(prog="lambdachaos replay", description="Inspect and anonymise recorded events.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ins = sub.add_parser("inspect", help="detect the format, count the items and show the replay schedule")
    ins.add_argument("file")
    ins.add_argument("--format", default="auto")
    ins.add_argument("--timing", choices=("preserve", "compress", "fast"), default="preserve")
    ins.add_argument("--factor", type=float, default=1.0)
    ins.add_argument("--show", type=int, default=5, help="schedule lines to print (default 5)")
    an = sub.add_parser("anonymise", help="replace personal fields with consistent fake values")
    an.add_argument("file")
    an.add_argument("--field", action="append", required=True, metavar="PATH[:KIND]",
                    help="dotted path (* matches any key or item), optional fake-value kind; repeatable")
    an.add_argument("--seed", type=int, default=0)
    an.add_argument("--out", metavar="OUT.jsonl", help="write here (default: stdout)")
    return p


def replay_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of ``lambdachaos replay``; returns the exit code (0, or 2 for a bad file or option)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = replay_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_INVALID if exc.code else EXIT_OK
    from lambdachaos._errors import LambdaChaosError
    from lambdachaos.scenarios import _replay
    from lambdachaos.scenarios._anonymise import anonymise_counted

    try:
        if args.command == "inspect":
            fmt, items = _replay.read(args.file, args.format)
            placed = _replay.place(items, timing=args.timing, factor=args.factor)
            span = placed[-1][0] if placed else 0.0
            out.write(f"{args.file}: {len(items)} item(s), format {fmt}, {args.timing} timing spans {span:.3f} s\n")
            for at, item in placed[: args.show]:
                out.write(f"  t={at:10.3f} s  {item.kind}  {json.dumps(item.meta, sort_keys=True, default=str)}\n")
            return EXIT_OK
        items = _replay.load_items(args.file)
        lines, total = [], 0
        for item in items:
            new, n = anonymise_counted(item, args.field, seed=args.seed)
            total += n
            lines.append(json.dumps(new, sort_keys=True))
        text = "".join(line + "\n" for line in lines)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
            err.write(f"{total} value(s) replaced in {len(items)} item(s); written to {args.out}\n")
        else:
            out.write(text)
        return EXIT_OK
    except (LambdaChaosError, OSError, ValueError) as exc:
        err.write(f"error: {exc}\n")
        return EXIT_INVALID


DEMO_INTRO = """\
lambdachaos demo: what happens to an order when the payment provider is down?
  An order handler is invoked asynchronously and fails every time. Lambda will retry it twice
  (at 60 s and 180 s of virtual time; no real waiting), then put the event in the dead-letter
  queue and send an invocation record to the on-failure destination.
  Scenario file: {path}

"""

DEMO_OUTRO = """
Why it matters: without the dead-letter queue this order would have been dropped without a trace after
  180 s. Alarm on the DLQ's ApproximateNumberOfMessagesVisible and on the function's AsyncEventsDropped
  metric; a message in the DLQ is an order a customer is still waiting for.
Make it yours: lambdachaos run async-dlq --save my-scenario.yaml, edit it, then
  lambdachaos run my-scenario.yaml --report report.html
"""


def demo_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``lambdachaos demo [--seed N] [--report F] [--ledger F]``: run the bundled ``async-dlq`` scenario
    with its timeline (a failing async function retried at 60 s and 180 s, then dead-lettered), saying first
    what is about to happen and at the end why it matters and how to copy the scenario."""
    out = out or sys.stdout
    from lambdachaos.scenarios import bundled

    out.write(DEMO_INTRO.format(path=bundled("async-dlq")))
    code = run_main(["async-dlq", "--timeline", *argv], out=out, err=err)
    if code in (EXIT_OK, EXIT_FAILED):
        out.write(DEMO_OUTRO)
    return code
