"""The ``lambdachaos`` console script dispatches to each command."""

from __future__ import annotations

import subprocess
import sys

from lambdachaos._cli import main


def test_demo_prints_the_timeline_and_passes():
    proc = subprocess.run([sys.executable, "-P", "-m", "lambdachaos", "demo"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "t=60.000s async orders attempt 2" in proc.stdout
    assert "verdict: PASS" in proc.stdout


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("demo", "run", "events", "replay", "localstack"):
        assert command in out


def test_events_is_dispatched(capsys):
    assert main(["events", "--list"]) == 0
    assert "sqs" in capsys.readouterr().out.split()


def test_run_reports_an_invalid_scenario_with_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nfunctions:\n  f:\n    handler: a.b\n    timeout: 1000\n")
    assert main(["run", str(bad)]) == 2
    assert "timeout" in capsys.readouterr().err
