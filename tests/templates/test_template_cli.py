"""``lambdachaos template inspect``: the load report as a table, non-zero exit on errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdachaos._cli import main

TEMPLATE = Path(__file__).parent / "cfn_app" / "template.yaml"


def test_inspect_prints_one_line_per_resource(capsys):
    assert main(["template", "inspect", str(TEMPLATE), "--parameter", "Stage=prod"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"cloudformation template {TEMPLATE} (stack cfn-app)"
    assert lines[1].split() == ["LOGICAL", "ID", "STATUS", "TYPE", "DETAIL"]
    rows = {line.split()[0]: line.split()[1] for line in lines[2:]}
    assert rows["ProdOnlyQueue"] == "simulated" and rows["OrdersRole"] == "recorded" and len(rows) == 23
    assert any(line.startswith("OrderRule") and "pattern -> cfn-app-events" in line for line in lines)


def test_inspect_exits_1_with_the_error_on_a_bad_parameter(capsys):
    assert main(["template", "inspect", str(TEMPLATE), "--parameter", "Stage=qa"]) == 1
    assert capsys.readouterr().err == ("lambdachaos template: error: Parameter 'Stage' must be one of AllowedValues "
                                       "(value: 'qa', allowed: ['dev', 'prod'])\n")


def test_inspect_refuses_a_parameter_without_equals(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["template", "inspect", str(TEMPLATE), "--parameter", "Stage"])
    assert raised.value.code == 2
    assert "--parameter 'Stage': use KEY=VALUE" in capsys.readouterr().err
