"""Same seed ⇒ byte-identical ledger JSON, within a process and across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.service.scenarios import ledger_json

HERE = Path(__file__).parent


def test_the_same_seed_gives_the_same_ledger_bytes():
    assert ledger_json(11) == ledger_json(11)


def test_a_different_seed_gives_a_different_ledger():
    assert ledger_json(11) != ledger_json(12)


def test_two_processes_with_different_hash_seeds_write_identical_ledgers():
    outputs = []
    for hash_seed in ("1", "987654"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        proc = subprocess.run(
            [sys.executable, str(HERE / "scenarios.py"), "11"], env=env, capture_output=True, text=True,
            check=True, timeout=120,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == ledger_json(11)
    assert '"schema":"lambdachaos.ledger/1"' in outputs[0]
