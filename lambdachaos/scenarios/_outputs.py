"""Output files of ``lambdachaos run``: checked before the run starts, written through a temporary file.

A run can take minutes; a ledger or report path that cannot be written must be refused before that, not after
(exit code 2). Each file is written to a temporary file in the same directory and renamed over the target, so
a reader never sees half a file and an earlier result survives a failed write.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path


def output_problem(option: str, path: str | Path) -> str | None:
    """Why ``path`` (given as ``option``) cannot be written, or None when it can."""
    p = Path(path)
    where = f"{option}={str(path)!r}"
    if str(path) == "" or p.name in ("", ".", ".."):
        return f"{where}: give a file name"
    if p.is_dir():
        return f"{where} is a directory: give a file path such as {p / 'out'}"
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        return f"{where}: directory {str(parent)!r} does not exist; create it first"
    if not parent.is_dir():
        return f"{where}: {str(parent)!r} is not a directory"
    if p.exists() and not os.access(p, os.W_OK):
        return f"{where}: the file exists and is not writable"
    try:  # a real probe: permission bits say little to root or on special file systems
        fd, probe = _temporary(p)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        return f"{where}: cannot create a file in {str(parent)!r}: {exc.strerror or exc}"
    return None


def _temporary(p: Path) -> tuple[int, Path]:
    for attempt in itertools.count():
        tmp = p.with_name(f".{p.name}.{os.getpid()}.{attempt}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same directory, then rename it.

    The file gets the permissions a plain ``open(path, "w")`` would give (``0o666`` less the umask).
    """
    fd, tmp = _temporary(Path(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
