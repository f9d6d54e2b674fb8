"""The export's id order: ``sorted_ids`` gives exactly ``sorted()``'s order, bucketed or not."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos.ledger._fate_json import sorted_ids


@settings(max_examples=60, deadline=None)
@given(st.sets(st.text(st.characters(codec=None, categories=None), max_size=6), max_size=400),
       st.integers(0, 2**32))
def test_any_ids_come_in_sorted_order(ids: set[str], seed: int) -> None:
    spread = [f"{random.Random(seed + i).getrandbits(16):04x}" for i in range(300)]  # enough prefixes to bucket
    for keys in (ids, ids | set(spread), {k + "x" for k in spread} | ids):
        listed = sorted(keys, key=lambda k: random.Random(seed).random())  # any input order
        assert sorted_ids(listed, bucketed_from=0) == sorted(keys)
        assert sorted_ids(dict.fromkeys(listed), bucketed_from=0) == sorted(keys)


def test_a_million_style_set_of_uuids_is_bucketed_and_sorted() -> None:
    rng = random.Random(7)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(70_000)] + ["", "a", "\ud800", "é"]
    assert sorted_ids(ids) == sorted(ids)
