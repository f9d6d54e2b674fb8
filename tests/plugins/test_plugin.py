"""The pytest plugin run through pytester: fixtures, marker, options, messages, opt-out, xdist, JUnit."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

FAILING = """
from lambdachaos.plugins import assert_attempts

def fails(event, context):
    raise RuntimeError("payment down")

def test_retries(lambda_sim):
    fn = lambda_sim.function(fails, name="orders")
    request_id = fn.invoke_async({"order": 1})
    lambda_sim.run()
    assert_attempts(lambda_sim.ledger, request_id, 2)
"""

SEEDS = """
def test_a(lambda_sim):
    assert lambda_sim.seed

def test_b(lambda_sim, lambda_events):
    first, second = (lambda_events.sqs.event()["Records"][0]["messageId"] for _ in range(2))
    assert first != second
"""


def _seeds(result):
    return sorted(line for line in result.outlines if line.startswith("passed "))


def run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def run_isolated(pytester, *args):
    """Run in a subprocess: hypothesis keeps global state (the loaded settings profile, its engine), so an
    in-process run that loads a profile or shrinks a failure would leak into the tests that run after it."""
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args, timeout=100)


def test_the_header_prints_the_seed_as_a_flag_to_paste_back(pytester):
    pytester.makepyfile(SEEDS)
    result = run(pytester, "--lambdachaos-seed=42")
    result.stdout.fnmatch_lines(["lambdachaos: --lambdachaos-seed=42"])
    result.assert_outcomes(passed=2)


def test_test_seeds_derive_from_the_run_seed_and_node_id_only(pytester):
    pytester.makepyfile(SEEDS)
    both = _seeds(run(pytester, "--lambdachaos-seed=7", "-s"))
    alone = _seeds(run(pytester, "--lambdachaos-seed=7", "-s", "-k", "test_b"))
    other = _seeds(run(pytester, "--lambdachaos-seed=8", "-s"))
    assert len(both) == 2 and alone == both[1:]
    assert other != both


def test_seed_last_replays_the_previous_run_without_the_cache_plugin(pytester):
    pytester.makepyfile(SEEDS)
    first = run(pytester, "-s")
    seed = re.search(r"--lambdachaos-seed=(\d+)", first.stdout.str()).group(1)
    again = run(pytester, "-s", "--lambdachaos-seed=last")
    again.stdout.fnmatch_lines([f"lambdachaos: --lambdachaos-seed={seed}"])
    assert _seeds(again) == _seeds(first)
    assert (pytester.path / ".lambdachaos" / "last-seed").read_text().strip() == seed


def test_seed_last_uses_pytests_cache_when_it_is_enabled(pytester):
    pytester.makepyfile(SEEDS)
    first = pytester.runpytest("--lambdachaos-seed=1234")
    first.assert_outcomes(passed=2)
    pytester.runpytest("--lambdachaos-seed=last").stdout.fnmatch_lines(
        ["lambdachaos: --lambdachaos-seed=1234"]
    )
    assert not (pytester.path / ".lambdachaos").exists()


def test_seed_last_without_a_previous_run_is_a_usage_error(pytester):
    pytester.makepyfile(SEEDS)
    result = run(pytester, "--lambdachaos-seed=last")
    result.stderr.fnmatch_lines(["*--lambdachaos-seed=last: no previous run stored a seed; give an integer"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_bad_seed_and_an_unknown_target_are_usage_errors(pytester):
    pytester.makepyfile(SEEDS)
    bad_seed = run(pytester, "--lambdachaos-seed=abc").stderr.lines
    assert "ERROR: --lambdachaos-seed='abc' must be an integer, 'random' or 'last'" in bad_seed
    bad_target = run(pytester, "--lambdachaos-target=aws").stderr.lines
    assert "ERROR: --lambdachaos-target='aws' is not available; choose ['sim']" in bad_target


def test_the_ini_options_set_the_defaults(pytester):
    pytester.makeini("[pytest]\nlambdachaos_seed = 99\n")
    pytester.makepyfile(SEEDS)
    run(pytester).stdout.fnmatch_lines(["lambdachaos: --lambdachaos-seed=99"])


def test_the_marker_pins_the_seed_and_passes_sim_keyword_arguments(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.lambdachaos(seed=5, region="eu-west-1", account_concurrency=50)
        def test_pinned(lambda_sim, lambda_sims):
            assert lambda_sim.seed == 5 == lambda_sims.seed
            assert lambda_sim.world.region == "eu-west-1"
            assert lambda_sims(seed=9).seed == 9
    """)
    run(pytester).assert_outcomes(passed=1)


def test_an_unknown_marker_argument_fails_with_the_valid_ones(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.lambdachaos(sed=5)
        def test_typo(lambda_sim):
            pass
    """)
    result = run(pytester)
    assert any(
        line.startswith(
            "@pytest.mark.lambdachaos: unknown argument(s) [] ['sed']; valid keyword "
            "arguments: ['account_concurrency', 'account_id', "
        )
        for line in result.outlines
    )
    result.assert_outcomes(errors=1)


def test_the_marker_help_shows_its_signature(pytester):
    run(pytester, "--markers").stdout.fnmatch_lines(
        [
            "@pytest.mark.lambdachaos(*, seed=None, faults=None, template=None, template_parameters=None, "
            "<Sim keyword arguments*"
            "assert_all_faults_fired=True, assert_all_fates_settled=True): configure this test's lambda_sim.*"
        ]
    )


def test_the_options_are_in_one_group_and_state_their_defaults(pytester):
    out = run(pytester, "--help").stdout.str()
    group = out[out.index("lambdachaos: Lambda chaos simulation") :]
    for name in ("seed", "report", "target", "summary"):
        assert f"--lambdachaos-{name}" in group
    assert group.count("Default:") >= 4


def test_an_assertion_failure_shows_the_timeline_and_how_to_reproduce(pytester):
    pytester.makepyfile(FAILING)
    result = run(pytester, "--lambdachaos-seed=3")
    result.stdout.fnmatch_lines(
        [
            "E   *LedgerAssertionError: record '*' ran 3 time(s), expected 2",
            "E *  expected: 2 attempt(s)",
            "E *  observed: 3 attempt(s), fate dropped (RetriesExhausted)",
            "E *  timeline:",
            "E *  - t=0.000s async orders attempt 1 env=* cold → function_error RuntimeError: payment down",
            "E *  - t=60.000s async orders attempt 2 env=* → function_error RuntimeError: payment down",
            "E *  - t=180.000s async orders attempt 3 env=* → function_error RuntimeError: payment down",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*- lambdachaos -*",
            "test seed * (run seed 3, 1 simulation(s)); reproduce with --lambdachaos-seed=3 or "
            "@pytest.mark.lambdachaos(seed=*)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*= lambdachaos =*",
            "FAILED test_an_assertion_failure_shows*::test_retries "
            "seed=* invocations=3 retries=2 throttles=0 partial_failures=0 "
            "dlq=0 (async 0, redrive 0, on-failure 0) destinations=0 faults=0",
            "reproduce with --lambdachaos-seed=3",
        ]
    )
    assert "_assertions.py" not in result.stdout.str()  # the helper's frames are hidden


def test_a_fault_rule_that_never_fired_fails_at_teardown_and_names_the_switch(pytester):
    pytester.makepyfile("""
        import pytest
        from lambdachaos.faults import InvocationError

        @pytest.mark.lambdachaos(faults=InvocationError())
        def test_idle(lambda_sim):
            pass

        @pytest.mark.lambdachaos(faults=[InvocationError()], assert_all_faults_fired=False)
        def test_idle_on_purpose(lambda_sim):
            pass
    """)
    result = run(pytester)
    result.stdout.fnmatch_lines(
        [
            "lambdachaos end-of-test check failed:",
            "1 fault rule(s) of 1 never fired:",
            "  - invocation-error-1: invocation-error target=any when=always",
            "If that is intended, use @pytest.mark.lambdachaos(assert_all_faults_fired=False).",
        ]
    )
    result.assert_outcomes(passed=2, errors=1)


def test_work_still_in_flight_fails_at_teardown_and_names_the_switch(pytester):
    pytester.makepyfile("""
        import pytest

        def test_forgot_to_run(lambda_sim):
            lambda_sim.function(lambda e, c: None, name="f").invoke_async({})

        @pytest.mark.lambdachaos(assert_all_fates_settled=False)
        def test_on_purpose(lambda_sim):
            lambda_sim.function(lambda e, c: None, name="f").invoke_async({})
    """)
    result = run(pytester)
    result.stdout.fnmatch_lines(
        [
            "1 record(s) still in flight at teardown (virtual time 0.000s, * scheduled callback(s)):",
            "  - * (entered at t=0.000s)",
            "Call lambda_sim.run() to let Lambda finish, or, if that is intended, use "
            "@pytest.mark.lambdachaos(assert_all_fates_settled=False).",
        ]
    )
    result.assert_outcomes(passed=2, errors=1)


def test_a_failing_test_gets_no_extra_teardown_error(pytester):
    pytester.makepyfile("""
        def test_fails_early(lambda_sim):
            lambda_sim.function(lambda e, c: None, name="f").invoke_async({})
            assert False
    """)
    run(pytester).assert_outcomes(failed=1)


def test_shared_setup_runs_on_every_fresh_simulation(pytester):
    pytester.makeconftest("""
        import pytest

        @pytest.fixture(scope="session")
        def lambda_sim_setup():
            handler = lambda event, context: {"ok": True}  # expensive work done once
            return lambda sim: sim.function(handler, name="shared")
    """)
    pytester.makepyfile("""
        def test_one(lambda_sim):
            lambda_sim.invoke("shared", {})
            assert len(lambda_sim.ledger) == 1

        def test_two(lambda_sim):
            assert len(lambda_sim.ledger) == 0 and "shared" in lambda_sim.service.functions
    """)
    run(pytester).assert_outcomes(passed=2)


def test_the_opt_out_removes_fixtures_and_options(pytester):
    pytester.makepyfile(SEEDS)
    result = run(pytester, "-p", "no:lambdachaos")
    result.stdout.fnmatch_lines(["*fixture 'lambda_sim' not found*"])
    assert "--lambdachaos-seed" not in result.stdout.str()
    assert run(pytester, "-p", "no:lambdachaos", "--lambdachaos-seed=1").ret == pytest.ExitCode.USAGE_ERROR


def test_xdist_workers_use_the_same_seeds_as_a_single_process(pytester):
    pytester.makepyfile(SEEDS)
    single = run(pytester, "--lambdachaos-seed=11")
    spread = run(pytester, "--lambdachaos-seed=11", "-n", "2")
    spread.assert_outcomes(passed=2)

    def lines(result):
        return sorted(line for line in result.outlines if line.startswith("passed "))

    assert len(lines(single)) == 2 and lines(spread) == lines(single)


def test_junit_xml_carries_the_key_figures(pytester):
    pytester.makepyfile(FAILING.replace("request_id, 2)", "request_id, 3)"))
    run(pytester, "--junitxml=out.xml", "--lambdachaos-seed=1").assert_outcomes(passed=1)
    props = {p.get("name"): p.get("value") for p in ET.parse(pytester.path / "out.xml").iter("property")}
    assert {
        k: props[k] for k in ("invocations", "retries", "throttles", "dlq", "destinations", "faults")
    } == {
        "invocations": "3",
        "retries": "2",
        "throttles": "0",
        "dlq": "0",
        "destinations": "0",
        "faults": "0",
    }
    assert props["lambdachaos_seed"].isdigit()


def test_the_report_directory_gets_a_page_ledger_and_index_per_test(pytester):
    pytester.makepyfile(FAILING)
    run(pytester, "--lambdachaos-report=rep")
    names = sorted(p.name for p in (pytester.path / "rep").iterdir())
    assert names[0] == "index.html" and len(names) == 4
    stem = names[1].removesuffix(".html")
    assert names[1:] == [f"{stem}.html", f"{stem}.ledger.json", f"{stem}.summary.json"]
    index = (pytester.path / "rep" / "index.html").read_text()
    assert "test_retries" in index and names[1] in index
    assert "http" not in (pytester.path / "rep" / names[1]).read_text().replace("http://www.w3.org", "")


def test_hypothesis_examples_print_the_sim_seed_with_the_falsifying_example(pytester):
    pytester.makepyfile("""
        from hypothesis import given, settings, strategies as st
        from lambdachaos.generators.strategies import seeds

        @settings(max_examples=20, database=None, deadline=None)
        @given(n=st.integers(0, 10), seed=seeds())
        def test_property(lambda_sims, n, seed):
            with lambda_sims(seed=seed) as sim:
                fn = sim.function(lambda e, c: None, name="f")
                for _ in range(n):
                    fn.invoke({})
                assert len(sim.ledger) < 3
    """)
    result = run_isolated(pytester, "--hypothesis-profile=lambdachaos")
    result.stdout.fnmatch_lines(
        ["E *test_property(", "E *lambda_sims=<SimFactory seed=*>,", "E *n=3,", "E *lambdachaos: Sim(seed=*)"]
    )
    result.assert_outcomes(failed=1)


def test_the_hypothesis_profile_suits_simulations(pytester):
    pytester.makepyfile("""
        from hypothesis import HealthCheck, settings, strategies as st
        from aws_lambda_powertools.utilities.parser.models import SqsModel

        def test_profile():
            profile = settings.get_profile("lambdachaos")
            assert profile.deadline is None and HealthCheck.too_slow in profile.suppress_health_check
            assert st.from_type(SqsModel).example().Records
    """)
    run_isolated(pytester, "--hypothesis-profile=lambdachaos").assert_outcomes(passed=1)


def test_loading_the_plugin_imports_neither_faker_nor_hypothesis():
    code = (
        "import sys, lambdachaos.plugins._pytest_plugin, lambdachaos.plugins; "
        "print(sorted(m for m in ('faker', 'hypothesis') if m in sys.modules))"
    )
    # -P: the installed plugin, as pytest loads it, whatever the working directory holds
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
