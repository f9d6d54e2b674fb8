"""Where a scenario runs besides the simulator: a real LocalStack (host mode or Docker).

``LocalStackTarget`` and ``Connection`` are imported on first use, so this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdachaos.targets._ls_connection import Connection as Connection
    from lambdachaos.targets._ls_manager import LocalStackError as LocalStackError
    from lambdachaos.targets._ls_target import LocalStackTarget as LocalStackTarget

_LAZY = {
    "Connection": "lambdachaos.targets._ls_connection",
    "LocalStackError": "lambdachaos.targets._ls_manager",
    "LocalStackTarget": "lambdachaos.targets._ls_target",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lambdachaos.targets' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
