"""The generator catalogue is the one list of generator modules; exports, strategies and the CLI derive from it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import lambdachaos.generators as gen
from lambdachaos.generators import _catalogue, _sources

GEN = Path(gen.__file__).parent
_NOT_SOURCES = {"poison", "strategies"}


def test_every_source_module_on_disk_is_one_catalogue_row_and_nothing_else_lists_them():
    on_disk = {p.stem for p in GEN.glob("*.py") if not p.stem.startswith("_")} - _NOT_SOURCES
    assert sorted(_catalogue.module_names()) == sorted(on_disk)
    # No second hand-written list: no other module names more than a few source modules in one import.
    for path in GEN.glob("*.py"):
        text = path.read_text()
        named = [m for m in on_disk if f"    {m},\n" in text]
        assert len(named) <= 12 or path.name == "_catalogue.py", (path.name, len(named))


def test_exports_sources_and_strategies_follow_the_catalogue():
    pytest.importorskip("hypothesis")
    from lambdachaos.generators import strategies

    modules = _catalogue.module_names()
    assert set(modules) <= set(gen.__all__)
    assert {s.module.__name__.rpartition(".")[2] for s in _sources.SOURCES.values()} == set(modules)
    assert {g.strategy for g in _catalogue.CATALOGUE} <= set(strategies.__all__)
    for row in _catalogue.CATALOGUE:
        made = getattr(strategies, row.strategy)
        assert callable(made) and made.__name__ == row.strategy
        if row.kind != "custom":
            assert row.description in made.__doc__


def test_source_names_are_unique_and_the_table_refuses_a_repeated_one():
    twice = (*_catalogue.CATALOGUE, _catalogue.CATALOGUE[0])
    with pytest.raises(ValueError, match=r"^source name 'sqs' appears twice in the generator catalogue$"):
        _sources.sources(twice)


_NEW_ROW = r"""
import importlib, io, json, sys, types
from contextlib import redirect_stdout
import lambdachaos.generators as gen
from lambdachaos.generators import _catalogue, _sources

mod = types.ModuleType("lambdachaos.generators.pager")
mod.SOURCE, mod.BATCHING, mod.VARIANTS = "pager", False, ("page", "ack")
def event(*, seed=None, variant="page", **kw):
    return {"pager": variant, "seed": seed if isinstance(seed, int) else 0}
mod.event = event
mod.events = lambda n, *, seed=None, **kw: [event(seed=seed, **kw) for _ in range(n)]
sys.modules[mod.__name__] = mod
row = _catalogue.Generator("pager", "Pager alerts.", "pager_events", "variant",
                           lambda m: [_catalogue.Row(f"pager-{v}", {"variant": v}, None) for v in m.VARIANTS])
_catalogue.CATALOGUE = (*_catalogue.CATALOGUE, row)
for name in ("lambdachaos.generators", "lambdachaos.generators._sources", "lambdachaos.generators.strategies",
             "lambdachaos.generators._cli"):
    importlib.reload(importlib.import_module(name))
from lambdachaos.generators import _cli, strategies
from hypothesis import find, settings

out = io.StringIO()
with redirect_stdout(out):
    _cli.events_main(["--list"])
listed = out.getvalue().split()
out = io.StringIO()
with redirect_stdout(out):
    _cli.events_main(["pager-ack", "--seed", "3"])
drawn = find(strategies.pager_events(), lambda e: True, settings=settings(database=None))
print(json.dumps({
    "exported": "pager" in gen.__all__ and gen.pager is mod,
    "sources": [n for n in _sources.SOURCES if n.startswith("pager")],
    "listed": [n for n in listed if n.startswith("pager")],
    "printed": json.loads(out.getvalue()),
    "strategy": "pager_events" in strategies.__all__,
    "drawn": drawn,
}))
"""


def test_a_new_catalogue_row_appears_in_exports_sources_strategies_and_the_cli(tmp_path):
    pytest.importorskip("hypothesis")
    proc = subprocess.run([sys.executable, "-P", "-c", _NEW_ROW], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == {
        "exported": True,
        "sources": ["pager-page", "pager-ack"],
        "listed": ["pager-page", "pager-ack"],
        "printed": {"pager": "ack", "seed": 3},
        "strategy": True,
        "drawn": {"pager": "page", "seed": 0},
    }


def test_importing_the_package_imports_no_source_module():
    code = (
        "import sys, lambdachaos.generators as g; "
        "print(sorted(m.rpartition('.')[2] for m in sys.modules if m.startswith('lambdachaos.generators.')))"
    )
    proc = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(proc.stdout))
    assert not loaded & set(_catalogue.module_names()), loaded
