"""Mutation check: make each single-point change of :data:`tests.mutation.mutants.MUTANTS`, run the tests
that should notice it, and print the kill rate (``python -m tests.mutation``, or ``tox -e mutation``).

The sources are copied to a temporary folder laid out as the package is installed (``lambdachaos`` with
``generators``, ``faults`` and ``plugins`` inside it), and the tests run there with that folder first on
``PYTHONPATH``: the checkout itself is never modified. A mutant is *killed* when its tests fail, and
*survives* when they pass. The exit status is 0 when every mutant is killed, 1 when one survives, and 2
when a mutant no longer matches its source (the text to change must occur exactly once).

Options: ``-k TEXT`` runs only mutants whose file or rule contains TEXT (``A|B``: either); ``--list`` prints
the mutants.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.mutation.mutants import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[2]
_WHERE = "import lambdachaos.faults as f, lambdachaos.service as s; print(f.__file__, s.__file__)"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")


def build_tree(dest: Path) -> Path:
    """Copy the sources into ``dest`` in the installed layout, with the tests, the docs they read and
    the pytest settings."""
    shutil.copytree(ROOT / "lambdachaos", dest / "lambdachaos", ignore=_IGNORE)
    for folder in ("tests", "docs", "examples"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=_IGNORE)
    shutil.copy2(ROOT / "README.md", dest / "README.md")
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def copied_path(tree: Path, source: str) -> Path:
    """Where the checkout's ``source`` (e.g. ``lambdachaos/faults/_downstream.py``) lives in the copied tree."""
    return tree / source


def check(mutant: Mutant, text: str) -> str | None:
    """Why ``mutant`` cannot be applied to ``text`` (None when its original text occurs exactly once)."""
    count = text.count(mutant.old)
    if count != 1:
        return f"{mutant.path}: {mutant.old.strip()!r} occurs {count} times (expected exactly once)"
    return None


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree)}


def run_one(tree: Path, mutant: Mutant) -> tuple[bool, float]:
    """Apply ``mutant`` in ``tree``, run its tests, restore the file; (killed, seconds)."""
    target = copied_path(tree, mutant.path)
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace(mutant.old, mutant.new, 1), encoding="utf-8")
    env = _env(tree)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
             "-m", "not localstack", *mutant.tests],
            cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )
    finally:
        target.write_text(original, encoding="utf-8")
    return proc.returncode != 0, time.perf_counter() - started


def baseline(tree: Path, tests: list[str]) -> bool:
    """The copied tree is what the tests import, and its unmutated tests pass (else every mutant would
    look killed)."""
    env = _env(tree)
    where = subprocess.run(
        [sys.executable, "-c", _WHERE],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    ).stdout.split()
    if len(where) != 2 or not all(Path(w).is_relative_to(tree) for w in where):
        print(f"the copied tree is not the one imported: {where}")
        return False
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
    return proc.returncode == 0


def main(argv: list[str] | None = None) -> int:
    """Run the mutation check; the exit status is described in the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="only", default="",
                        help="only mutants whose file or rule contains this text (several: separate with '|')")
    parser.add_argument("--list", action="store_true", help="print the mutants and exit")
    args = parser.parse_args(argv)
    wanted = args.only.split("|")
    chosen = [m for m in MUTANTS if any(w in m.path or w in m.rule for w in wanted)]
    if args.list:
        for m in chosen:
            print(f"{m.path}: {m.rule}")
        return 0
    stale = [msg for m in chosen if (msg := check(m, (ROOT / m.path).read_text(encoding="utf-8")))]
    if stale:
        print("stale mutants (update tests/mutation/mutants.py):", *stale, sep="\n  ")
        return 2
    survivors: list[Mutant] = []
    with tempfile.TemporaryDirectory(prefix="lambdachaos-mutation-") as tmp:
        tree = build_tree(Path(tmp))
        suites = sorted({t for m in chosen for t in m.tests})
        if not baseline(tree, suites):
            print("the unmutated tests fail in the copied tree; fix them first")
            return 2
        for n, mutant in enumerate(chosen, 1):
            killed, seconds = run_one(tree, mutant)
            if not killed:
                survivors.append(mutant)
            verdict = "killed  " if killed else "SURVIVED"
            print(f"[{n:>2}/{len(chosen)}] {verdict} {mutant.path}: {mutant.rule} ({seconds:.1f} s)", flush=True)
    killed_n = len(chosen) - len(survivors)
    rate = 100.0 * killed_n / len(chosen) if chosen else 100.0
    print(f"kill rate: {killed_n}/{len(chosen)} ({rate:.1f}%)")
    for m in survivors:
        print(f"  survived: {m.path}: {m.rule}: {m.old.strip()!r} -> {m.new.strip()!r}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
