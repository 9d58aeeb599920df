"""Fixtures of the application-layer tests: a migrated database (SQLite and PostgreSQL, from
``tests/conftest.py``'s ``db_url``) and a few valid shipments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

NOW = dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC)
EXAMPLES = Path(__file__).parents[2] / "examples"
SHIPPER = {
    "shipper_name": "Maple Leaf Apparel Inc.", "shipper_address": "200 Front St W",
    "shipper_city": "Toronto", "shipper_state": "ON", "shipper_postal_code": "M5V 3K2",
    "shipper_country": "CA",
}
LINE = {
    "sku": "SKU-1", "description": "MENS COTTON T-SHIRT", "quantity": "1", "unit_price": "10.00",
    "currency": "USD", "country_of_origin": "CA", "hts_code": "6109.10.0012", "weight": "0.5",
    "weight_unit": "kg",
}


class Kit:
    NOW = NOW
    EXAMPLES = EXAMPLES

    def __init__(self) -> None:
        from ace321.rules import load_rules

        self.rules = load_rules()

    @staticmethod
    def shipment(shipment_id: str, *, n: int = 1, arrival: str = "2026-11-23",
                 **line: Any) -> dict[str, Any]:
        """A valid shipment to its own person in Buffalo (one $10 line unless changed)."""
        return {
            "order_id": shipment_id, "shipment_id": shipment_id, "arrival_date": arrival,
            **SHIPPER, "consignee_name": f"Person {shipment_id}",
            "consignee_address": "12 Main St", "consignee_city": "Buffalo",
            "consignee_state": "NY", "consignee_postal_code": "14201",
            "consignee_country": "US", "consignee_phone": f"+1 716-634-{n:04d}",
            "lines": [{**LINE, **line}],
        }

    def ingest(self, db: Any, shipments: list[dict[str, Any]], *, tenant: str = "default",
               name: str = "b.json", **kw: Any) -> Any:
        from ace321.app.ingest import BatchInfo, ingest_batch
        from ace321.intake import frame_from_shipments

        frame = frame_from_shipments(shipments)
        return ingest_batch(db, frame, rules=self.rules,
                            source=BatchInfo(name, "0" * 64, frame.height), tenant=tenant,
                            actor="tester", now=kw.pop("now", NOW), **kw)

    @staticmethod
    def tenant(db: Any, name: str) -> int:
        from ace321.storage.api_keys import ensure_tenant

        with db.transaction() as session:
            return ensure_tenant(session, name, NOW)

    @staticmethod
    def trip(**changes: Any) -> dict[str, Any]:
        """examples/trip.yaml as a mapping (what an API or web request carries)."""
        from ace321.manifest.trip_file import load_trip

        trip, issues = load_trip(EXAMPLES / "trip.yaml")
        assert trip is not None and issues == []
        return {**trip.model_dump(mode="json", exclude_none=True), **changes}


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit()


@pytest.fixture
def db(db_url: str) -> Any:
    from ace321.storage import Database

    database = Database.open(db_url)
    yield database
    database.close()
