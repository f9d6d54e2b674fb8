"""The version of lambdachaos: written once, in pyproject.toml, and read from the installed distribution.

``lambdachaos.__version__`` and ``lambdachaos --version`` read it here on first use (``importlib.metadata`` is
slow to import, so ``import lambdachaos`` does not pay for it).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version
from typing import Final

DISTRIBUTION: Final = "lambdachaos"
"""The distribution name in pyproject.toml."""
UNKNOWN: Final = "0+unknown"
"""The version reported when the sources run without being installed (a valid PEP 440 version, below any release)."""


def version() -> str:
    """The installed distribution's version (``pip install .`` or ``pip install -e .``), else :data:`UNKNOWN`."""
    try:
        return _distribution_version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN


__version__: Final = version()
