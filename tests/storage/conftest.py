"""Fixtures for the storage tests: every test runs against SQLite (a temporary file) and
PostgreSQL (127.0.0.1:5432, database ``test``, a fresh schema for the run, dropped after).

PostgreSQL parameters are skipped when the server is unreachable, unless
``ACE321_TEST_POSTGRES=required``: then they fail loudly.

Helpers reach the tests through the ``kit`` fixture (test modules are imported with
``--import-mode=importlib`` and cannot import this module by name).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)

SHIPPER = {
    "shipper_name": "Maple Leaf Apparel Inc.", "shipper_address": "200 Front St W",
    "shipper_city": "Toronto", "shipper_state": "ON", "shipper_postal_code": "M5V 3K2",
    "shipper_country": "CA",
}
LINE = {
    "description": "MENS COTTON T-SHIRT", "quantity": "1", "unit_price": "10.00",
    "currency": "USD", "country_of_origin": "CA", "hts_code": "6109.10.0012", "weight": "0.5",
    "weight_unit": "kg",
}


@pytest.fixture
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path, db_url: str) -> Any:
    """An empty, unmigrated database of the same kind as ``db_url``."""
    from sqlalchemy import create_engine, text

    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    pg = request.getfixturevalue("_pg_schema")
    schema = f"ace321_fresh_{uuid.uuid4().hex[:10]}"
    engine = create_engine(pg.admin)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg.admin}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def db(db_url: str) -> Any:
    from ace321.storage import Database

    database = Database.open(db_url)
    yield database
    database.close()


class Kit:
    NOW = NOW

    def __init__(self) -> None:
        from ace321.rules import load_rules

        self.rules = load_rules()

    @staticmethod
    def shipment(shipment_id: str, *, person: str = "Ann Lee", phone: str = "+1 716-634-0101",
                 postal: str = "14201", order_id: str | None = None, arrival: str = "2024-06-03",
                 lines: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        """A valid shipment to ``person`` (US consignee in Buffalo), one $10 line by default."""
        return {
            "order_id": order_id or shipment_id, "shipment_id": shipment_id,
            "arrival_date": arrival, **SHIPPER,
            "consignee_name": person, "consignee_address": "12 Main St",
            "consignee_city": "Buffalo", "consignee_state": "NY",
            "consignee_postal_code": postal, "consignee_country": "US",
            "consignee_phone": phone, "consignee_email": "a@example.com", "is_gift": "false",
            **fields,
            "lines": [{"sku": f"SKU-{n}", **LINE, **line}
                      for n, line in enumerate(lines or [{}], start=1)],
        }

    @staticmethod
    def frame(shipments: list[dict[str, Any]]) -> Any:
        from ace321.intake import frame_from_shipments

        return frame_from_shipments(shipments)

    def ingest(self, db: Any, shipments: list[dict[str, Any]] | Any, *, name: str = "batch.json",
               now: dt.datetime | None = None, actor: str = "tester", **kw: Any) -> Any:
        from ace321.storage import BatchInfo, ingest

        frame = self.frame(shipments) if isinstance(shipments, list) else shipments
        return ingest(db, frame, rules=self.rules, batch=BatchInfo(name, "0" * 64, frame.height),
                      actor=actor, now=now or NOW, **kw)

    @staticmethod
    def count(db: Any, table: str) -> int:
        from sqlalchemy import text

        with db.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    @staticmethod
    def stored(db: Any, shipment_id: str) -> Any:
        from sqlalchemy import select

        from ace321.storage.models import Shipment

        with db.transaction() as session:
            return session.scalars(select(Shipment).where(
                Shipment.shipment_id == shipment_id)).one()

    @staticmethod
    def verify(db: Any, **options: Any) -> Any:
        from ace321.storage.audit_verify import verify

        with db.transaction() as session:
            return verify(session, **options)

    @staticmethod
    def cli(*args: str, env: dict[str, str] | None = None) -> Any:
        from typer.testing import CliRunner

        from ace321.cli.app import app

        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit()
