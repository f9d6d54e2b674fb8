"""Install the pinned LocalStack (host mode) in its own virtual environment, with the process executor.

The environment lives in :func:`state_dir` ``/venv``; it is built once per set of pinned requirements
(recorded in ``lambdachaos-install.json``) on Python 3.13 (3.12 as a fallback). The executor's two
standard-library modules are copied into it as a tiny distribution declaring LocalStack's entry point.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

from lambdachaos._errors import LambdaChaosError
from lambdachaos._version import version

LOCALSTACK_VERSION: Final = "4.14.0"
"""The pinned LocalStack: the last version whose Docker image starts without an auth token."""
REQUIREMENTS: Final = (
    f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
    # 4.14.0 predates these releases; newer ones break its startup on Python 3.13.
    "cbor2<6", "pyopenssl<24.3", "cryptography<44", "service_identity<24.3",
)

_MIN_PYTHON: Final = (3, 12)


class LocalStackError(LambdaChaosError, RuntimeError):
    """LocalStack could not be installed, started or reached."""


class LocalStackRefused(LocalStackError):
    """A start refused before anything ran or kept running (``localstack up`` exits 2): no Docker engine,
    a LocalStack of the other mode already running, or a listener beyond loopback."""


def state_dir() -> Path:
    """``$LAMBDACHAOS_LOCALSTACK_HOME``, else ``$XDG_CACHE_HOME/lambdachaos/localstack`` (``~/.cache/...``)."""
    if home := os.environ.get("LAMBDACHAOS_LOCALSTACK_HOME"):
        return Path(home).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "lambdachaos" / "localstack"



# ---- Python and the virtual environment --------------------------------------------------------
def _python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True,
            timeout=20, check=False,
        )
    except OSError:
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def python_candidates() -> list[str]:
    """Interpreters to try: ``$LAMBDACHAOS_LOCALSTACK_PYTHON``, this one, PATH and pyenv, 3.13 first."""
    found: list[str] = []
    if chosen := os.environ.get("LAMBDACHAOS_LOCALSTACK_PYTHON"):
        found.append(chosen)
    for minor in (13, 12):
        if sys.version_info[:2] == (3, minor):
            found.append(sys.executable)
        if path := shutil.which(f"python3.{minor}"):
            found.append(path)
        pyenv = os.environ.get("PYENV_ROOT") or os.path.join(Path.home(), ".pyenv")
        found += sorted(glob.glob(os.path.join(pyenv, "versions", f"3.{minor}*", "bin", "python3")), reverse=True)
    return list(dict.fromkeys(found))


def find_python() -> tuple[str, tuple[int, int]]:
    """The first candidate that really runs and is Python ≥ 3.12 (LocalStack host mode's minimum)."""
    tried: list[str] = []
    for candidate in python_candidates():
        version = _python_version(candidate)
        tried.append(f"{candidate} → {'does not run' if version is None else '.'.join(map(str, version))}")
        if version is not None and version >= _MIN_PYTHON:
            return candidate, version
    listing = "".join(f"\n  - {t}" for t in tried) or "\n  - (no python3.13/python3.12 on PATH or in pyenv)"
    raise LocalStackError(
        "LocalStack host mode needs Python 3.13 (3.12 at least) and none was found. Tried:" + listing
        + "\nInstall Python 3.13, or set LAMBDACHAOS_LOCALSTACK_PYTHON=/path/to/python3.13, or run "
        "'lambdachaos localstack up --docker' where a Docker engine is available."
    )


def venv_python(venv: Path) -> Path:
    """The interpreter of the virtual environment ``venv``."""
    return venv / "bin" / "python"


def ensure_venv(log: Any = None) -> Path:
    """Create (once) the virtual environment with the pinned LocalStack; refresh the executor in it."""
    venv = state_dir() / "venv"
    marker = venv / "lambdachaos-install.json"
    wanted = {"requirements": list(REQUIREMENTS)}
    current = json.loads(marker.read_text()) if marker.exists() else None
    if current is None or current.get("requirements") != wanted["requirements"]:
        python, version = find_python()
        if venv.exists():
            shutil.rmtree(venv)
        venv.parent.mkdir(parents=True, exist_ok=True)
        _say(log, f"creating {venv} on Python {version[0]}.{version[1]} ({python})")
        _run([python, "-m", "venv", str(venv)], "create the virtual environment")
        _say(log, f"installing LocalStack {LOCALSTACK_VERSION} (once; about a minute)")
        _run([str(venv_python(venv)), "-m", "pip", "install", "--quiet", *REQUIREMENTS], "install LocalStack")
        marker.write_text(json.dumps({**wanted, "python": python}))
    install_executor(venv)
    return venv


def _run(args: list[str], what: str) -> None:
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise LocalStackError(f"could not {what}: {' '.join(args[:4])} ... exited {out.returncode}:\n"
                              f"{(out.stderr or out.stdout)[-3000:]}")


_EXECUTOR_FILES: Final = ("_ls_executor.py", "_ls_bootstrap.py")
_DIST_NAME: Final = "lambdachaos_localstack_executor"


def install_executor(venv: Path) -> None:
    """Copy the executor modules into the venv as a tiny distribution that declares the entry point.

    Only these two standard-library modules are needed inside LocalStack, so nothing is built or
    downloaded; the copy is refreshed whenever the installed lambdachaos changes them. This is the only
    place the ``localstack.lambda.runtime_executor`` entry point is declared: lambdachaos's own
    distribution does not register it (the executor imports LocalStack, which runs from this venv).
    The tiny distribution carries lambdachaos's version; a copy left by another version is removed.
    """
    site = next(iter(sorted((venv / "lib").glob("python3.*/site-packages"))), None)
    if site is None:
        raise LocalStackError(f"{venv} has no site-packages: delete {state_dir()} and run 'up' again")
    here = Path(__file__).parent
    package = site / "lambdachaos"
    targets = package / "targets"
    targets.mkdir(parents=True, exist_ok=True)
    files = {
        package / "__init__.py": '"""lambdachaos: only the LocalStack process runtime executor is installed here."""\n',
        targets / "__init__.py": '"""LocalStack process runtime executor."""\n',
        **{targets / name: (here / name).read_text() for name in _EXECUTOR_FILES},
    }
    release = version()
    dist = site / f"{_DIST_NAME}-{release}.dist-info"
    for stale in site.glob(f"{_DIST_NAME}-*.dist-info"):
        if stale != dist:
            shutil.rmtree(stale)
    dist.mkdir(exist_ok=True)
    files[dist / "METADATA"] = (f"Metadata-Version: 2.1\nName: lambdachaos-localstack-executor\n"
                                f"Version: {release}\n")
    files[dist / "entry_points.txt"] = (
        "[localstack.lambda.runtime_executor]\n"
        "lambdachaos = lambdachaos.targets._ls_executor:ProcessRuntimeExecutor\n"
    )
    record = "".join(f"{p.relative_to(site)},,\n" for p in files)
    files[dist / "RECORD"] = record + f"{dist.name}/RECORD,,\n"
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def fingerprint() -> str:
    """A short hash of the pinned requirements (shown by ``status``)."""
    return hashlib.sha256("\n".join(REQUIREMENTS).encode()).hexdigest()[:12]


def _say(log: Any, message: str) -> None:
    if log is not None:
        log(message)
