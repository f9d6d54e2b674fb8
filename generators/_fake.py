"""Realistic values (names, addresses, emails, IPs, user agents) backed by faker.

This is the only module that imports faker. Calling faker per value costs 20-100 microseconds, so
each kind of value is drawn once into a pool by a faker instance with a fixed seed; builders then pick from
the pools with their own seeded :class:`random.Random`. Output therefore depends only on the builder's seed,
is identical across processes, and costs a fraction of a microsecond per value.
"""

from __future__ import annotations

import random
from functools import cache

_POOL_SIZE = 256
_FAKER_SEED = 20240601


@cache
def _faker() -> object:
    try:
        from faker import Faker
    except ImportError as exc:  # pragma: no cover - faker is a core dependency
        raise ImportError(
            "realistic values need faker: pip install lambdachaos (faker is a dependency)"
        ) from exc
    fake = Faker("en_US")
    fake.seed_instance(_FAKER_SEED)
    return fake


@cache
def _pool(kind: str) -> tuple[str, ...]:
    fake = _faker()
    make = getattr(fake, kind)
    seen: dict[str, None] = {}
    for _ in range(_POOL_SIZE * 2):
        seen[str(make())] = None
        if len(seen) >= _POOL_SIZE:
            break
    return tuple(seen)


def first_name(rng: random.Random) -> str:
    """A first name."""
    return rng.choice(_pool("first_name"))


def last_name(rng: random.Random) -> str:
    """A last name."""
    return rng.choice(_pool("last_name"))


def full_name(rng: random.Random) -> str:
    """``First Last``."""
    return f"{first_name(rng)} {last_name(rng)}"


def email(rng: random.Random, first: str | None = None, last: str | None = None) -> str:
    """An email address, built from the given names when given so that it matches them."""
    first = first or first_name(rng)
    last = last or last_name(rng)
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    return f"{local}{rng.randrange(100)}@{rng.choice(_pool('free_email_domain'))}"


def street_address(rng: random.Random) -> str:
    """A street address line."""
    return rng.choice(_pool("street_address"))


def city(rng: random.Random) -> str:
    """A city name."""
    return rng.choice(_pool("city"))


def state_abbr(rng: random.Random) -> str:
    """A US state code."""
    return rng.choice(_pool("state_abbr"))


def postcode(rng: random.Random) -> str:
    """A ZIP code."""
    return rng.choice(_pool("postcode"))


def company(rng: random.Random) -> str:
    """A company name."""
    return rng.choice(_pool("company"))


def user_agent(rng: random.Random) -> str:
    """A browser user-agent string."""
    return rng.choice(_pool("user_agent"))


def product(rng: random.Random) -> str:
    """A short product name."""
    return f"{rng.choice(_pool('color_name'))} {rng.choice(_pool('word')).capitalize()}"


def word(rng: random.Random) -> str:
    """A lower-case word."""
    return rng.choice(_pool("word"))


def sentence(rng: random.Random) -> str:
    """A short sentence."""
    return rng.choice(_pool("sentence"))


def ipv4(rng: random.Random) -> str:
    """A public-looking IPv4 address (first octet avoids private, loopback and multicast ranges)."""
    first = rng.choice((3, 18, 34, 35, 44, 52, 54, 63, 73, 81, 98, 104, 142, 151, 185, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def username(rng: random.Random) -> str:
    """A login name."""
    return f"{first_name(rng).lower()}{rng.randrange(1000)}"
