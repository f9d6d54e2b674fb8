"""The reader process of a large replay (``python -m lambdachaos.replay._reader``, started by
:mod:`lambdachaos.replay._source`).

Reads one JSON line from standard input, ``[path, format, [timing, factor, start_ns, floor_ns], plain]``, and
writes messages to standard output: ``("format", name)``, then ``("items", chunk)`` for each chunk of entries,
then ``("end", None)``; or ``("error", text)`` where reading fails. It stops when the simulation stops reading.
"""

from __future__ import annotations

import json
import sys

from lambdachaos._errors import ConfigError
from lambdachaos.replay._source import digested, read_entries, send


def main() -> None:
    """Read the recording named on standard input and write its entries to standard output."""
    out = sys.stdout.buffer
    try:
        path, fmt, placement, plain = json.loads(sys.stdin.readline())
        timing, factor, start_ns, floor_ns = placement
        fmt, chunks = read_entries(path, fmt, (timing, factor, start_ns, floor_ns), plain)
        send(out, ("format", fmt))
        for chunk in digested(chunks):
            send(out, ("items", chunk))
        send(out, ("end", None))
    except (BrokenPipeError, KeyboardInterrupt):  # the simulation stopped reading
        return
    except ConfigError as exc:
        send(out, ("error", str(exc)))
    except Exception as exc:  # anything else reading the file, named for the user
        send(out, ("error", f"reading the recording failed: {type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
