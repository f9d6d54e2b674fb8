"""Every name the docs mention exists, and every documented call signature matches the code.

The python blocks of each page run in the page's own docs test (tests/*/test_docs.py and
tests/test_docs_examples.py); this module checks the prose and tables around them.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from lambdachaos import Sim
from lambdachaos.ledger._ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


IMPORTS = sorted({
    (page.name, module, name.strip())
    for page in PAGES
    for module, names in re.findall(r"from (lambdachaos(?:\.\w+)*) import ([\w, ]+)", _text(page))
    for name in names.split(",") if name.strip()
})
DOTTED = sorted({(page.name, dotted) for page in PAGES
                 for dotted in re.findall(r"`(lambdachaos(?:\.\w+)+)(?![\w/-])", _text(page))})


@pytest.mark.parametrize(("page", "module", "name"), IMPORTS)
def test_every_documented_import_works(page, module, name):
    if not hasattr(importlib.import_module(module), name):  # a submodule
        assert importlib.import_module(f"{module}.{name}"), f"{page}: from {module} import {name}"


@pytest.mark.parametrize(("page", "dotted"), DOTTED)
def test_every_documented_dotted_name_resolves(page, dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            assert hasattr(obj, attr), f"{page}: {dotted}"
            obj = getattr(obj, attr)
        return
    pytest.fail(f"{page}: {dotted} does not import")


def _callables() -> dict[str, object]:
    import lambdachaos.plugins as plugins

    found: dict[str, object] = {n: getattr(plugins, n) for n in plugins.__all__ if callable(getattr(plugins, n))}
    for owner in (Ledger, Sim):
        for name, member in inspect.getmembers(owner, callable):
            if not name.startswith("_"):
                found.setdefault(name, member)
    return found


CALLS = sorted({(page.name, name, args) for page in PAGES
                for name, args in re.findall(r"`(?:\w+\.)*(\w+)\(([^`()]*)\)`", _text(page))
                if name in _callables()})


@pytest.mark.parametrize(("page", "name", "args"), CALLS)
def test_documented_signatures_match_the_code(page, name, args):
    params = inspect.signature(_callables()[name]).parameters
    kinds = {p.name: p.kind for p in params.values()}
    var_kw = any(k is inspect.Parameter.VAR_KEYWORD for k in kinds.values())
    keyword_only = False
    for token in (t.strip() for t in re.split(r",(?![^\[]*\])", args) if t.strip()):
        if token == "*":
            keyword_only = True
            continue
        if token.startswith("**") or token == "...":
            continue
        key = token.split("=")[0].strip()
        if "=" in token or keyword_only:
            assert key in kinds or var_kw, f"{page}: {name}() has no parameter {key!r}: {list(kinds)}"
            if keyword_only and key in kinds:
                assert kinds[key] is inspect.Parameter.KEYWORD_ONLY, f"{page}: {name}({key}=) is not keyword-only"


def test_the_fault_table_names_the_class_of_each_kind():
    from lambdachaos.faults import FAULT_KINDS

    rows = re.findall(r"^\| `([a-z-]+)`[^|]*\| `(\w+)` \|", _text(ROOT / "docs" / "faults.md"), flags=re.M)
    assert {kind: cls for kind, cls in rows} == {k: c.__name__ for k, c in FAULT_KINDS.items()}


def test_no_link_leaves_the_repository():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", _text(page)):
            if "://" in target:
                continue
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{page.name}: link {target}"


def test_the_checks_found_something():
    assert len(IMPORTS) > 40 and len(CALLS) > 15 and len(DOTTED) > 3
