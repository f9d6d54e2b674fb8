"""Every python block in the README and the service docs runs (so the docs cannot rot)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from lambdachaos import Sim

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "docs/service.md", "docs/ledger.md", "docs/resources.md", "docs/scale.md", "docs/recipes.md"]


def _blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


CASES = [
    pytest.param(doc, i, block, id=f"{doc}#{i}")
    for doc in DOCS
    if (ROOT / doc).exists()
    for i, block in enumerate(_blocks(ROOT / doc))
]


@pytest.mark.parametrize(("doc", "index", "code"), CASES)
def test_documentation_example_runs(doc, index, code):
    namespace: dict[str, object] = {"__name__": f"docs_example_{index}"}
    exec(compile(code, f"{doc}#{index}", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            params = inspect.signature(value).parameters
            sweep = getattr(value, "__lambdachaos_sweep__", None)
            if sweep is not None:  # a lambdachaos.sweep test: its first cases
                for case in sweep.cases[:3]:
                    value(**{"seed": case.seed, "plan": case.plan} if "plan" in params else {"seed": case.seed})
            elif "lambda_sim" in params:  # the plugin's fixture: a seeded Sim, closed afterwards
                with Sim(seed=1) as sim:
                    value(lambda_sim=sim)
            else:
                value()


def test_the_docs_have_examples():
    assert len(CASES) >= 5
