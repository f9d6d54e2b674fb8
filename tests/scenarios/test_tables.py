"""DynamoDB tables in scenario files: ``resources.tables``, a mapping from a table's stream, table traffic."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdachaos.scenarios import ScenarioError, load_scenario, loads_scenario, run_scenario

TABLE_WRITES = Path(__file__).with_name("data") / "table_writes.yaml"


def test_table_writes_feed_the_stream_and_poison_items_are_bisected_to_the_on_failure_queue():
    result = run_scenario(load_scenario(TABLE_WRITES))
    assert result.passed, [v.as_dict() for v in result.verdicts if not v.passed]
    summary = result.summary()
    assert summary["sent"] == 55 and summary["fates"] == {"on_failure": 7, "succeeded": 48}
    assert {s.traffic for s in result.sent if s.poison} == {"inserts"}


def test_table_writes_are_deterministic_from_the_seed():
    scenario = load_scenario(TABLE_WRITES)
    assert run_scenario(scenario).summary() == run_scenario(scenario).summary()


def test_put_update_and_delete_produce_insert_modify_and_remove_records():
    text = """\
version: 1
name: t
resources:
  tables: {items: {key_schema: id, stream_view_type: KEYS_ONLY}}
functions:
  f: {handler: lambdachaos.scenarios._handlers.accept}
mappings:
  - {source: items, function: f}
traffic:
  - {name: put, table: items, count: 2, partition_keys: 2}
  - {name: update, table: items, write: update, start: 1, count: 1}
  - {name: delete, table: items, write: delete, start: 2, count: 2, partition_keys: 2}
  - {name: gone, table: items, write: delete, start: 3, count: 1}
"""
    result = run_scenario(loads_scenario(text))
    by_traffic = {t: [s for s in result.sent if s.traffic == t] for t in ("put", "update", "delete", "gone")}
    assert [len(s.ids) for s in by_traffic["put"] + by_traffic["update"] + by_traffic["delete"]] == [1] * 5
    assert by_traffic["gone"][0].ids == ()  # deleting an absent item writes no stream record
    assert len(result.sim.ledger.fates) == 5
    assert all(f.status.value == "succeeded" for f in result.sim.ledger.fates.values())


@pytest.mark.parametrize(("text", "expected"), [
    ("resources:\n  tables: {t: {key_schema: [a, b, c]}}\n",
     "s.yaml:7:16: resources.tables.t.key_schema: ['a', 'b', 'c'] is not allowed: expected a string or a list"),
    ("resources:\n  tables: {t: {stream_view_type: ALL}}\n",
     "s.yaml:7:16: resources.tables.t.stream_view_type: \"ALL\" is not one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, "
     "NEW_AND_OLD_IMAGES"),
    ("resources:\n  tables: {t: {}}\n", "s.yaml:5:29: traffic[0].write: write applies only to traffic sent to a table"),
    ("", "s.yaml:4:12: traffic[0].table: 'nope' is not a table defined in this file (defined: none)"),
])
def test_table_errors_are_located_by_line_and_column(text, expected):
    base = "version: 1\nname: s\nfunctions: {f: {handler: m.h}}\ntraffic:\n  - {function: f, count: 1, write: put}\n"
    if text == "":
        base = "version: 1\nname: s\nfunctions: {f: {handler: m.h}}\ntraffic: [{table: nope, count: 1}]\n"
    with pytest.raises(ScenarioError) as info:
        loads_scenario(base + text, filename="s.yaml")
    assert str(info.value).splitlines()[0] == expected


def test_a_mapping_may_name_a_table_but_not_an_unknown_source():
    text = ("version: 1\nname: s\nresources:\n  tables: {t: {}}\nfunctions: {f: {handler: m.h}}\n"
            "mappings:\n  - {source: x, function: f}\ntraffic: [{table: t, count: 1}]\n")
    with pytest.raises(ScenarioError, match=r"^s\.yaml:7:6: mappings\[0\]\.source: 'x' is not a queue or stream or "
                                            r"table defined in this file \(defined: t\)$"):
        loads_scenario(text, filename="s.yaml")
