"""A stored shipment's cost estimate as the pages show it: a row per line, the totals, and what
the estimate was made under.

Every figure is the core's (``ace321.costs.document``, stored at ingest); nothing is priced
again here. Amounts become ``Decimal`` (the stored text is exact) so the page prints them with
two decimals; a line's description is taken from the stored line it prices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

ENTRY_TYPES = {"01": "Formal entry (type 01)", "11": "Informal entry (type 11)"}
CURRENCY = "USD"  # the core estimates in US dollars only (ace321.costs.duty)


def _amount(text: Any) -> Decimal | None:
    return None if text is None or text == "" else Decimal(str(text))


def costs_section(costs: dict[str, Any] | None, lines: list[dict[str, Any]],
                  arrival_date: str | dt.date | None) -> dict[str, Any] | None:
    """The ``costs`` of ``shipment_detail`` with the shipment's ``lines`` (same order, as
    stored); None when no estimate is stored (a shipment entered under Section 321, say)."""
    if not costs:
        return None
    rows = []
    for index, line in enumerate(costs.get("lines") or []):
        stored = lines[index] if index < len(lines) else {}
        # The estimate's lines and the stored lines are both in input order; the HTS code must
        # agree, else the description would name another line.
        same = stored.get("hts_code") == line.get("hts_code")
        rows.append({
            "no": index + 1,
            "hts_code": line.get("hts_code"),
            "description": stored.get("description") if same else None,
            "value_usd": _amount(line.get("value_usd")),
            "rate_line": line.get("rate_line"),
            "column": line.get("column"),
            "rate_text": line.get("rate_text"),
            "duty_usd": _amount(line.get("duty_usd")),
            "measures": [{**m, "amount_usd": _amount(m.get("amount_usd"))}
                         for m in line.get("measures") or []],
            "not_estimated": line.get("not_estimated") or [],
        })
    totals = [("Duty (ordinary and additional)", _amount(costs.get("duty_usd"))),
              ("Merchandise Processing Fee (MPF)", _amount(costs.get("mpf_usd")))]
    if costs.get("hmf_usd") is not None:
        totals.append(("Harbor Maintenance Fee (HMF)", _amount(costs["hmf_usd"])))
    entry_type = costs.get("entry_type")
    on_lines = {item.get("code") for row in rows for item in row["not_estimated"]}
    return {
        "entry_type": entry_type,
        "entry_label": ENTRY_TYPES.get(entry_type or "", "No entry (not priced)"),
        "value_usd": _amount(costs.get("value_usd")),
        "lines": rows,
        "totals": totals,
        "total_usd": _amount(costs.get("total_usd")),
        "currency": CURRENCY,
        "fiscal_year": costs.get("fiscal_year"),
        "hts_revision": costs.get("hts_revision"),
        "rules_version": costs.get("rules_version"),
        "as_of": str(arrival_date) if arrival_date else None,
        # The shipment's list repeats its lines' items: only those of no line are added.
        "not_estimated": [item for item in costs.get("not_estimated") or []
                          if item.get("code") not in on_lines],
        "warnings": costs.get("warnings") or [],
    }
