"""Generated values depend on the seed alone: golden bytes, call-order independence, one stream per source."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
from pathlib import Path

from lambdachaos.generators import SOURCES, _common, payload, sqs

GOLDEN = Path(__file__).with_name("golden_seed_42.json")
GOLDEN_SEED = 42


def _digest(name: str) -> str:
    event = SOURCES[name].build(count=2, seed=GOLDEN_SEED)
    return hashlib.sha256(_common.dumps(event).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def test_every_source_gives_the_pinned_bytes_for_seed_42_in_any_call_order():
    golden = json.loads(GOLDEN.read_text())
    assert sorted(golden) == sorted(SOURCES), "pin a new source: add its digest to golden_seed_42.json"
    names = sorted(SOURCES)
    for order in (names, names[::-1], random.Random(5).sample(names, len(names))):
        assert {name: _digest(name) for name in order} == golden


def test_the_bytes_do_not_depend_on_what_the_process_built_before():
    # A fresh process builds one source first thing; it matches the digest pinned in this process.
    code = (
        "import hashlib; from lambdachaos.generators import SOURCES, _common; "
        f"e = SOURCES['dynamodb-streams'].build(count=2, seed={GOLDEN_SEED}); "
        "print(hashlib.sha256(_common.dumps(e).encode()).hexdigest()[:20])"
    )
    sqs.event(n=50, seed=1)  # draw a lot here first
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == json.loads(GOLDEN.read_text())["dynamodb-streams"] == _digest("dynamodb-streams")


def test_a_readable_pin_of_the_default_payload():
    body = payload(seed=GOLDEN_SEED)
    assert body["orderId"] == "b1a5762a-0c22-44c3-b3ad-089121a14bf8"
    assert body["customer"]["name"] == "Megan Anderson"
    assert body["customer"]["address"] == {
        "street": "8121 Washington Ct",
        "city": "Phoenix",
        "state": "AZ",
        "zip": "85036",
        "country": "US",
    }


def test_generating_events_never_imports_a_fake_data_library():
    code = (
        "import sys; from lambdachaos.generators import SOURCES; "
        "[s.build(count=2, seed=1) for s in SOURCES.values()]; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('faker', 'mimesis')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_stream_has_its_own_seed():
    assert _common.stream_seed(7, "sqs") != _common.stream_seed(7, "kinesis")
    assert _common.stream_seed(7, "sqs") == _common.stream_seed(7, "sqs")
    assert _common.stream_seed(7, "sqs") != _common.stream_seed(8, "sqs")
    shared = random.Random(3)
    assert _common.as_rng(shared, "sqs") is shared


_FRAGMENT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # ids
    r"|cus_[0-9a-f]{12}"  # customer ids
    r"|\d{3,4} [A-Z][a-z]+ (?:St|Ave|Rd|Blvd|Dr|Ln|Way|Ct|Pl|Ter|Pkwy|Cir)\b"  # streets
    r"|[a-z]+\.[a-z-]+\d+@[a-z.]+"  # emails
)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        out = [value]
        with contextlib.suppress(binascii.Error, UnicodeDecodeError, ValueError):
            out.append(base64.b64decode(value, validate=True).decode())
        return out
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _fragments(event: object) -> set[str]:
    return {m for text in _strings(event) for m in _FRAGMENT.findall(text)}


def test_different_sources_with_the_same_seed_share_no_visible_random_fragment():
    first_per_module: dict[str, str] = {}
    for name, source in SOURCES.items():
        first_per_module.setdefault(source.module.__name__, name)
    seen = {name: _fragments(SOURCES[name].build(count=3, seed=7)) for name in first_per_module.values()}
    assert sum(1 for f in seen.values() if f) > 20
    for (a, fa), (b, fb) in itertools.combinations(seen.items(), 2):
        assert not fa & fb, f"{a} and {b} share {sorted(fa & fb)[:3]}"
