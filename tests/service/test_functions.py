"""Function settings (docs/aws-behaviour.md §1), environments and init, versions and aliases (§9)."""

from __future__ import annotations

import textwrap

import pytest

from lambdachaos import ConfigError, Sim


@pytest.mark.parametrize(
    ("setting", "value", "pattern"),
    [
        ("memory_size", 20_000, r"^memory_size=20000 is out of range for MemorySize: 1 validation error detected: "
         r"Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal "
         r"to 10240\. Choose 128 to 10240 MB\.$"),
        ("memory_size", 64, r"^memory_size=64 is out of range for MemorySize: .*greater than or equal to 128\."),
        ("timeout", 901, r"^timeout=901 is out of range for Timeout: .*Value '901' at 'timeout'.*less than or "
         r"equal to 900\. Choose 1 to 900 seconds\.$"),
        ("timeout", 0, r"^timeout=0 is out of range for Timeout"),
        ("ephemeral_storage", 100, r"^ephemeral_storage=100 is out of range for EphemeralStorage\.Size: .*"
         r"'ephemeralStorage\.size'.*greater than or equal to 512"),
    ],
)
def test_section_1_settings_outside_aws_ranges_are_refused_with_aws_wording(sim: Sim, setting, value, pattern):
    with pytest.raises(ConfigError, match=pattern):
        sim.function(lambda e, c: None, name="f", **{setting: value})


def test_section_1_defaults_are_aws_defaults(sim: Sim):
    fn = sim.function(lambda e, c: None, name="f")
    assert (fn.config.memory_size, fn.config.timeout, fn.config.ephemeral_storage) == (128, 3, 512)
    assert fn.config.architecture == "x86_64"


def test_section_1_environment_variables_over_4_kb_are_refused(sim: Sim):
    with pytest.raises(ConfigError, match=r"^environment is 4097 bytes: Lambda was unable to configure your "
                       r"environment variables because the environment variables you have provided exceeded "
                       r"the 4KB limit\."):
        sim.function(lambda e, c: None, name="f", environment={"K": "v" * 4096})


def test_section_1_reserved_environment_names_are_refused(sim: Sim):
    with pytest.raises(ConfigError, match=r"reserved keys .* Reserved keys used in this request: AWS_REGION$"):
        sim.function(lambda e, c: None, name="f", environment={"AWS_REGION": "eu-west-1"})


def test_the_handler_sees_its_environment_and_the_reserved_variables(sim: Sim):
    import os

    seen = {}

    def handler(event, ctx):
        seen.update({k: os.environ.get(k) for k in ("TABLE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION",
                                                      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")})

    sim.function(handler, name="envy", environment={"TABLE": "orders"}, memory_size=256).invoke({})
    assert seen == {"TABLE": "orders", "AWS_LAMBDA_FUNCTION_NAME": "envy", "AWS_REGION": "us-east-1",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}


def test_unknown_settings_name_the_valid_ones(sim: Sim):
    with pytest.raises(ConfigError, match=r"^unknown function setting\(s\) \['memory'\]; valid: \["):
        sim.function(lambda e, c: None, name="f", memory=512)


@pytest.fixture
def code_dir(tmp_path, request):
    module = f"counter_{request.node.name[-20:].replace('[', '_').replace(']', '_').replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent("""
        INITS = []
        INITS.append("init")
        calls = 0

        def handler(event, context):
            global calls
            calls += 1
            return {"calls": calls, "inits": len(INITS)}
    """))
    return str(tmp_path), module


def test_module_level_code_runs_once_per_environment_and_globals_persist_while_warm(sim: Sim, code_dir):
    path, module = code_dir
    fn = sim.function(f"{module}.handler", name="counter", code_dir=path, base_duration=1.0)
    assert fn.invoke({}).payload == {"calls": 1, "inits": 1}
    assert fn.invoke({}).payload == {"calls": 2, "inits": 1}  # warm: same module globals


def test_isolated_environments_each_get_their_own_module_instance(sim: Sim, code_dir):
    path, module = code_dir
    fn = sim.function(f"{module}.handler", name="iso", code_dir=path, isolate_environments=True,
                      base_duration=1.0)
    # two concurrent requests need two environments, each with its own globals
    first = sim.invoke(fn, {}, invocation_type="Event")
    second = sim.invoke(fn, {}, invocation_type="Event")
    sim.run()
    envs = {a.env_id for a in sim.ledger.attempts}
    assert len(envs) == 2 and first != second
    assert fn.invoke({}).payload["calls"] == 2  # a warm env, second call in that module instance


def test_a_missing_module_is_runtime_import_module_error(sim: Sim, tmp_path):
    fn = sim.function("nosuchmodule_xyz.handler", name="broken", code_dir=str(tmp_path))
    result = fn.invoke({})
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    assert result.payload["errorMessage"] == (
        "Unable to import module 'nosuchmodule_xyz': No module named 'nosuchmodule_xyz'"
    )


def test_a_missing_handler_function_is_runtime_handler_not_found(sim: Sim, tmp_path):
    (tmp_path / "nohandler_mod.py").write_text("x = 1\n")
    result = sim.function("nohandler_mod.handler", name="nh", code_dir=str(tmp_path)).invoke({})
    assert result.payload["errorType"] == "Runtime.HandlerNotFound"
    assert result.payload["errorMessage"] == "Handler 'handler' missing on module 'nohandler_mod'"


def test_an_exception_in_module_code_fails_the_init_and_the_next_request_retries_init(sim: Sim, tmp_path):
    (tmp_path / "initfail_mod.py").write_text("raise RuntimeError('no config')\n")
    fn = sim.function("initfail_mod.handler", name="initfail", code_dir=str(tmp_path))
    result = fn.invoke({})
    assert result.payload["errorType"] == "RuntimeError"
    assert result.payload["errorMessage"] == "no config"
    fn.invoke({})
    assert [a.cold for a in sim.ledger.attempts] == [True, True]


def test_a_malformed_handler_string_is_refused(sim: Sim):
    with pytest.raises(ConfigError, match=r"^handler='handler' is not of the form 'module\.function'"):
        sim.function("handler", name="x")


def test_section_9_versions_are_immutable_snapshots(sim: Sim):
    fn = sim.function(lambda e, c: c.function_version, name="v", timeout=5)
    assert fn.publish_version() == "1"
    fn.update_configuration(timeout=10)
    assert fn.publish_version() == "2"
    assert fn.versions["1"].config.timeout == 5
    assert fn.versions["2"].config.timeout == 10
    assert fn.invoke({}, qualifier="1").payload == "1"
    assert fn.invoke({}).payload == "$LATEST"


def test_section_9_weighted_alias_routes_by_the_seeded_draw():
    def run(seed):
        with Sim(seed=seed) as sim:
            fn = sim.function(lambda e, c: c.function_version, name="canary")
            fn.publish_version()
            fn.publish_version()
            fn.create_alias("live", "1", additional_version_weights={"2": 0.25})
            return [fn.invoke({}, qualifier="live").payload for _ in range(400)]

    versions = run(3)
    assert versions == run(3)  # same seed, same routing
    share = versions.count("2") / len(versions)
    assert 0.18 < share < 0.32
    assert set(versions) == {"1", "2"}


def test_section_9_a_weighted_alias_cannot_point_at_latest(sim: Sim):
    fn = sim.function(lambda e, c: None, name="w")
    fn.publish_version()
    with pytest.raises(ConfigError, match=r"^function_version='\$LATEST': an alias with a weighted routing"):
        fn.create_alias("live", "$LATEST", additional_version_weights={"1": 0.5})


def _burn_cpu(event, context):
    import time as _t

    end = _t.thread_time() + 0.15  # 150 ms of real CPU
    x = 0
    while _t.thread_time() < end:
        x += 1
    return "done"


def test_measured_duration_scales_cpu_time_by_the_vcpu_share_of_the_memory_setting(sim: Sim):
    small = sim.function(_burn_cpu, name="small", memory_size=128, timeout=1, duration_model="measured")
    large = sim.function(_burn_cpu, name="large", memory_size=1769, timeout=1, duration_model="measured")
    slow = small.invoke({})
    fast = large.invoke({})
    assert slow.payload["errorType"] == "Sandbox.Timedout"  # 0.15 s × 1769/128 ≈ 2 s > 1 s
    assert fast.payload == "done" and 150 <= fast.duration_ms < 900
