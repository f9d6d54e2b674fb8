"""Receipt CSV files: ``sku,quantity,unit_price`` with a header line."""

from __future__ import annotations

import csv
import io


class ReceiptError(ValueError):
    pass


def total(text: str) -> float:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or set(rows[0]) != {"sku", "quantity", "unit_price"}:
        raise ReceiptError("expected the header sku,quantity,unit_price and at least one row")
    try:
        return round(sum(int(r["quantity"]) * float(r["unit_price"]) for r in rows), 2)
    except (TypeError, ValueError) as exc:
        raise ReceiptError(f"bad row: {exc}") from None
