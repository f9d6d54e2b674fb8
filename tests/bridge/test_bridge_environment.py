"""The environment a bridge sets while active (fake credentials, the simulation's region) and puts back exactly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from lambdachaos import Sim
from lambdachaos._world import World
from lambdachaos.service.bridge._bridge import Bridge
from tests.bridge.conftest import FakeBackend

VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
             "AWS_DEFAULT_REGION")


def _child_sees(name: str) -> str:
    """What a child process inherits (the C environment, not only ``os.environ``)."""
    code = f"import os; print(repr(os.environ.get({name!r})))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_absent_variables_are_set_while_active_for_python_and_child_processes_and_removed_on_exit(clean_env):
    with Bridge(FakeBackend(World(region="eu-west-2"))):
        assert {k: os.environ.get(k) for k in VARIABLES} == {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_SECURITY_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-2"}
        assert _child_sees("AWS_DEFAULT_REGION") == "'eu-west-2'"
        assert _child_sees("AWS_ACCESS_KEY_ID") == "'testing'"
    assert [k for k in VARIABLES if k in os.environ] == []
    assert _child_sees("AWS_DEFAULT_REGION") == "None"


def test_present_values_come_back_byte_for_byte_also_undecodable_ones_and_equal_ones(clean_env, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # already what the bridge sets
    monkeypatch.setenv("AWS_SESSION_TOKEN", "caf\udce9")  # a non-UTF-8 byte, as os.environ keeps it
    with Sim(seed=1):
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert os.environ["AWS_SESSION_TOKEN"] == "testing"
        assert os.environb[b"AWS_SESSION_TOKEN"] == b"testing"
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environb[b"AWS_SESSION_TOKEN"] == b"caf\xe9"
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ and "AWS_SECURITY_TOKEN" not in os.environ
    assert _child_sees("AWS_DEFAULT_REGION") == "'ap-south-1'"


def test_nested_and_sequential_sims_each_see_their_region_and_the_outer_one_is_restored(clean_env):
    with Sim(seed=1, region="eu-west-1"):
        with Sim(seed=2, region="us-west-2"):
            assert os.environ["AWS_DEFAULT_REGION"] == "us-west-2"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_DEFAULT_REGION" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ
    for seed, region in enumerate(("us-east-2", "sa-east-1", "us-east-2")):
        with Sim(seed=seed, region=region):
            assert os.environ["AWS_DEFAULT_REGION"] == region
        assert "AWS_DEFAULT_REGION" not in os.environ


def test_a_variable_the_test_changes_inside_the_sim_is_put_back_to_its_value_from_before(clean_env, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    with Sim(seed=1):
        os.environ["AWS_DEFAULT_REGION"] = "eu-north-1"
        del os.environ["AWS_SECRET_ACCESS_KEY"]
    assert os.environ["AWS_DEFAULT_REGION"] == "ca-central-1"
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ
    assert _child_sees("AWS_DEFAULT_REGION") == "'ca-central-1'"


def test_sims_in_threads_leave_the_environment_as_it_was(clean_env):
    errors: list[BaseException] = []

    def scenario(seed: int) -> None:
        try:
            for n in range(20):
                with Sim(seed=seed * 100 + n) as sim:
                    queue = sim.sqs_queue("q")
                    queue.send("x")
                    sim.run()
                    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=scenario, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [k for k in VARIABLES if k in os.environ] == []


def test_a_sim_in_another_thread_that_exits_first_leaves_the_later_sims_environment_until_that_one_exits(clean_env):
    # Thread A enters, thread B enters, A exits, B exits: the environment is B's until B exits, then the original.
    a_entered, b_entered, a_exited = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def a() -> None:
        with Sim(seed=1, region="eu-west-1"):
            a_entered.set()
            b_entered.wait(5)
        a_exited.set()

    def b() -> None:
        a_entered.wait(5)
        with Sim(seed=2, region="us-west-2"):
            b_entered.set()
            a_exited.wait(5)
            seen["after_a"] = os.environ.get("AWS_DEFAULT_REGION")
            seen["key_after_a"] = os.environ.get("AWS_ACCESS_KEY_ID")

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"after_a": "us-west-2", "key_after_a": "testing"}
    assert [k for k in VARIABLES if k in os.environ] == []
