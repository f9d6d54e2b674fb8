"""Timestamps rendered the way AWS renders them, independent of the process locale.

``time.strftime("%a")``/``("%b")`` follow ``LC_TIME``; AWS always writes English day and month names, so they
are spelled out here. Every function takes UNIX seconds (float or int) in UTC. This module imports nothing from
the package, so generators may use it too.
"""

from __future__ import annotations

import time
from typing import Final

DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def iso_z(seconds: float) -> str:
    """``2026-12-05T03:04:05Z``: ISO 8601 in UTC with second precision (EventBridge ``time``)."""
    t = time.gmtime(int(seconds))
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"


def iso_ms_z(millis: int) -> str:
    """``2026-12-05T03:04:05.123Z`` from UNIX milliseconds (destination records, SQS/SNS timestamps)."""
    return f"{iso_z(millis // 1000)[:-1]}.{millis % 1000:03d}Z"


def http_date(seconds: float) -> str:
    """``Sat, 05 Dec 2026 03:04:05 GMT``: RFC 7231 IMF-fixdate (HTTP ``Date`` headers, SES, S3)."""
    t = time.gmtime(int(seconds))
    return (f"{DAYS[t.tm_wday]}, {t.tm_mday:02d} {MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT")


def clf_date(seconds: float) -> str:
    """``05/Dec/2026:03:04:05 +0000``: the Common Log Format date API Gateway writes as ``requestTime``."""
    t = time.gmtime(int(seconds))
    return (f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year:04d}:"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def ctime_utc(seconds: float) -> str:
    """``Sat Dec 05 03:04:05 UTC 2026``: the ``date``-style stamp some AWS events carry."""
    t = time.gmtime(int(seconds))
    return (f"{DAYS[t.tm_wday]} {MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:"
            f"{t.tm_sec:02d} UTC {t.tm_year:04d}")


def month_name(month: int) -> str:
    """The English three-letter name of ``month`` (1–12)."""
    return MONTHS[month - 1]
