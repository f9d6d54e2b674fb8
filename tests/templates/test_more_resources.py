"""More resource kinds and conventions: code_root, FIFO names, alias weights, URLs, custom buses, refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lambdachaos import Sim
from lambdachaos.templates import TemplateError

APP = Path(__file__).parent / "misc_app"


@pytest.fixture
def sim():
    with Sim.from_template(APP / "template.json", seed=9, code_root=APP / "code") as loaded:
        yield loaded


def test_code_root_holds_a_folder_per_logical_id_or_the_code_itself(sim):
    assert sim.functions["Worker"].versions["$LATEST"].code_dir == str(APP / "code" / "Worker")
    assert sim.functions["Other"].versions["$LATEST"].code_dir == str(APP / "code")


def test_without_code_root_s3_code_is_skipped_with_the_reason():
    with Sim.from_template(APP / "template.json") as plain:
        assert plain.templates[0].skipped["Worker"] == (
            "Code {'S3Bucket': 'artifacts', 'S3Key': 'worker.zip'} is not a local folder: give code_root= (a folder, "
            "or one sub-folder per logical id)")


def test_settings_and_recorded_only_settings(sim):
    worker = sim.functions["Worker"]
    assert (worker.config.architecture, worker.config.ephemeral_storage, worker.config.runtime) == (
        "arm64", 1024, "python3.13")
    assert sim.templates[0].entries["Worker"].reason == "LoggingConfig is recorded, not simulated"


def test_fifo_queues_keep_or_get_the_fifo_suffix(sim):
    assert sim.resources["Jobs"].name == "jobs.fifo" and sim.resources["Jobs"].fifo
    assert sim.resources["Jobs"].config.content_based_deduplication is True
    generated = sim.resources["Generated"].name
    assert generated.startswith("misc-app-Generated-") and generated.endswith(".fifo")


def test_versions_alias_weights_and_the_function_url(sim):
    worker = sim.functions["Worker"]
    assert sorted(worker.versions) == ["$LATEST", "1", "2"]
    canary = worker.aliases["canary"]
    assert (canary.function_version, dict(canary.additional_version_weights)) == ("1", {"2": 0.25})
    url = sim.resources["WorkerUrl"]
    responses = [url.request("GET", "/") for _ in range(40)]
    assert {r.text for r in responses} == {"blue"}
    versions = [a.executed_version for a in sim.ledger.attempts]
    assert set(versions) == {"1", "2"} and all(a.qualifier == "canary" for a in sim.ledger.attempts)


def test_unsupported_runtimes_and_inline_code_are_skipped_and_so_is_what_depends_on_them(sim):
    skipped = sim.templates[0].skipped
    assert skipped["Node"] == "Runtime nodejs20.x: only Python runtimes run in this simulation"
    assert re.fullmatch(r"FunctionName misc-app-Node-[A-Z0-9]{13} is not a resource this simulation holds",
                        skipped["NodeMapping"])
    assert skipped["Inline"] == ("inline ZipFile code is not simulated: put the code in a folder and give Code a "
                                 "local path")
    assert skipped["Mail"] == "Protocol 'email': only lambda and sqs subscriptions are simulated"


def test_rules_on_a_custom_bus_invoke_lambda_targets_and_record_the_others(sim):
    assert sim.templates[0].entries["BusRule"].reason == ("Targets.1 (" + sim.resources["Jobs"].arn + ") is recorded, "
                                                          "not simulated: only Lambda targets are")
    sim.event_bus("orders-bus").put_events([{"Source": "shop", "DetailType": "x", "Detail": "{}"}])
    sim.run()
    assert [a.function for a in sim.ledger.attempts] == [sim.functions["Other"].name]


def test_raw_sqs_subscriptions_deliver_the_bare_message(sim):
    sim.resources["Topic"].publish("hello", message_group_id=None)
    sim.run()
    assert [m.body for m in sim.resources["Generated"].messages] == ["hello"]


def test_a_template_without_resources_is_refused(tmp_path):
    template = tmp_path / "t.json"
    template.write_text('{"Resources": {}}')
    with pytest.raises(TemplateError, match=r"the template has no Resources \(CloudFormation needs at least one\)$"):
        Sim.from_template(template)
