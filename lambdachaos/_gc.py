"""The cycle collector during bulk work (a run, a bulk send).

A simulation allocates millions of short-lived objects that reference counting frees at once (records, batches,
events), while long-lived ones (queued messages, fates) would be walked by the cycle collector again and again.
:class:`Relaxed` raises the young-generation threshold to :data:`GC_YOUNG_THRESHOLD` allocations (CPython's
default is 700; the older generations at least 20 and 100) and puts the caller's thresholds back afterwards; a
caller who switched automatic collection off keeps it off. Measured (CPU seconds): on 300,000 SQS messages,
collections took 1.0 s of a 3.9 s run with the default thresholds and 0.37 s of 3.25 s at 50,000; a
million-message ``send_many`` spent 1.1 s of about 5 s in eight full collections with the defaults, none when
relaxed; a 4,000,000-record replay with 1 % poison spent 2.6-3.1 s in young collections at 50,000 (each
walking the tens of thousands of messages queued or in flight, 10-50 ms late in the run) and 0.3 s at 200,000
(docs/scale.md).
"""

from __future__ import annotations

import gc
from typing import Final, final

GC_YOUNG_THRESHOLD: Final = 200_000
"""Allocations between young-generation collections during bulk work."""


@final
class Relaxed:
    """A context manager: the relaxed thresholds inside, the caller's back outside (re-entrant: inside another
    it changes nothing).

    Bulk work that ran at least one young collection leaves many survivors in the younger generations; with the
    caller's thresholds back, the first allocation afterwards would walk them all (0.4 s after a million
    messages). So such work ends by moving them to the oldest generation without walking them
    (``gc.freeze()`` then ``gc.unfreeze()``), unless the caller keeps frozen objects of its own or switched
    collection off: they are walked at the next full collection instead, as any long-lived object is.
    """

    __slots__ = ("_saved", "_young_runs")

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None
        self._young_runs = 0

    def __enter__(self) -> None:
        young, middle, old = gc.get_threshold()
        if 0 < young < GC_YOUNG_THRESHOLD:
            self._saved = (young, middle, old)
            self._young_runs = gc.get_stats()[0]["collections"]
            gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(old, 100))

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
            if (gc.get_stats()[0]["collections"] != self._young_runs and gc.isenabled()
                    and not gc.get_freeze_count()):
                gc.freeze()
                gc.unfreeze()
