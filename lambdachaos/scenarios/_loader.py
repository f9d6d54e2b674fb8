"""Read a scenario file: YAML with line numbers, schema validation, cross-reference checks, typed result.

Every problem is reported at once, one line each, as ``file:line:column: path: message``; the position is
the key that holds the offending value (or the list item), which is where an editor should jump.

>>> from lambdachaos.scenarios import loads_scenario
>>> loads_scenario("version: 1\\nname: x\\nfunctions: {f: {handler: m.h}}\\ntraffic: [{function: f, count: 1}]").name
'x'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambdachaos.faults import FaultPlan, FaultPlanError, FaultRule, _safe_text
from lambdachaos.scenarios._model import (
    ExpectationSpec,
    FunctionSpec,
    Issue,
    MappingSpec,
    ReplaySpec,
    Scenario,
    ScenarioError,
    TemplateSpec,
    TrafficSpec,
)
from lambdachaos.scenarios._schema import EXPECTATION_KINDS, validate
from lambdachaos.scenarios._validate import dotted
from lambdachaos.service.chaos._delivery import poison_problem

Marks = dict[tuple[str | int, ...], tuple[int, int]]
_FN_KEYS = ("memory_size", "timeout", "ephemeral_storage", "environment", "architecture", "runtime",
            "base_duration", "init_duration")


def _yaml() -> Any:
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise ImportError("scenario files need PyYAML, a dependency of lambdachaos missing here: "
                          "pip install 'pyyaml>=6'") from None


def parse_yaml(text: str, filename: str) -> tuple[Any, Marks]:
    """Parse YAML text into plain data plus the ``(line, column)`` of every key and list item (1-based).

    Aliases may expand the document to at most :data:`~lambdachaos.faults._safe_text.MAX_NODES` values, and
    numbers must be finite (YAML's ``.nan``/``.inf`` are refused, as JSON and AWS refuse them).
    """
    yaml = _yaml()
    marks: Marks = {(): (1, 1)}
    issues: list[Issue] = []
    try:
        loader, node = _safe_text.compose_yaml(yaml, text)
    except _safe_text.TextFileError as exc:
        raise ScenarioError([Issue(filename, exc.line, exc.column, "(yaml)", exc.message)]) from None
    try:
        data = None if node is None else _build(loader, node, (), marks, issues, filename)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError([Issue(filename, line, col, "(yaml)", f"{exc.problem or exc.context}")]) from None
    finally:
        loader.dispose()
    if issues:
        raise ScenarioError(issues)
    return data, marks


def _build(loader: Any, node: Any, path: tuple[str | int, ...], marks: Marks, issues: list[Issue], fn: str) -> Any:
    yaml = _yaml()
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if isinstance(key, list | dict):
                issues.append(Issue(fn, *here, dotted(path), "a key must be a name, not a list or mapping"))
                continue
            sub = (*path, key)
            if key in out:
                first = marks[sub][0]
                issues.append(Issue(fn, *here, dotted(sub), f"duplicate key (first given on line {first})"))
                continue
            marks[sub] = here
            out[key] = _build(loader, value_node, sub, marks, issues, fn)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            marks[(*path, i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_build(loader, item, (*path, i), marks, issues, fn))
        return items
    value = loader.construct_object(node, deep=True)
    if _safe_text.non_finite(value):
        issues.append(Issue(fn, node.start_mark.line + 1, node.start_mark.column + 1, dotted(path),
                            f"{value} is not a JSON number: give a finite number (AWS refuses NaN and Infinity)"))
    return value


class _Checker:
    """Collects located issues while the typed scenario is built."""

    def __init__(self, filename: str, marks: Marks) -> None:
        self.filename = filename
        self.marks = marks
        self.issues: list[Issue] = []

    def where(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        while path not in self.marks:
            path = path[:-1]
        return self.marks[path]

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        self.issues.append(Issue(self.filename, *self.where(path), dotted(path), message))

    def ref(self, path: tuple[str | int, ...], name: Any, pools: Mapping[str, Mapping[str, Any]]) -> None:
        if name is None or any(name in pool for pool in pools.values()):
            return
        kinds = " or ".join(pools)
        defined = sorted(n for pool in pools.values() for n in pool)
        self.add(path, f"{name!r} is not a {kinds} defined in this file (defined: {', '.join(defined) or 'none'})")


def load_scenario(path: str | Path, *, template: str | Path | None = None) -> Scenario:
    """Read and validate the scenario file at ``path``; raises :class:`ScenarioError` listing every problem.

    ``template`` (relative to the current folder) replaces the path of the file's ``template:`` section."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > _safe_text.MAX_BYTES:  # refused before reading
            raise _safe_text.TextFileError(f"file size {size:,} bytes is over the limit of "
                                           f"{_safe_text.MAX_BYTES:,} bytes")
        text = _safe_text.decode(p.read_bytes())
    except _safe_text.TextFileError as exc:
        raise ScenarioError([Issue(str(path), exc.line, exc.column, "(file)", exc.message)]) from None
    except OSError as exc:
        raise ScenarioError([Issue(str(path), 1, 1, "(file)", f"cannot read the file: {exc.strerror or exc}")]
                            ) from None
    return loads_scenario(text, filename=str(path), base_dir=p.resolve().parent, template=template)


def loads_scenario(text: str, *, filename: str = "scenario.yaml", base_dir: str | Path | None = None,
                   template: str | Path | None = None) -> Scenario:
    """Validate scenario YAML ``text``; relative paths (``code_dir``, replay files) resolve against
    ``base_dir`` (default: the current directory)."""
    data, marks = parse_yaml(text, filename)
    check = _Checker(filename, marks)
    for issue in validate(data):
        check.add(issue.path, issue.message)
    if check.issues:
        raise ScenarioError(check.issues)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if template is not None:
        data = {**data, "template": {**(data.get("template") or {}), "path": str(Path(template).resolve())}}
    scenario = _typed(data, check, base, filename)
    if check.issues:
        raise ScenarioError(check.issues)
    return scenario


def _typed(data: dict[str, Any], check: _Checker, base: Path, filename: str) -> Scenario:
    res = data.get("resources", {})
    queues, topics = res.get("queues", {}), res.get("topics", {})
    buses, streams, tables = res.get("buses", {}), res.get("streams", {}), res.get("tables", {})
    own_functions: dict[str, Any] = data.get("functions", {})
    template = _template(data, check, base)
    if template is None and "functions" not in data:
        check.add((), "give functions, or a template that declares them")
    pools = template.pools if template is not None else {}
    # references may name the template's resources by logical id; only the file's own are built from it
    queues, own_queues = {**pools.get("queue", {}), **queues}, queues
    topics, own_topics = {**pools.get("topic", {}), **topics}, topics
    buses, streams, tables = {**pools.get("bus", {}), **buses}, {**pools.get("stream", {}), **streams}, {
        **pools.get("table", {}), **tables}
    functions_raw: dict[str, Any] = {**pools.get("function", {}), **own_functions}
    extra = _extra_sources(res)
    extra_pools = {ref: dict(res.get(key, {})) for key, ref in extra.items()}
    for qname, q in own_queues.items():
        where = ("resources", "queues", qname)
        check.ref((*where, "dead_letter_queue"), q.get("dead_letter_queue"), {"queue": queues})
        if ("dead_letter_queue" in q) != ("max_receive_count" in q):
            check.add(where, "a redrive policy needs both dead_letter_queue and max_receive_count")
    for tname, t in own_topics.items():
        for i, sub in enumerate(t.get("subscribers", [])):
            check.ref(("resources", "topics", tname, "subscribers", i), sub,
                      {"function": functions_raw, "queue": queues})
    for bname, b in res.get("buses", {}).items():
        for rname, rule in b.get("rules", {}).items():
            for i, tgt in enumerate(rule["targets"]):
                check.ref(("resources", "buses", bname, "rules", rname, "targets", i), tgt,
                          {"function": functions_raw, "queue": queues})
    functions = {name: _function(name, f, check, base, queues, topics, buses, functions_raw)
                 for name, f in own_functions.items()}
    mapped = {**streams, **tables, **{n: v for pool in extra_pools.values() for n, v in pool.items()}}
    mappings = tuple(_mapping(i, m, check, queues, mapped, topics, functions_raw)
                     for i, m in enumerate(data.get("mappings", [])))
    named = {"function": functions_raw, "queue": queues, "topic": topics, "bus": buses, "stream": streams,
             "table": tables, **extra_pools}
    traffic = tuple(_traffic(i, t, check, base, named) for i, t in enumerate(data["traffic"]))
    seen: dict[str, int] = {}
    for i, t in enumerate(traffic):
        if t.name in seen:
            check.add(("traffic", i, "name"), f"{t.name!r} is already the name of traffic[{seen[t.name]}]")
        seen.setdefault(t.name, i)
    expectations = tuple(_expectation(i, e, check, seen, functions_raw, queues, topics)
                         for i, e in enumerate(data.get("expectations", [])))
    plan, optional, fault_lines = _faults(data.get("faults", {}), check)
    return Scenario(
        name=data["name"], description=data.get("description", ""), seed=data.get("seed", 0),
        target=data.get("target", "sim"), settings=data.get("settings", {}), queues=own_queues, topics=own_topics,
        buses=res.get("buses", {}), streams=res.get("streams", {}), tables=res.get("tables", {}), functions=functions,
        sources={key: res[key] for key in extra if key in res},
        template=template, mappings=mappings, traffic=traffic,
        faults=plan, optional_faults=optional, fault_lines=fault_lines, expectations=expectations,
        path=(base / Path(filename).name) if filename else None,
    )


def _template(data: dict[str, Any], check: _Checker, base: Path) -> TemplateSpec | None:
    """The ``template:`` section, with the logical ids it declares by kind (loaded once to list them)."""
    spec = data.get("template")
    if spec is None:
        return None
    from lambdachaos._errors import ConfigError
    from lambdachaos.templates._scenario import template_pools

    path = (base / spec["path"]).resolve()
    parameters = {str(k): str(v) for k, v in (spec.get("parameters") or {}).items()}
    try:
        pools = template_pools(path, parameters, data.get("settings", {}).get("region"))
    except ConfigError as exc:
        check.add(("template",), str(exc))
        pools = {}
    return TemplateSpec(path=path, parameters=parameters, schedule_until=spec.get("schedule_until"), pools=pools)


def _function(name: str, f: dict[str, Any], check: _Checker, base: Path, queues: Any, topics: Any, buses: Any,
              functions: Any) -> FunctionSpec:
    where = ("functions", name)
    check.ref((*where, "dead_letter_queue"), f.get("dead_letter_queue"), {"queue": queues, "topic": topics})
    async_cfg = f.get("async", {})
    for key in ("on_success", "on_failure"):
        check.ref((*where, "async", key), async_cfg.get(key),
                  {"queue": queues, "topic": topics, "bus": buses, "function": functions})
    code_dir = f.get("code_dir")
    if code_dir is not None:
        resolved = (base / code_dir).resolve()
        if not resolved.is_dir():
            check.add((*where, "code_dir"), f"{code_dir!r} is not a directory (looked in {resolved})")
        code_dir = str(resolved)
    layers = []
    for i, layer in enumerate(f.get("layers") or ()):
        folder = (base / layer).resolve()
        if not folder.is_dir():
            check.add((*where, "layers", i), f"{layer!r} is not a directory (looked in {folder})")
        layers.append(str(folder))
    return FunctionSpec(
        name=name, handler=f["handler"], code_dir=code_dir, config={k: f[k] for k in _FN_KEYS if k in f},
        reserved_concurrency=f.get("reserved_concurrency"), dead_letter_queue=f.get("dead_letter_queue"),
        async_config=async_cfg, isolate_environments=f.get("isolate_environments", False),
        layers=tuple(layers), line=check.where(where)[0],
    )


def _extra_sources(resources: dict[str, Any]) -> dict[str, str]:
    """``resources:`` key → reference name, for the source-table rows beyond the built-in streams and tables."""
    from lambdachaos.service.mappings._sources import sources

    return {row.scenario.key: row.scenario.reference for row in sources().values()
            if row.scenario is not None and row.scenario.key not in ("streams", "tables")}


def _mapping(i: int, m: dict[str, Any], check: _Checker, queues: Any, streams: Any, topics: Any,
             functions: Any) -> MappingSpec:
    where: tuple[str | int, ...] = ("mappings", i)
    check.ref((*where, "source"), m["source"], {"queue": queues, "stream or table": streams})
    check.ref((*where, "function"), m["function"], {"function": functions})
    check.ref((*where, "on_failure"), m.get("on_failure"), {"queue": queues, "topic": topics})
    settings = {k: v for k, v in m.items() if k not in ("source", "function")}
    return MappingSpec(source=m["source"], function=m["function"], settings=settings, line=check.where(where)[0])


def _traffic(i: int, t: dict[str, Any], check: _Checker, base: Path, pools: dict[str, Any]) -> TrafficSpec:
    where: tuple[str | int, ...] = ("traffic", i)
    kind = next(k for k in pools if k in t)
    if not (kind == "bus" and t[kind] == "default"):
        check.ref((*where, kind), t[kind], {kind: pools[kind]})
    replay = None
    if "replay" in t:
        r = t["replay"]
        file = (base / r["file"]).resolve()
        if not file.is_file():
            check.add((*where, "replay", "file"), f"{r['file']!r} does not exist (looked for {file})")
        if "factor" in r and r.get("timing", "preserve") != "compress":
            check.add((*where, "replay", "factor"), "factor only applies with timing: compress")
        replay = ReplaySpec(file=file, format=r.get("format", "auto"), timing=r.get("timing", "preserve"),
                            factor=float(r.get("factor", 1.0)), anonymise=tuple(r.get("anonymise", ())))
        for key in ("count", "rate", "duration", "payload", "poison_rate"):
            if key in t:
                check.add((*where, key), "generated-traffic settings do not apply to replayed traffic")
    elif "count" not in t and not ("rate" in t and "duration" in t):
        check.add(where, "give count, rate with duration, or replay")
    if "duration" in t and "count" in t:
        check.add((*where, "duration"), "give count or duration, not both")
    if "write" in t and kind != "table":
        check.add((*where, "write"), "write applies only to traffic sent to a table")
    if "invocation" in t and kind != "function":
        check.add((*where, "invocation"), "invocation applies only to traffic sent to a function")
    return TrafficSpec(
        name=t.get("name", f"traffic-{i}"), kind=kind, target=t[kind], invocation=t.get("invocation", "async"),
        source_event=t.get("source_event", "payload"), start=float(t.get("start", 0.0)), count=t.get("count"),
        rate=t.get("rate"), duration=t.get("duration"), payload=t.get("payload", "order"),
        poison_rate=float(t.get("poison_rate", 0.0)), poison_kinds=tuple(t.get("poison_kinds", ())),
        partition_keys=t.get("partition_keys", 1), message_groups=t.get("message_groups", 1),
        write=t.get("write", "put"), replay=replay,
        line=check.where(where)[0],
    )


def _expectation(i: int, e: dict[str, Any], check: _Checker, traffic: dict[str, int], functions: Any,
                 queues: Any, topics: Any) -> ExpectationSpec:
    where: tuple[str | int, ...] = ("expectations", i)
    kind = next(k for k in EXPECTATION_KINDS if k in e)
    params = e[kind] if isinstance(e[kind], dict) else {}
    if "traffic" in params:
        check.ref((*where, kind, "traffic"), params["traffic"], {"traffic": dict.fromkeys(traffic)})
    if "function" in params:
        check.ref((*where, kind, "function"), params["function"], {"function": functions})
    if kind == "delivered":
        check.ref((*where, kind, "to"), params["to"], {"queue": queues, "topic": topics})
    return ExpectationSpec(kind=kind, params=params, name=e.get("name", f"{kind} #{i + 1}"),
                           line=check.where(where)[0])


def _optional(entry: Any, where: tuple[str | int, ...], check: _Checker) -> tuple[Any, bool]:
    """``entry`` without its ``optional`` key, and the key's value (a rule that need not fire)."""
    if not isinstance(entry, dict) or "optional" not in entry:
        return entry, False
    entry = dict(entry)
    flag = entry.pop("optional")
    if not isinstance(flag, bool):
        check.add((*where, "optional"), f"optional={flag!r} must be true or false")
    return entry, flag is True


def _faults(raw: dict[str, Any], check: _Checker) -> tuple[FaultPlan, frozenset[str], dict[str, int]]:
    rules: list[FaultRule] = []
    flags: list[tuple[bool, int]] = []  # per rule built: optional, line
    for i, rule in enumerate(raw.get("rules", [])):
        rule, optional = _optional(rule, ("faults", "rules", i), check)
        if _rule(rule, ("faults", "rules", i), rules, check):
            flags.append((optional, check.where(("faults", "rules", i))[0]))
    for i, entry in enumerate(raw.get("timeline", [])):
        where: tuple[str | int, ...] = ("faults", "timeline", i)
        when = dict(entry.get("when", {}))
        if "from" in entry:
            when["startSeconds"] = entry["from"]
        if "to" in entry:
            when["endSeconds"] = entry["to"]
        if "from" in entry and "to" in entry and entry["to"] <= entry["from"]:
            check.add((*where, "to"), f"{entry['to']} must be after from={entry['from']}")
            continue
        spec = {k: v for k, v in {"id": entry.get("id"), "fault": entry["fault"], "target": entry.get("target"),
                                   "when": when or None}.items() if v is not None}
        if _rule(spec, where, rules, check):
            flags.append((entry.get("optional") is True, check.where(where)[0]))
    try:
        plan = FaultPlan(rules=tuple(rules))
    except (FaultPlanError, ValueError) as exc:
        check.add(("faults",), str(exc))
        return FaultPlan(), frozenset(), {}
    ids = [str(r.id) for r in plan.rules]
    return plan, frozenset(i for i, (opt, _) in zip(ids, flags, strict=True) if opt), \
        {i: line for i, (_, line) in zip(ids, flags, strict=True)}


def _rule(spec: Any, where: tuple[str | int, ...], rules: list[FaultRule], check: _Checker) -> bool:
    """Build one rule into ``rules``; False (and the problem noted) when it cannot be built."""
    try:
        rule = FaultRule.from_dict(spec)
    except (FaultPlanError, ValueError, TypeError) as exc:
        check.add(where, str(exc))
        return False
    problem = poison_problem(rule)
    if problem is not None:
        check.add(where, problem)
    rules.append(rule)
    return True
