"""Realistic values (names, addresses, emails, IPs, user agents) drawn from the lists in :mod:`._words`.

Every function takes the caller's :class:`random.Random` and reads nothing else: the lists are constants
shipped with the package, so a value depends only on the state of that generator -- never on which values
were drawn before elsewhere, on call order, or on the version of any installed library. Each draw costs a
fraction of a microsecond.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from . import _words

_FIRST, _N_FIRST = _words.FIRST_NAMES, len(_words.FIRST_NAMES)
_LAST, _N_LAST = _words.LAST_NAMES, len(_words.LAST_NAMES)
_COLORS, _N_COLORS = _words.COLORS, len(_words.COLORS)
_NOUNS, _N_NOUNS = _words.PRODUCT_NOUNS, len(_words.PRODUCT_NOUNS)
_PLACES, _N_PLACES = _words.PLACES, len(_words.PLACES)
_STREETS, _N_STREETS = _words.STREET_NAMES, len(_words.STREET_NAMES)
_SUFFIXES, _N_SUFFIXES = _words.STREET_SUFFIXES, len(_words.STREET_SUFFIXES)


def pick(rng: random.Random, values: Sequence[str]) -> str:
    """One item of ``values``, uniformly (a single ``rng.random()`` call: faster than ``rng.choice``)."""
    return values[int(rng.random() * len(values))]


def first_name(rng: random.Random) -> str:
    """A first name."""
    return _FIRST[int(rng.random() * _N_FIRST)]


def last_name(rng: random.Random) -> str:
    """A last name."""
    return _LAST[int(rng.random() * _N_LAST)]


def full_name(rng: random.Random) -> str:
    """``First Last``."""
    return f"{first_name(rng)} {last_name(rng)}"


def email(rng: random.Random, first: str | None = None, last: str | None = None) -> str:
    """An email address, built from the given names when given so that it matches them."""
    first = first or first_name(rng)
    last = last or last_name(rng)
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    return f"{local}{int(rng.random() * 100)}@{pick(rng, _words.EMAIL_DOMAINS)}"


def street_address(rng: random.Random) -> str:
    """A street address line (``742 Maple Ave``, sometimes with a unit)."""
    r = rng.random
    line = f"{int(r() * 9899) + 100} {_STREETS[int(r() * _N_STREETS)]} {_SUFFIXES[int(r() * _N_SUFFIXES)]}"
    if r() < 0.2:
        line += f" {pick(rng, _words.UNIT_PREFIXES)} {int(rng.random() * 990) + 10}"
    return line


def place(rng: random.Random) -> tuple[str, str, str]:
    """A consistent ``(city, state code, ZIP code)``: the ZIP lies in the city's range."""
    city_, state, zip3 = _PLACES[int(rng.random() * _N_PLACES)]
    return city_, state, f"{zip3}{int(rng.random() * 100):02d}"


def city(rng: random.Random) -> str:
    """A city name."""
    return place(rng)[0]


def state_abbr(rng: random.Random) -> str:
    """A US state code."""
    return place(rng)[1]


def postcode(rng: random.Random) -> str:
    """A ZIP code."""
    return place(rng)[2]


def company(rng: random.Random) -> str:
    """A company name."""
    if rng.random() < 0.3:
        return f"{last_name(rng)}, {last_name(rng)} and {last_name(rng)}"
    return f"{last_name(rng)} {pick(rng, _words.COMPANY_SUFFIXES)}"


def user_agent(rng: random.Random) -> str:
    """A browser user-agent string of a current browser."""
    return pick(rng, _words.BROWSER_USER_AGENTS)


def client_user_agent(rng: random.Random) -> str:
    """The user agent of an API caller: an AWS SDK, curl, Postman, an HTTP library -- or a browser."""
    if rng.random() < 0.35:
        return user_agent(rng)
    return pick(rng, _words.CLIENT_USER_AGENTS)


def product(rng: random.Random) -> str:
    """A short product name."""
    r = rng.random
    return f"{_COLORS[int(r() * _N_COLORS)]} {_NOUNS[int(r() * _N_NOUNS)]}"


def word(rng: random.Random) -> str:
    """A lower-case word."""
    return pick(rng, _words.WORDS)


def sentence(rng: random.Random) -> str:
    """A short sentence."""
    words = [pick(rng, _words.WORDS) for _ in range(int(rng.random() * 6) + 4)]
    return " ".join(words).capitalize() + "."


def ipv4(rng: random.Random) -> str:
    """A public-looking IPv4 address (first octet avoids private, loopback and multicast ranges)."""
    first = (3, 18, 34, 35, 44, 52, 54, 63, 73, 81, 98, 104, 142, 151, 185, 203)[int(rng.random() * 16)]
    bits = rng.getrandbits(24)
    return f"{first}.{bits >> 16}.{(bits >> 8) & 255}.{(bits & 255) % 254 + 1}"


def username(rng: random.Random) -> str:
    """A login name."""
    return f"{first_name(rng).lower()}{int(rng.random() * 1000)}"
