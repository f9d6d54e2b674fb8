"""Named random streams: seeded on first draw, with exactly the values of ``random.Random(derive_seed(...))``."""

from __future__ import annotations

import copy
import pickle
import random
import threading

import pytest

from lambdachaos._world import World, derive_seed


def _draws(rng: random.Random) -> list[object]:
    items = list(range(20))
    rng.shuffle(items)
    return [rng.random(), rng.getrandbits(128), rng.randbytes(5), rng.gauss(0, 1), rng.choice("abcdef"),
            rng.randrange(1000), rng.sample(range(100), 4), rng.uniform(1, 2), rng.choices("xyz", k=4), items,
            rng.expovariate(2.0), rng.normalvariate(0, 1)]


@pytest.mark.parametrize("first", ["random", "getrandbits", "randbytes", "gauss", "shuffle", "getstate", "choice"])
def test_a_stream_draws_what_a_generator_seeded_from_the_seed_and_name_draws_whatever_call_comes_first(first):
    world = World(seed=42)
    stream = world.stream("orders")
    expected = random.Random(derive_seed(42, "orders"))
    if first == "getstate":
        assert stream.getstate() == expected.getstate()
    elif first == "shuffle":
        a, b = list(range(30)), list(range(30))
        stream.shuffle(a)
        expected.shuffle(b)
        assert a == b
    else:
        args = {"random": (), "getrandbits": (96,), "randbytes": (7,), "gauss": (0, 1), "choice": ("abc",)}[first]
        assert getattr(stream, first)(*args) == getattr(expected, first)(*args)
    assert type(stream) is random.Random  # a plain generator after its first draw
    assert _draws(stream) == _draws(expected)
    assert world.stream("orders") is stream


def test_streams_of_other_names_and_seeds_are_independent_of_which_were_drawn_first():
    world = World(seed=7)
    unused = world.stream("routing")
    ids = world.stream("ids")
    assert ids.getrandbits(64) == random.Random(derive_seed(7, "ids")).getrandbits(64)
    assert unused.random() == random.Random(derive_seed(7, "routing")).random()
    assert World(seed=8).stream("ids").getrandbits(64) == random.Random(derive_seed(8, "ids")).getrandbits(64)


def test_a_stream_not_yet_drawn_from_pickles_copies_and_reseeds_like_the_seeded_generator():
    expected = random.Random(derive_seed(3, "x"))
    assert pickle.loads(pickle.dumps(World(seed=3).stream("x"))).random() == expected.random()
    original = World(seed=3).stream("x")
    clone = copy.deepcopy(original)
    assert clone.random() == original.random() == random.Random(derive_seed(3, "x")).random()
    reseeded = World(seed=3).stream("x")
    reseeded.seed(11)
    assert reseeded.random() == random.Random(11).random()
    replaced = World(seed=3).stream("x")
    replaced.setstate(random.Random(5).getstate())
    assert replaced.random() == random.Random(5).random()


def test_threads_drawing_first_from_one_stream_at_once_seed_it_once():
    for seed in range(20):
        stream = World(seed=seed).stream("shared")
        got: list[int] = []
        start = threading.Barrier(4)

        def draw(stream: random.Random = stream, start: threading.Barrier = start, got: list[int] = got) -> None:
            start.wait()
            got.append(stream.getrandbits(64))

        threads = [threading.Thread(target=draw) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = random.Random(derive_seed(seed, "shared"))
        assert sorted(got) == sorted(expected.getrandbits(64) for _ in range(4))
