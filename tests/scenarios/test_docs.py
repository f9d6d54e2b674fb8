"""The scenario and game-day guides: every python block runs, every console block prints what it shows."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from lambdachaos.scenarios._cli import replay_main, run_main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["docs/scenarios.md", "docs/game-days.md"]
DLQ_DUMP = (
    '{"Messages": [{"MessageId": "m-0", "ReceiptHandle": "rh", "MD5OfBody": "x", "Body": "{\\"orderId\\": '
    '\\"o-1\\", \\"customer\\": {\\"email\\": \\"ana@corp.example\\"}}", "Attributes": {"SentTimestamp": '
    '"1767225600000"}, "MessageAttributes": {"RequestID": {"DataType": "String", "StringValue": "req-1"}, '
    '"ErrorCode": {"DataType": "Number", "StringValue": "200"}, "ErrorMessage": {"DataType": "String", '
    '"StringValue": "payment provider unreachable"}}}]}\n'
)


def _blocks(kind: str) -> list:
    out = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for i, block in enumerate(re.findall(rf"```{kind}\n(.*?)```", text, flags=re.S)):
            out.append(pytest.param(block, id=f"{doc}#{kind}{i}"))
    return out


@pytest.mark.parametrize("code", _blocks("python"))
def test_python_examples_run(code):
    exec(compile(code, "doc", "exec"), {"__name__": "docs_example"})


def _commands(block: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return [(cmd, "".join(f"{o}\n" for o in lines)) for cmd, lines in steps]


@pytest.mark.parametrize("block", _blocks("console"))
def test_console_examples_print_what_they_show(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if any("--target aws" in cmd for cmd, _ in _commands(block)):  # game days: a machine without AWS credentials
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                     "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    (tmp_path / "dlq.jsonl").write_text(DLQ_DUMP, encoding="utf-8")
    for cmd, expected in _commands(block):
        argv = shlex.split(cmd)
        assert argv[0] == "lambdachaos"
        out = io.StringIO()
        main = replay_main if argv[1] == "replay" else run_main
        main(argv[2:], out=out, err=io.StringIO())
        assert out.getvalue() == expected, cmd


def test_the_guides_have_their_examples():
    assert len(_blocks("python")) >= 3 and len(_blocks("console")) >= 5


def test_the_worked_scenarios_in_the_guide_are_the_bundled_files():
    from lambdachaos.scenarios import bundled

    shown = [b.values[0] for b in _blocks("yaml") if "game-days" in b.id]
    assert shown == [bundled(n).read_text(encoding="utf-8") for n in ("kinesis-poison", "egress-outage")]


def test_the_complete_file_in_the_reference_follows_the_schema():
    import yaml

    from lambdachaos.scenarios._schema import validate

    block = next(b.values[0] for b in _blocks("yaml") if "scenarios.md" in b.id)
    assert validate(yaml.safe_load(block)) == []
