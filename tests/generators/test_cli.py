"""``lambdachaos events``: listing, printing, determinism and errors."""

from __future__ import annotations

import json
import subprocess
import sys

from lambdachaos.generators import SOURCES
from lambdachaos.generators._cli import events_main


def test_list_prints_every_source_name(capsys):
    assert events_main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(SOURCES)


def test_a_batching_source_prints_one_event_with_count_records(capsys):
    assert events_main(["sqs", "--count", "3", "--seed", "5"]) == 0
    assert len(json.loads(capsys.readouterr().out)["Records"]) == 3


def test_a_non_batching_source_prints_the_event_or_an_array(capsys):
    events_main(["apigateway-http"])
    assert json.loads(capsys.readouterr().out)["version"] == "2.0"
    events_main(["apigateway-http", "--count", "2"])
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_body_schema_shapes_the_bodies(tmp_path, capsys):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}))
    events_main(["sqs", "--body-schema", str(schema)])
    body = json.loads(json.loads(capsys.readouterr().out)["Records"][0]["body"])
    assert list(body) == ["sku"]


def test_unknown_sources_list_the_valid_ones(capsys):
    assert events_main(["nope"]) == 2
    assert capsys.readouterr().err.startswith(
        "lambdachaos events: error: unknown event source 'nope'; valid sources: sqs,"
    )


def test_bad_counts_are_refused(capsys):
    assert events_main(["sqs", "--count", "0"]) == 2
    assert capsys.readouterr().err == "lambdachaos events: error: --count 0 is out of range; pass 1 to 10000\n"


def test_the_same_seed_prints_the_same_bytes_in_a_subprocess():
    code = (
        "from lambdachaos.generators._cli import events_main; "
        "raise SystemExit(events_main(['kinesis', '-n', '4', '--seed', '9']))"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and json.loads(runs[0])["Records"]


def test_a_body_schema_for_an_authorizer_is_an_error_not_silently_dropped(tmp_path, capsys):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"sku": {"type": "string"}}}))
    assert events_main(["apigateway-authorizer-token", "--body-schema", str(schema)]) == 2
    assert capsys.readouterr().err.startswith(
        "lambdachaos events: error: payload= was given, but API Gateway never sends the request body to a Lambda "
        "authorizer; drop payload (--body-schema on the command line)"
    )
