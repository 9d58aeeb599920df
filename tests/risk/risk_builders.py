"""Builders of risk lines (``ace321.risk.RISK_SCHEMA``) for the signal tests (on sys.path
through conftest: test modules are imported with importlib)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ace321.risk import RISK_SCHEMA

DAY = dt.date(2025, 6, 2)  # de minimis ($800) in force
AFTER = dt.date(2025, 9, 2)  # suspended for every origin


def line(shipment_id: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "shipment_id": shipment_id, "order_id": shipment_id, "arrival": DAY,
        "person": f"person-{shipment_id}|14201", "consignee_name": f"Person {shipment_id}",
        "address": f"{abs(hash(shipment_id)) % 9000 + 1} elm st|14201", "is_gift": False,
        "description": "Men's cotton crew neck T-shirt", "hts": "6109100012", "origin": "CA",
        "sku": "TEE-1", "qty": 1.0, "unit_usd": 20.0, "kg": 0.2,
    }
    row.update(fields)
    row.setdefault("value_usd", row["qty"] * row["unit_usd"])
    row.setdefault("shipment_value", row["value_usd"])
    return row


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=RISK_SCHEMA)


def codes(scored: dict[str, Any], shipment_id: str) -> list[str]:
    return [s["code"] for s in scored[shipment_id]["signals"]]
