"""The ``hypothesis`` entry point: ``st.from_type(<powertools model>)`` works in any hypothesis run, cheaply.

Each check runs ``python -P -c`` in an empty directory, without pytest, as a user's script would.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("hypothesis")
pytest.importorskip("aws_lambda_powertools")

HOOK = "lambdachaos.plugins._hypothesis:_hypothesis_setup_hook"


def _run(code: str, tmp_path, **env: str) -> dict:
    proc = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_entry_point_is_installed():
    found = [e.value for e in importlib.metadata.entry_points(group="hypothesis") if e.value.startswith("lambdachaos")]
    assert found == [HOOK]


_DRAW = """
import json, sys
import hypothesis
after_import = sorted(m for m in sys.modules if m.startswith(("lambdachaos", "aws_lambda_powertools", "pydantic")))
from hypothesis import find, settings, strategies as st
from aws_lambda_powertools.utilities.parser.models import KafkaMskEventModel, SqsModel
sqs = find(st.from_type(SqsModel), lambda m: True, settings=settings(database=None))
kafka = find(st.from_type(KafkaMskEventModel), lambda m: True, settings=settings(database=None))
print(json.dumps({
    "after_import": after_import,
    "sqs": [type(sqs).__name__, sqs.Records[0].eventSourceARN],
    "kafka": [kafka.eventSource, list(kafka.records)],
    "pytest": "pytest" in sys.modules,
}))
"""


def test_from_type_draws_generated_events_in_a_plain_hypothesis_run(tmp_path):
    out = _run(_DRAW, tmp_path)
    # Importing hypothesis imports neither powertools nor pydantic nor the strategies: the hook, the catalogue
    # and the package roots (whose own imports are lazy) only.
    hook = {"lambdachaos.plugins._hypothesis", "lambdachaos.generators._catalogue",
            "lambdachaos.generators._type_registry"}
    roots = {"lambdachaos", "lambdachaos.plugins", "lambdachaos.generators", "lambdachaos._errors",
             "lambdachaos._version"}
    assert hook <= set(out["after_import"]) <= hook | roots, out["after_import"]
    assert out["sqs"] == ["SqsModel", "arn:aws:sqs:us-east-1:123456789012:orders"]
    assert out["kafka"][0] == "aws:kafka" and out["kafka"][1][0].startswith("orders-")
    assert out["pytest"] is False


def test_no_plugins_means_no_registration(tmp_path):
    code = "import json, sys, hypothesis; print(json.dumps([m for m in sys.modules if m.startswith('lambdachaos')]))"
    assert _run(code, tmp_path, HYPOTHESIS_NO_PLUGINS="1") == []


_BROKEN = """
import json, sys, warnings
sys.modules[{blocked!r}] = None  # as if this part of lambdachaos could not be imported
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import hypothesis
    from hypothesis import strategies as st
    from aws_lambda_powertools.utilities.parser.models import SqsModel
    from lambdachaos.generators import _type_registry
    resolved = _type_registry.resolve(SqsModel) if "strategies" in {blocked!r} else None
print(json.dumps({{"imported": "hypothesis" in sys.modules, "resolved": repr(resolved),
                  "warnings": [str(w.message) for w in caught if "lambdachaos" in str(w.message)]}}))
"""


def test_strategies_that_cannot_be_imported_resolve_to_hypothesis_default(tmp_path):
    broken = _run(_BROKEN.format(blocked="lambdachaos.generators.strategies"), tmp_path)
    assert broken["imported"] and broken["resolved"] == "NotImplemented"
    assert broken["warnings"][0].startswith("lambdachaos: no strategy for SqsModel (import of")


_HOOK_FAILS = """
import json, sys, warnings
sys.modules["lambdachaos.generators._type_registry"] = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import hypothesis
    from hypothesis import find, settings, strategies as st
print(json.dumps({"imported": "hypothesis.strategies" in sys.modules,
                  "warnings": [str(w.message) for w in caught if "lambdachaos" in str(w.message)]}))
"""


def test_a_hook_that_cannot_install_warns_and_hypothesis_still_imports(tmp_path):
    out = _run(_HOOK_FAILS, tmp_path)
    assert out["imported"]
    assert out["warnings"] == ["lambdachaos: st.from_type strategies not registered (ModuleNotFoundError("
                               "'import of lambdachaos.generators._type_registry halted; None in sys.modules'))"]


_TWICE = """
import json
import hypothesis
from hypothesis import find, settings, strategies as st
from aws_lambda_powertools.utilities.parser.models import SqsModel
from lambdachaos.generators import _type_registry
first = _type_registry.registered()
mine = SqsModel.model_validate({"Records": []})
st.register_type_strategy(SqsModel, st.just(mine))
from lambdachaos.plugins import register_hypothesis_profile
register_hypothesis_profile()  # what the pytest plugin does: must not replace the user's strategy
drawn = find(st.from_type(SqsModel), lambda m: True, settings=settings(database=None))
print(json.dumps({"same": _type_registry.registered() == first, "mine": drawn is mine, "n": len(first)}))
"""


def test_the_profile_and_the_entry_point_register_once(tmp_path):
    out = _run(_TWICE, tmp_path)
    assert out["same"] and out["mine"] and out["n"] > 0


def test_models_no_source_covers_fall_back_to_hypothesis():
    from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamChangedRecordModel, SqsModel

    from lambdachaos.generators import strategies

    assert strategies.powertools_strategy(DynamoDBStreamChangedRecordModel) is NotImplemented
    assert strategies.powertools_strategy(SqsModel) is not NotImplemented
