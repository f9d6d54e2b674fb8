"""What a run leaves behind: the verdict table, the ledger JSON and the HTML report.

The HTML report is the page the pytest plugin writes per test (the same interactive timeline, from
:mod:`lambdachaos.reports`) with the scenario's verdict table added at the top.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from lambdachaos import reports
from lambdachaos.scenarios._outputs import write_atomic

if TYPE_CHECKING:
    from lambdachaos.scenarios._runner import RunResult


def where(result: RunResult, line: int) -> str:
    """``path/to/scenario.yaml:30`` for an expectation's line (the scenario name when it has no file)."""
    path = result.scenario.path
    return f"{path.name if path is not None else result.scenario.name}:{line}"


def source_line(result: RunResult) -> str:
    """Where the scenario came from: its path, or how to copy a bundled one."""
    path = result.scenario.path
    if path is None:
        return f"none ({result.scenario.name} was built in code)"
    if path.parent == Path(__file__).parent and path.stem.startswith("bundled_"):
        name = path.stem.removeprefix("bundled_").replace("_", "-")
        return f"{path.name}, bundled (copy it: lambdachaos run {name} --save my-scenario.yaml)"
    return str(path)


def verdict_rows(result: RunResult) -> list[tuple[str, str, str, str, str]]:
    """``(status, file:line, name, expected, observed)`` per expectation."""
    return [("PASS" if v.passed else "FAIL", where(result, v.line), v.name, v.expected, v.observed)
            for v in result.verdicts]


def causes(result: RunResult, evidence: tuple[str, ...]) -> list[str]:
    """The handler errors behind the records an expectation's evidence names (``Type: message``)."""
    return reports.causes(result.sim.ledger, evidence)


def write_text(result: RunResult, out: TextIO) -> None:
    """The verdict table and a summary as plain text (used when stdout is not a terminal)."""
    s = result.summary()
    out.write(f"scenario {s['scenario']} (seed {s['seed']}): {s['sent']} sent, {s['attempts']} attempts, "
              f"{s['deliveries']} DLQ/destination deliveries, {s['faults']} fault firings, "
              f"{s['virtual_seconds']:.3f} s virtual\n")
    out.write(f"scenario file: {source_line(result)}\n")
    out.write("fates: " + (", ".join(f"{k} {v}" for k, v in s["fates"].items()) or "none") + "\n")
    if result.replay_formats:
        out.write("replayed: " + ", ".join(f"{k} ({v})" for k, v in result.replay_formats.items()) + "\n")
    if not result.verdicts:
        out.write("no expectations: nothing to check\n")
    for status, line, name, expected, observed in verdict_rows(result):
        out.write(f"{status}  {line}  {name}\n        expected {expected}\n        observed {observed}\n")
    for v in result.verdicts:
        if not v.passed:
            out.write(f"evidence for {v.name!r}:\n" + "".join(f"  - {e}\n" for e in v.evidence))
            out.write("".join(f"  cause: {c}\n" for c in causes(result, v.evidence)))
    passed = sum(v.passed for v in result.verdicts)
    out.write(f"verdict: {'PASS' if result.passed else 'FAIL'} ({passed} of {len(result.verdicts)} "
              "expectations held)\n")


def write_rich(result: RunResult, console: Any) -> None:
    """The verdict table with rich (terminal output)."""
    from rich.table import Table

    table = Table(title=f"{result.scenario.name} (seed {result.seed})")
    for col in ("", "where", "expectation", "expected", "observed"):
        table.add_column(col)
    for status, line, name, expected, observed in verdict_rows(result):
        table.add_row(f"[green]{status}[/]" if status == "PASS" else f"[bold red]{status}[/]", line, name,
                      expected, observed)
    console.print(table)
    for v in result.verdicts:
        if not v.passed and v.evidence:
            console.print(f"[red]evidence for {v.name!r}:[/]")
            for e in v.evidence:
                console.print(f"  - {e}", markup=False)
            for c in causes(result, v.evidence):
                console.print(f"  cause: {c}", markup=False)
    s = result.summary()
    console.print(f"fates: {s['fates']}  attempts {s['attempts']}  virtual {s['virtual_seconds']:.1f} s  "
                  f"wall {result.wall_seconds * 1000:.0f} ms", markup=False)
    console.print("[bold green]PASS[/]" if result.passed else "[bold red]FAIL[/]")


def write_ledger(result: RunResult, path: str | Path) -> None:
    """The ledger JSON (byte-identical for the same scenario and seed)."""
    write_atomic(path, result.sim.ledger.to_json())


def _verdict_html(result: RunResult) -> str:
    rows = "".join(
        f"<tr class='{status.lower()}'><td>{status}</td><td>{html.escape(line)}</td><td>{html.escape(name)}</td>"
        f"<td>{html.escape(expected)}</td><td>{html.escape(observed)}</td>"
        f"<td class='cause'>{html.escape('; '.join(causes(result, v.evidence)) if not v.passed else '')}</td></tr>"
        for (status, line, name, expected, observed), v in zip(verdict_rows(result), result.verdicts, strict=True))
    verdict = "PASS" if result.passed else "FAIL"
    failing = [v for v in result.verdicts if not v.passed]
    head = f"{len(failing)} expectation(s) failed" if failing else "every expectation held"
    return (
        "<section id='lambdachaos-verdicts'><style>#lambdachaos-verdicts td,#lambdachaos-verdicts th"
        "{padding:2px 8px;text-align:left}#lambdachaos-verdicts .pass td:first-child{color:#2b8a4b}"
        "#lambdachaos-verdicts .fail td:first-child{color:#c92a2a;font-weight:bold}</style>"
        f"<h2>Scenario {html.escape(result.scenario.name)}: {verdict} ({head})</h2>"
        f"<p>{html.escape(result.scenario.description)}</p>"
        + f"<p>scenario file: <code>{html.escape(source_line(result))}</code></p>"
        + "<table><tr><th></th><th>where</th><th>expectation</th>"
        f"<th>expected</th><th>observed</th><th>cause (handler error)</th></tr>{rows}</table></section>"
    )


def write_html(result: RunResult, path: str | Path, ledger_path: str | Path | None = None) -> None:
    """The HTML report: failing expectations and their causes on top, then the plugin's timeline page.

    It links the ledger JSON only when ``ledger_path`` was written (relative to the page when possible).
    """
    section = _verdict_html(result)
    links: dict[str, str] = {}
    if ledger_path is not None:
        target, page_dir = Path(ledger_path).resolve(), Path(path).resolve().parent
        links["ledger JSON"] = (str(target.relative_to(page_dir)) if target.is_relative_to(page_dir)
                                else target.as_uri())
    page = reports.render_page(f"scenario {result.scenario.name}", "passed" if result.passed else "failed",
                               result.seed, [result.sim.ledger], reports.Figures.of(result.sim.ledger),
                               links=links, top=section)
    write_atomic(path, page)
