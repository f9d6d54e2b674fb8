"""What the tests read back from a run: a function's attempts by logical id, a queue's JSON bodies."""

from __future__ import annotations

import json


def attempts_of(sim, logical_id):
    """The ledger's attempts of the function declared as ``logical_id``, in order."""
    name = sim.functions[logical_id].name
    return [a for a in sim.ledger.attempts if a.function == name]


def bodies(queue):
    """The JSON bodies of the messages waiting in ``queue``."""
    return [json.loads(m.body) for m in queue.messages]
