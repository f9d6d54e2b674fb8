"""The package's real import graph: module-level imports, imports inside functions, ``importlib.import_module``
calls with a literal name, and the lazy-export tables of package ``__init__`` modules (string values naming a
module). Imports under ``if TYPE_CHECKING:`` are not run and are left out."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lambdachaos"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def _named(module: str, is_package: bool, tree: ast.AST) -> Iterable[str]:
    skip = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module) if node.level else (node.module or "")
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            target = node.args[0].value
            package = node.args[1] if len(node.args) > 1 else None
            if target.startswith(".") and isinstance(package, ast.Constant):
                dots = len(target) - len(target.lstrip("."))
                target = _resolve(str(package.value) + ".__init__", True, dots, target.lstrip(".") or None)
            yield target
        elif is_package and isinstance(node, ast.Dict):  # a lazy-export table: {"Name": "module", ...}
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    text = value.value
                    if text.startswith("lambdachaos."):
                        yield text
                    elif text.startswith("._"):
                        yield module + text


def edges() -> dict[str, set[str]]:
    """Module → the package modules importing it runs (each target's enclosing packages included, the
    importer's own enclosing packages left out: they are always imported first)."""
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _named(module, path.name == "__init__.py", tree):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                name = ".".join(parts[:i])
                if name in mods and name != module and not module.startswith(name + "."):
                    graph[module].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


LAYERS: tuple[tuple[str, ...], ...] = (
    # 0: leaves every layer may use; generators and faults are wings that use nothing else
    ("lambdachaos._errors", "lambdachaos._clock", "lambdachaos._timestamps", "lambdachaos._arn", "lambdachaos._version",
     "lambdachaos._protocols", "lambdachaos._gc",
     "lambdachaos.generators", "lambdachaos.faults"),
    ("lambdachaos._world", "lambdachaos._registry", "lambdachaos.ledger"),
    ("lambdachaos.resources",),
    ("lambdachaos.service.invoke",),
    ("lambdachaos.service.mappings", "lambdachaos.service.push"),
    ("lambdachaos.service.bridge",),
    ("lambdachaos.service.chaos",),
    ("lambdachaos.service", "lambdachaos.templates", "lambdachaos._sim", "lambdachaos.replay"),
    ("lambdachaos.reports", "lambdachaos.scenarios", "lambdachaos.targets", "lambdachaos._sweep"),
    ("lambdachaos.plugins", "lambdachaos._cli", "lambdachaos.__main__", "lambdachaos"),
)
"""The layers, lowest first: a module imports only its own layer and the ones below (prefix match, longest
wins; ``lambdachaos._sim`` covers ``_sim_backend``, ``_sim_esm`` and the other ``Sim`` modules; the bare
``lambdachaos`` names the package ``__init__`` only, so a new top-level module must be given its layer)."""


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or (prefix != "lambdachaos" and module.startswith((prefix + ".", prefix + "_")))
            if inside and len(prefix) > best:
                best, rank = len(prefix), i
    if rank < 0:
        raise LookupError(f"{module} is in no layer: add it to LAYERS")
    return rank
