"""Amazon SES email-receiving events (a receipt rule's Lambda action).

AWS pages: "Invoke Lambda function action" and "Lambda event examples" (SES Developer Guide). The event holds
exactly one record with ``eventSource`` ``aws:ses`` and ``eventVersion`` ``1.0``. ``ses.mail`` describes the
message (SES ``messageId``, envelope ``source`` and ``destination``, raw ``headers`` and the parsed
``commonHeaders``); ``ses.receipt`` gives the receipt ``timestamp`` (never before the mail's),
``processingTimeMillis``, ``recipients`` and the ``spamVerdict``, ``virusVerdict``, ``spfVerdict``,
``dkimVerdict`` and ``dmarcVerdict`` (each ``{"status": PASS|FAIL|GRAY|PROCESSING_FAILED}``; a failed DMARC
check adds ``dmarcPolicy``), plus the Lambda ``action``. Timestamps are ISO 8601 with milliseconds.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    hex_digits,
    iso_ms,
    many,
    token,
)

SOURCE = "ses"
BATCHING = False
VARIANTS = ("pass", "spam", "virus", "spoofed")
VERDICTS = {
    "pass": ("PASS", "PASS", "PASS", "PASS", "PASS"),
    "spam": ("FAIL", "PASS", "PASS", "PASS", "PASS"),
    "virus": ("PASS", "FAIL", "PASS", "PASS", "PASS"),
    "spoofed": ("PASS", "PASS", "FAIL", "FAIL", "FAIL"),
}
"""Spam, virus, SPF, DKIM and DMARC statuses per variant."""
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "VERDICTS", "event", "events"]


def _rfc2822(now: float) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(int(now)))


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "pass",
    source: str | None = None,
    recipients: Sequence[str] | None = None,
    subject: str | None = None,
    message_id: str | None = None,
    function_name: str = "process-inbound-mail",
) -> dict[str, Any]:
    """One SES receipt event. ``variant`` sets the verdicts (see :data:`VERDICTS`).

    ``source`` is the envelope sender, ``recipients`` the addresses the rule matched (default one address at
    a receiving domain). The mail was sent a few seconds before ``now``; the receipt ``timestamp`` is ``now``.
    """
    if variant not in VERDICTS:
        raise ConfigError(f"variant={variant!r} is not an SES verdict set; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    first, last = _fake.first_name(r()), _fake.last_name(r())
    sender = source or _fake.email(r(), first, last)
    domain = f"{_fake.word(r()).lower()}-mail.example.com"
    to = list(recipients) if recipients is not None else [f"orders@{domain}"]
    subject = subject if subject is not None else _fake.sentence(r()).rstrip(".")
    sent = now - r().randrange(1, 6)
    rfc_id = f"<{hex_digits(r(), 24)}@mail.{sender.split('@')[1]}>"
    ses_id = message_id or token(r(), 40, _LOWER_ALNUM)
    date = _rfc2822(sent)
    headers = [
        ("Return-Path", f"<{sender}>"),
        (
            "Received",
            f"from mail.{sender.split('@')[1]} by inbound-smtp.{region}.amazonaws.com; {_rfc2822(now)}",
        ),
        ("From", f"{first} {last} <{sender}>"),
        ("Date", date),
        ("Subject", subject),
        ("Message-ID", rfc_id),
        ("To", ", ".join(to)),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="UTF-8"'),
    ]
    spam, virus, spf, dkim, dmarc = VERDICTS[variant]
    receipt: dict[str, Any] = {
        "timestamp": iso_ms(now),
        "processingTimeMillis": r().randrange(200, 1500),
        "recipients": to,
        "spamVerdict": {"status": spam},
        "virusVerdict": {"status": virus},
        "spfVerdict": {"status": spf},
        "dkimVerdict": {"status": dkim},
        "dmarcVerdict": {"status": dmarc},
    }
    if dmarc == "FAIL":
        receipt["dmarcPolicy"] = "reject"
    receipt["action"] = {
        "type": "Lambda",
        "functionArn": arn("lambda", region, account_id, f"function:{function_name}"),
        "invocationType": "Event",
    }
    mail = {
        "timestamp": iso_ms(sent),
        "source": sender,
        "messageId": ses_id,
        "destination": to,
        "headersTruncated": False,
        "headers": [{"name": k, "value": v} for k, v in headers],
        "commonHeaders": {
            "returnPath": sender,
            "from": [f"{first} {last} <{sender}>"],
            "date": date,
            "to": to,
            "messageId": rfc_id,
            "subject": subject,
        },
    }
    return {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": mail, "receipt": receipt}}]}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
