"""Fixtures for the API tests: the app over SQLite (a temporary file) and PostgreSQL
(127.0.0.1:5432, database ``test``, a fresh schema for the run, dropped after), reached through
HTTP with ``TestClient`` (httpx). PostgreSQL is skipped when unreachable, unless
``ACE321_TEST_POSTGRES=required``: then it fails loudly.

Helpers reach the tests through the ``api`` fixture (test modules are imported with
``--import-mode=importlib`` and cannot import this module by name).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's TestClient warns that it prefers httpx2; httpx is what this project uses.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with")

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


async def _fixed_now() -> dt.datetime:
    return NOW
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
CSV_HEADER = ("order_id,shipment_id,arrival_date,shipper_name,shipper_address,shipper_city,"
              "shipper_state,shipper_postal_code,shipper_country,consignee_name,"
              "consignee_address,consignee_city,consignee_state,consignee_postal_code,"
              "consignee_country,consignee_phone,description,quantity,unit_price,currency,"
              "country_of_origin,hts_code,weight,weight_unit")


@pytest.fixture
def api_db_url(db_url: str) -> str:
    """The shared ``db_url`` (tests/conftest.py): SQLite and PostgreSQL."""
    return db_url


@pytest.fixture(scope="session")
def rules() -> Any:
    from ace321.rules import load_rules

    return load_rules()


class Api:
    """The app over one database, a client, and keys of two tenants in every role."""

    NOW = NOW
    CSV_HEADER = CSV_HEADER

    def __init__(self, url: str, rules: Any, **settings: Any) -> None:
        from fastapi.testclient import TestClient

        from ace321.api import create_app
        from ace321.api.settings import Settings

        self.url = url
        from ace321.api.deps import get_now

        self.app = create_app(url, rules=rules, settings=Settings(**settings))
        # The server's clock is fixed: trips filed "now" must stay before EXAMPLE_TRIP's arrival
        # whatever day the suite runs on.
        self.app.dependency_overrides[get_now] = _fixed_now
        self.db = self.app.state.db
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self._keys: dict[tuple[str, str], str] = {}

    def key(self, tenant: str = "acme", role: str = "admin") -> str:
        from ace321.storage.api_keys import create_key

        if (tenant, role) not in self._keys:
            self._keys[(tenant, role)] = create_key(
                self.db, tenant=tenant, role=role, actor="tests", now=NOW).key
        return self._keys[(tenant, role)]

    def auth(self, tenant: str = "acme", role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(tenant, role)}"}

    def request(self, method: str, path: str, *, tenant: str = "acme", role: str = "admin",
                headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.request(method, path, headers={**self.auth(tenant, role),
                                                          **(headers or {})}, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

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
            "consignee_phone": phone, "is_gift": "false", **fields,
            "lines": [{"sku": f"SKU-{n}", **LINE, **line}
                      for n, line in enumerate(lines or [{}], start=1)],
        }

    @staticmethod
    def csv(rows: list[tuple[str, ...]] | int, *, arrival: str = "2024-06-03") -> bytes:
        """A canonical CSV: ``rows`` one-line shipments S1..Sn, or the given cells."""
        if isinstance(rows, int):
            rows = [(f"S{n}", f"S{n}", arrival, "Maple Leaf Apparel Inc.", "200 Front St W",
                     "Toronto", "ON", "M5V 3K2", "CA", f"Person {n}", "12 Main St", "Buffalo",
                     "NY", "14201", "US", f"+1 716-634-{n:04d}", "MENS COTTON T-SHIRT", "1",
                     "10.00", "USD", "CA", "6109.10.0012", "0.5", "kg")
                    for n in range(1, rows + 1)]
        return ("\n".join([CSV_HEADER, *(",".join(r) for r in rows)]) + "\n").encode()

    def upload(self, shipments: list[dict[str, Any]], **kw: Any) -> Any:
        response = self.post("/v1/batches", json=shipments, **kw)
        assert response.status_code == 201, response.text
        return response.json()

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.db.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def close(self) -> None:
        self.client.close()
        self.db.close()


@pytest.fixture
def api(api_db_url: str, rules: Any) -> Any:
    handle = Api(api_db_url, rules)
    yield handle
    handle.close()


@pytest.fixture
def make_api(api_db_url: str, rules: Any) -> Any:
    """An Api with other settings (e.g. a small body limit)."""
    made: list[Api] = []

    def make(**settings: Any) -> Api:
        made.append(Api(api_db_url, rules, **settings))
        return made[-1]

    yield make
    for handle in made:
        handle.close()


@pytest.fixture(scope="session")
def helpers() -> Any:
    return SimpleNamespace(problem=assert_problem)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance", "issues"}
    assert body["status"] == status
    assert isinstance(body["issues"], list)
    for item in body["issues"]:
        assert set(item) == {"code", "severity", "field", "row", "message"}
    return body


@pytest.fixture(scope="session")
def kit_cli() -> Any:
    """Run the ``ace321`` command in-process."""
    from typer.testing import CliRunner

    from ace321.cli.app import app

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def api_factory_key() -> Any:
    """Create a key directly in a database (for servers started in a subprocess)."""

    def make(url: str, tenant: str, role: str) -> str:
        from ace321.storage import Database
        from ace321.storage.api_keys import create_key

        database = Database.open(url)
        try:
            return create_key(database, tenant=tenant, role=role, actor="tests", now=NOW).key
        finally:
            database.close()

    return make


@pytest.fixture(scope="session")
def ship() -> Any:
    """``Api.shipment``: a valid one-line shipment to a person in Buffalo."""
    return Api.shipment
