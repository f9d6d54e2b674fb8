"""Bad scenario and plan input never gets a traceback: file:line:column, exit code 2, and nothing run."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest
from lambdachaos.faults import (
    AccountConcurrencyExhausted,
    BurstLimit,
    FaultPlan,
    FaultPlanError,
    PoisonInjection,
    ReservedConcurrencyChange,
)
from lambdachaos.faults._safe_text import MAX_BYTES, MAX_NODES

from lambdachaos import ConfigError, InvalidRequestContentException, Sim
from lambdachaos.scenarios._cli import run_main

BOMB = textwrap.dedent("""\
    a: &a ["x","x","x","x","x","x","x","x","x","x"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
""")
VALID = "version: 1\nname: x\nfunctions: {f: {handler: m.h}}\ntraffic: [{function: f, count: 1}]\n"


def run(tmp_path, content: bytes | str, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "scenario.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    code = run_main([str(path), *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue().replace(str(path), "scenario.yaml")


def test_an_alias_bomb_is_refused_at_the_alias_that_passes_the_limit(tmp_path):
    code, out, err = run(tmp_path, BOMB)
    assert code == 2 and out == ""
    assert err == ("1 problem(s) in the scenario file:\nscenario.yaml:5:4: (yaml): with its aliases expanded this "
                   f"value holds 111,111 values, over the limit of {MAX_NODES:,} per document; write the values "
                   "out or use fewer aliases\n")


def test_an_alias_bomb_is_refused_fast_and_without_memory_growth(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    code = ("import resource, sys; from lambdachaos.scenarios._cli import run_main; "
            f"c = run_main([{str(path)!r}]); "
            "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')); "
            "print(c, hwm, resource.getrusage(resource.RUSAGE_SELF).ru_utime)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    exit_code, max_rss_kb, cpu_s = done.stdout.split()
    assert int(exit_code) == 2
    # the child's own peak (VmHWM; ru_maxrss would carry the forking test process's peak across exec)
    assert int(max_rss_kb) < 400_000  # 10^9 values would need far more than the interpreter's own ~100 MB
    assert float(cpu_s) < 60  # the child's own CPU time (RUSAGE_CHILDREN would sum every earlier subprocess)


def test_a_recursive_alias_is_refused(tmp_path):
    code, _, err = run(tmp_path, "a: &a [1, *a]\n")
    assert (code, err.splitlines()[1]) == (2, "scenario.yaml:1:4: (yaml): recursive alias: a value contains itself")


def test_a_binary_file_is_refused_with_the_position_of_the_nul_byte(tmp_path):
    code, _, err = run(tmp_path, b"version: 1\nna\x00me: x\n")
    assert (code, err.splitlines()[1]) == (2, "scenario.yaml:2:3: (file): binary file (NUL byte): expected UTF-8 text")


def test_non_utf8_text_is_refused_with_the_position_of_the_bad_byte(tmp_path):
    code, _, err = run(tmp_path, "version: 1\nname: café\n".encode("latin-1"))
    assert (code, err.splitlines()[1]) == (
        2, "scenario.yaml:2:10: (file): not UTF-8 text: byte 0xe9 cannot start or continue a character")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    code, _, err = run(tmp_path, "# " + "x" * MAX_BYTES + "\n")
    assert code == 2
    assert err.splitlines()[1] == (f"scenario.yaml:1:1: (file): file size {MAX_BYTES + 3:,} bytes is over the "
                                   f"limit of {MAX_BYTES:,} bytes")


def test_unknown_keys_and_wrong_types_are_all_reported_with_their_positions(tmp_path):
    code, _, err = run(tmp_path, "version: 1\nname: x\nfunctions: {f: {handler: m.h, memory: 5}}\n"
                                 "traffic: [{function: f, count: lots}]\n")
    assert code == 2
    assert err.splitlines()[1:] == [
        "scenario.yaml:3:31: functions.f.memory: unknown key; did you mean 'memory_size'?",
        'scenario.yaml:4:25: traffic[0].count: expected an integer, got "lots" (string)',
    ]


def test_a_list_as_a_mapping_key_is_an_error_not_a_crash(tmp_path):
    code, _, err = run(tmp_path, "? [a, b]\n: 1\n")
    assert code == 2 and "scenario.yaml:1:3: (root): a key must be a name, not a list or mapping" in err


def test_nan_and_infinity_are_refused_where_they_are_written(tmp_path):
    code, _, err = run(tmp_path, VALID.replace("handler: m.h", "handler: m.h, timeout: .inf").replace(
        "count: 1", "count: 1, poison_rate: .nan"))
    assert code == 2
    assert err.splitlines()[1:] == [
        "scenario.yaml:3:40: functions.f.timeout: inf is not a JSON number: give a finite number (AWS refuses "
        "NaN and Infinity)",
        "scenario.yaml:4:48: traffic[0].poison_rate: nan is not a JSON number: give a finite number (AWS "
        "refuses NaN and Infinity)",
    ]


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    code, _, err = run(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert (code, err.splitlines()[1]) == (2, "scenario.yaml:1:1: (yaml): values nested too deeply")


def test_an_unknown_poison_kind_in_a_scenario_plan_is_refused_at_load(tmp_path):
    text = VALID + "faults:\n  rules:\n    - fault: {kind: poison-injection, poison: nope}\n"
    code, _, err = run(tmp_path, text)
    assert code == 2
    assert err.splitlines()[1].startswith(
        "scenario.yaml:7:7: faults.rules[0]: poison='nope' is not a poison kind; use one of truncated_json, ")


# ---- output paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--ledger", "missing/ledger.json", "error: --ledger='{tmp}/missing/ledger.json': directory "
                                        "'{tmp}/missing' does not exist; create it first"),
    ("--report", ".", "error: --report='{tmp}' is a directory: give a file path such as {tmp}/out"),
])
def test_an_unwritable_output_path_is_refused_before_the_run(tmp_path, monkeypatch, option, value, message):
    import lambdachaos.scenarios as scenarios

    monkeypatch.setattr(scenarios, "run_scenario", lambda *a, **k: pytest.fail("the scenario ran"))
    code, out, err = run(tmp_path, VALID, option, str(tmp_path / value) if value != "." else str(tmp_path))
    assert (code, out) == (2, "")
    assert err == message.format(tmp=tmp_path) + "\n"


def test_the_ledger_is_written_through_a_temporary_file_and_renamed(tmp_path, monkeypatch):
    import os

    from lambdachaos.scenarios import _outputs

    target = tmp_path / "ledger.json"
    target.write_text("previous result", encoding="utf-8")
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(_outputs.os, "replace", lambda a, b: (renamed.append((a, b)), real_replace(a, b)))
    out, err = io.StringIO(), io.StringIO()
    code = run_main(["async-dlq", "--ledger", str(target)], out=out, err=err)
    assert code == 0, err.getvalue()
    ((source, dest),) = renamed
    assert dest == str(target) and source.parent == tmp_path and source.name.startswith(".ledger.json.")
    assert target.read_text(encoding="utf-8").startswith('{"attempts":[')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.json"]


def test_a_failed_write_keeps_the_previous_file_and_exits_2(tmp_path, monkeypatch):
    from lambdachaos.scenarios import _outputs

    target = tmp_path / "ledger.json"
    target.write_text("previous result", encoding="utf-8")

    def full_disk(a, b):
        raise OSError(28, "No space left on device")

    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(_outputs.os, "replace", full_disk)
    code = run_main(["async-dlq", "--ledger", str(target)], out=out, err=err)
    assert code == 2
    assert err.getvalue() == f"error: the ledger could not be written to {target}: No space left on device\n"
    assert "verdict: PASS" in out.getvalue()
    assert target.read_text(encoding="utf-8") == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.json"]


# ---- fault plans: refused when configured -----------------------------------------------------------------


def test_a_plan_file_alias_bomb_is_refused():
    with pytest.raises(FaultPlanError, match=r"^fault plan is not valid YAML: line 5 column 4: with its aliases "
                                             r"expanded this value holds 111,111 values"):
        FaultPlan.from_yaml(BOMB)


@pytest.mark.parametrize("text", ['{"rules": [], "x": NaN}', '{"rules": [{"x": -Infinity}]}'])
def test_a_json_plan_with_nan_or_infinity_is_refused(text):
    with pytest.raises(FaultPlanError, match=r"^fault plan is not valid JSON: (NaN|-Infinity) is not a JSON "
                                             r"number \(JSON numbers are finite; AWS refuses NaN and Infinity\)$"):
        FaultPlan.from_json(text)


def test_a_yaml_plan_with_nan_is_refused_at_its_position():
    text = "rules:\n  - fault: {kind: invocation-error}\n    when: {invocationPercentage: .nan}\n"
    with pytest.raises(FaultPlanError, match=r"^fault plan is not valid YAML: line 3 column 34: \.nan is not a "
                                             r"JSON number"):
        FaultPlan.from_yaml(text)


def test_a_binary_json_plan_is_refused():
    with pytest.raises(FaultPlanError, match=r"^fault plan is not valid JSON: line 1 column 1: not UTF-8 text"):
        FaultPlan.from_json(b"\xff\xfe")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: AccountConcurrencyExhausted(start_seconds=-1),
     r"^start_seconds=-1 is invalid: a virtual time in seconds accepts a number from 0 to "),
    (lambda: BurstLimit(start_seconds=0, end_seconds=float("nan")),
     r"^end_seconds=nan is invalid: a virtual time in seconds accepts a number from 0 to "),
    (lambda: ReservedConcurrencyChange(at_seconds=1, until_seconds=float("inf")),
     r"^until_seconds=inf is invalid: a virtual time accepts a number from 0 to "),
])
def test_window_times_are_checked_when_the_fault_is_made(make, message):
    with pytest.raises(FaultPlanError, match=message):
        make()


def test_an_unknown_poison_kind_is_refused_when_the_plan_is_applied():
    with Sim() as sim, pytest.raises(ConfigError, match=r"^rule 'poison-injection-1': poison='nope' is not a "
                                                        r"poison kind; use one of truncated_json, "):
        sim.apply_faults(FaultPlan.of(PoisonInjection(poison="nope")))


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf")])
def test_guard_seconds_must_be_a_positive_finite_number(value):
    with pytest.raises(ConfigError, match=rf"^guard_seconds={value!r} must be a finite number of real seconds "
                                          r"greater than 0 \(default 5\.0\)$"):
        Sim(guard_seconds=value)


@pytest.mark.parametrize(("value", "token"), [(float("nan"), "NaN"), (float("inf"), "Infinity"),
                                              (float("-inf"), "-Infinity")])
@pytest.mark.parametrize("invocation", ["RequestResponse", "Event"])
def test_an_event_with_a_non_json_number_is_refused_when_invoked(value, token, invocation):
    with Sim() as sim:
        fn = sim.function(lambda e, c: pytest.fail("the handler ran"), name="f")
        with pytest.raises(InvalidRequestContentException,
                           match=rf"^Could not parse request body into json: Could not parse payload into json: "
                                 rf"Non-standard token '{token}': JSON numbers are finite"):
            sim.invoke(fn, {"x": value}, invocation_type=invocation)
        assert sim.ledger.attempts == ()


@pytest.mark.parametrize(("rule", "message"), [
    ({"fault": {"kind": "invocation-error", "errorMessage": 5}},
     "fault 'invocation-error': errorMessage=5 must be str, got int."),
    ({"fault": {"kind": "handler-latency", "milliseconds": "5"}},
     "fault 'handler-latency': milliseconds='5' must be int, got str."),
    ({"fault": {"kind": "invocation-error"}, "when": {"invocationPercentage": True}},
     "when: invocationPercentage=True must be float or None, got bool."),
])
def test_a_plan_value_of_the_wrong_type_is_refused_with_the_key(rule, message):
    with pytest.raises(FaultPlanError) as caught:
        FaultPlan.from_json(json.dumps({"rules": [rule]}))
    assert str(caught.value) == message
