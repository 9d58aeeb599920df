"""Shared helpers for the screening scenario and property tests.

The helpers are handed to tests through the session fixture ``kit`` (the test modules are
imported with ``--import-mode=importlib`` and cannot import this module by name).

A shipment is built from a valid default template: a Canadian shipper in Ontario and a US
consignee in Buffalo NY. Every shipment id of a case gets its own consignee (name, street
address and phone), so shipments are independent unless a case gives them the same person.
Line defaults: one cotton T-shirt (HTS 6109.10.0012), USD 10.00, made in Canada, 0.5 kg.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

HTS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hts_2026_revision_4.csv"

DEFAULT_SHIPPER = {
    "shipper_name": "Maple Leaf Apparel Inc.",
    "shipper_address": "200 Front St W",
    "shipper_city": "Toronto",
    "shipper_state": "ON",
    "shipper_postal_code": "M5V 3K2",
    "shipper_country": "CA",
}

DEFAULT_LINE = {
    "description": "MENS COTTON T-SHIRT",
    "quantity": "1",
    "unit_price": "10.00",
    "currency": "USD",
    "country_of_origin": "CA",
    "hts_code": "6109.10.0012",
    "weight": "0.5",
    "weight_unit": "kg",
}


def default_consignee(shipment_id: str, index: int) -> dict[str, str]:
    """A valid US consignee unique to one shipment id (index = its rank in the case).

    Phones 716-634-0100.. are valid for libphonenumber; scenarios that need a shared person
    use explicit phones in 716-462-xxxx, which never collide with these.
    """
    return {
        "consignee_name": f"Consignee {shipment_id}",
        "consignee_address": f"{100 + index} Main St",
        "consignee_city": "Buffalo",
        "consignee_state": "NY",
        "consignee_postal_code": "14201",
        "consignee_country": "US",
        "consignee_phone": f"+1 716-634-{100 + index:04d}",
        "consignee_email": f"consignee{index}@example.com",
    }


def build_shipments(
    specs: list[dict[str, Any]], arrival_date: str | None = None
) -> list[dict[str, Any]]:
    """Fill every field a shipment spec does not give from the default template.

    A key given with value ``None`` stays ``None`` (a missing value). Each line gets the sku
    ``SKU-<n>`` (1-based position in the shipment) unless it gives one, so that lines of one
    shipment differ unless a scenario makes them identical on purpose.
    """
    ranks: dict[str, int] = {}
    shipments = []
    for position, spec in enumerate(specs):
        spec = dict(spec)
        shipment_id = spec.get("shipment_id") or spec.get("order_id") or f"S{position + 1}"
        rank = ranks.setdefault(shipment_id, len(ranks))
        shipment: dict[str, Any] = {
            "order_id": shipment_id,
            "shipment_id": shipment_id,
            "arrival_date": arrival_date,
            **DEFAULT_SHIPPER,
            **default_consignee(shipment_id, rank),
            "is_gift": "false",
        }
        line_specs = spec.pop("lines", None) or [{}]
        shipment.update(spec)
        shipment["lines"] = [
            {"sku": f"SKU-{number}", **DEFAULT_LINE, **line}
            for number, line in enumerate(line_specs, start=1)
        ]
        shipments.append(shipment)
    return shipments


def write_rates(rows: list[dict[str, str]], directory: Path) -> Path:
    path = directory / "rates.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "currency", "usd_per_unit"])
        for row in rows:
            writer.writerow([row["date"], row["currency"], row["usd_per_unit"]])
    return path


class _Kit:
    """Lazily imports the engine, so that collection works before it exists."""

    def __init__(self) -> None:
        self._rules = None
        self._hts = None

    @property
    def rules(self):
        if self._rules is None:
            from ace321.rules import load_rules

            self._rules = load_rules()
        return self._rules

    @property
    def hts(self):
        if self._hts is None:
            from ace321.intake.hts_table import known_codes, read_hts_table

            self._hts = known_codes(read_hts_table(HTS_CSV))
        return self._hts

    def screen(
        self,
        shipments: list[dict[str, Any]],
        *,
        rates: list[dict[str, str]] | None = None,
        rates_dir: Path | None = None,
        use_hts: bool = False,
        default_arrival: str | None = None,
    ) -> dict[str, Any]:
        from ace321.intake import frame_from_shipments
        from ace321.screening import screen

        rate_frame = None
        if rates:
            from ace321.intake.rates import read_rates

            assert rates_dir is not None, "rates need a directory to write the CSV into"
            rate_frame = read_rates(write_rates(rates, rates_dir))
        frame = frame_from_shipments(shipments)
        result = screen(
            frame,
            rules=self.rules,
            default_arrival=dt.date.fromisoformat(default_arrival) if default_arrival else None,
            rates=rate_frame,
            hts=self.hts if use_hts else None,
        )
        return result.to_document()

    @staticmethod
    def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for shipment in document["shipments"]:
            sid = shipment["shipment_id"]
            assert sid not in out, f"shipment {sid} reported twice"
            out[sid] = shipment
        return out

    @staticmethod
    def codes(items: list[dict[str, Any]]) -> list[str]:
        return [item["code"] for item in items]

    @staticmethod
    def decimal(value: Any) -> Decimal:
        return Decimal(str(value))


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    engine = _Kit()
    return SimpleNamespace(
        build_shipments=build_shipments,
        default_consignee=default_consignee,
        screen=engine.screen,
        by_id=engine.by_id,
        codes=engine.codes,
        decimal=engine.decimal,
        engine=engine,
    )
