"""Scenario files: the published JSON Schema, and line-numbered validation errors for bad files."""

from __future__ import annotations

import json
import re

import pytest

from lambdachaos import ConfigError
from lambdachaos.scenarios import SCHEMA_PATH, ScenarioError, load_scenario, loads_scenario
from lambdachaos.scenarios._schema import schema_json, validate

from .conftest import MINIMAL


def test_the_published_schema_file_equals_the_schema_in_code():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_json()
    assert json.loads(schema_json())["$schema"].endswith("2020-12/schema")


def test_a_minimal_file_loads_with_defaults(write):
    scenario = load_scenario(write(MINIMAL))
    assert scenario.name == "tiny" and scenario.seed == 0 and scenario.target == "sim"
    (t,) = scenario.traffic
    got = (t.name, t.kind, t.target, t.invocation, t.count, t.line)
    assert got == ("traffic-0", "function", "orders", "async", 2, 7)
    assert len(scenario.faults) == 0 and scenario.expectations == ()


def test_the_bundled_files_are_valid():
    from lambdachaos.scenarios import bundled, bundled_names

    assert {"egress-outage", "kinesis-poison"} <= set(bundled_names())
    for name in bundled_names():
        assert load_scenario(bundled(name)).name == name


def _errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, filename="s.yaml")
    assert isinstance(info.value, ConfigError) and isinstance(info.value, ValueError)
    return [str(i) for i in info.value.issues]


BAD = [
    pytest.param(MINIMAL.replace("accept\n", "accept\n    timeout: 1000\n"),
                 ["s.yaml:6:5: functions.orders.timeout: 1000 is out of range (Timeout, 1 to 900)"], id="timeout"),
    pytest.param(MINIMAL.replace("accept\n", "accept\n    timout: 3\n"),
                 ["s.yaml:6:5: functions.orders.timout: unknown key; did you mean 'timeout'?"], id="typo"),
    pytest.param(MINIMAL.replace("accept\n", "accept\n    memory_size: 64\n"),
                 ["s.yaml:6:5: functions.orders.memory_size: 64 is out of range (MemorySize, 128 to 10240)"],
                 id="memory"),
    pytest.param(MINIMAL.replace("accept\n", "accept\n    async: {maximum_retry_attempts: 5}\n"),
                 ["s.yaml:6:13: functions.orders.async.maximum_retry_attempts: 5 is out of range "
                  "(MaximumRetryAttempts, 0 to 2)"], id="async-retries"),
    pytest.param(MINIMAL.replace("count: 2", "count: two"),
                 ["s.yaml:8:5: traffic[0].count: expected an integer, got \"two\" (string)"], id="type"),
    pytest.param(MINIMAL.replace("version: 1", "version: 2"),
                 ["s.yaml:1:1: version: 2 is not allowed: it must be 1"], id="version"),
    pytest.param(MINIMAL.replace("name: tiny\n", ""),
                 ["s.yaml:1:1: (root): missing required key 'name'"], id="required"),
    pytest.param(MINIMAL.replace("  - function: orders", "  - function: orders\n    queue: q"),
                 ["s.yaml:7:5: traffic[0]: give exactly one of function, queue, topic, bus, stream, table, "
                  "kafka_topic, mq_queue, docdb_collection "
                  "(got function, queue)"], id="exactly-one"),
    pytest.param(MINIMAL + "    invocation: later\n",
                 ["s.yaml:9:5: traffic[0].invocation: \"later\" is not one of async, sync"], id="enum"),
    pytest.param(MINIMAL.replace("handler: lambdachaos.scenarios._handlers.accept", "handler: app"),
                 ["s.yaml:5:5: functions.orders.handler: \"app\" does not match the pattern "
                  r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$"], id="handler"),
    pytest.param(MINIMAL + "expectations:\n  - fates: {succeeded: most}\n",
                 ["s.yaml:10:13: expectations[0].fates.succeeded: \"most\" is not allowed: expected an integer "
                  "or a string like '>= 5' or 'all'"], id="count"),
    pytest.param(MINIMAL + "expectations:\n  - {}\n",
                 ["s.yaml:10:5: expectations[0]: give exactly one of fates, attempts, delivered, ordered, "
                  "nothing_lost, latency (got none)"], id="expectation-kind"),
    pytest.param(MINIMAL.replace("traffic:", "traffic: []\nx:").replace("  - function: orders\n    count: 2\n", ""),
                 ["s.yaml:6:1: traffic: needs at least 1 item, got 0",
                  "s.yaml:7:1: x: unknown key; valid keys: version, name, description, seed, target, settings, "
                  "resources, functions, template, mappings, traffic, faults, expectations"], id="empty-and-unknown"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_schema_errors_name_file_line_column_path_and_rule(text, expected):
    assert _errors(text) == expected


REFS = [
    pytest.param(MINIMAL.replace("accept\n", "accept\n    dead_letter_queue: nowhere\n"),
                 ["s.yaml:6:5: functions.orders.dead_letter_queue: 'nowhere' is not a queue or topic defined in "
                  "this file (defined: none)"], id="dlq"),
    pytest.param(MINIMAL.replace("function: orders", "function: payments"),
                 ["s.yaml:7:5: traffic[0].function: 'payments' is not a function defined in this file "
                  "(defined: orders)"], id="traffic-target"),
    pytest.param(MINIMAL.replace("count: 2", "rate: 2"),
                 ["s.yaml:7:5: traffic[0]: give count, rate with duration, or replay"], id="no-amount"),
    pytest.param(MINIMAL + "expectations:\n  - fates: {traffic: nope, succeeded: all}\n",
                 ["s.yaml:10:13: expectations[0].fates.traffic: 'nope' is not a traffic defined in this file "
                  "(defined: traffic-0)"], id="expectation-scope"),
    pytest.param(MINIMAL + "  - {name: traffic-0, function: orders, count: 1}\n",
                 ["s.yaml:9:6: traffic[1].name: 'traffic-0' is already the name of traffic[0]"], id="dup-name"),
    pytest.param(MINIMAL + "faults:\n  timeline:\n    - {from: 50, to: 10, fault: {kind: invocation-error}}\n",
                 ["s.yaml:11:18: faults.timeline[0].to: 10 must be after from=50"], id="timeline"),
    pytest.param(MINIMAL + "faults:\n  rules:\n    - fault: {kind: gremlins}\n",
                 [re.compile(r"s\.yaml:11:7: faults\.rules\[0\]: fault kind='gremlins' is unknown; valid kinds are ")],
                 id="fault-kind"),
    pytest.param(MINIMAL + "    replay: {file: missing.jsonl}\n",
                 [re.compile(r"s\.yaml:9:14: traffic\[0\]\.replay\.file: 'missing\.jsonl' does not exist "
                             r"\(looked for "),
                  "s.yaml:8:5: traffic[0].count: generated-traffic settings do not apply to replayed traffic"],
                 id="replay-file"),
]


@pytest.mark.parametrize(("text", "expected"), REFS)
def test_cross_reference_errors_are_located_too(text, expected):
    got = _errors(text)
    assert len(got) == len(expected), got
    for line, want in zip(got, expected, strict=True):
        assert want.match(line) if isinstance(want, re.Pattern) else line == want


def test_yaml_syntax_errors_and_duplicate_keys_are_located():
    assert _errors("version: 1\nname: [unclosed\n") == [
        "s.yaml:3:1: (yaml): expected ',' or ']', but got '<stream end>'"]
    assert _errors(MINIMAL.replace("count: 2", "count: 2\n    count: 3")) == [
        "s.yaml:9:5: traffic[0].count: duplicate key (first given on line 8)"]


def test_every_problem_is_reported_at_once():
    text = MINIMAL.replace("accept\n", "accept\n    timeout: 0\n    memory_size: 1\n")
    assert [e.split(": ", 1)[0] for e in _errors(text)] == ["s.yaml:6:5", "s.yaml:7:5"]


def test_validate_reports_paths_for_nested_values():
    issues = validate({"version": 1, "name": "x", "functions": {}, "traffic": [{"function": "f", "count": 1,
                                                                                 "poison_rate": 2}]})
    assert [(i.path, i.message) for i in issues] == [
        (("traffic", 0, "poison_rate"), "2 is out of range (0 to 1)")]
