"""Every timestamp the API answers has a UTC offset and every amount two decimals (issue 14
item 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from ace321.api.schemas.trips import EXAMPLE_TRIP

DAY = "2026-11-23"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
AMOUNT = re.compile(r"^-?\d+\.\d\d(\d*[1-9])?$")


def walk(document: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, text) of every string in the document."""
    if isinstance(document, dict):
        return [item for key, value in document.items() for item in walk(value, f"{path}.{key}")]
    if isinstance(document, list):
        return [item for i, value in enumerate(document) for item in walk(value, f"{path}[{i}]")]
    return [(path, document)] if isinstance(document, str) else []


def check(document: Any) -> int:
    texts = walk(document)
    times = [(p, t) for p, t in texts if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", t)]
    assert [(p, t) for p, t in times if not INSTANT.match(t)] == []
    amounts = [(p, t) for p, t in texts if p.endswith("value_usd")]
    assert [(p, t) for p, t in amounts if not AMOUNT.match(t)] == []
    return len(times)


def test_every_timestamp_answered_has_an_offset(api: Any) -> None:
    batch = api.upload([api.shipment(f"R{n}", person=f"Person {n}",
                                     phone=f"+1 716-634-01{n:02d}", arrival=DAY,
                                     lines=[{"unit_price": "450.000"}]) for n in range(1, 3)])
    seen = check(batch)
    seen += check(api.get(f"/v1/batches/{batch['id']}").json())
    overridden = api.post("/v1/shipments/R1/override",
                          json={"decision": "FORMAL_ENTRY", "reason": "broker asks"})
    assert overridden.status_code == 200, overridden.text
    shown = api.get("/v1/shipments/R1").json()
    assert [d["value_usd"] for d in shown["decisions"]] == ["450.00", "450.00"]
    seen += check(shown)
    seen += check(api.get("/v1/shipments").json())
    trip = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": ["R1", "R2"]})
    assert trip.status_code == 201, trip.text
    seen += check(trip.json())
    seen += check(api.get(f"/v1/trips/{trip.json()['trip_number']}").json())
    assert seen >= 8
