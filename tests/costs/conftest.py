"""Helpers for the cost tests: shipments from small specs, screened and priced."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

SHIPPER = {
    "shipper_name": "Maple Leaf Apparel Inc.", "shipper_address": "200 Front St W",
    "shipper_city": "Toronto", "shipper_state": "ON", "shipper_postal_code": "M5V 3K2",
    "shipper_country": "CA",
}
LINE = {
    "description": "MENS COTTON T-SHIRT", "quantity": "1", "unit_price": "10.00", "currency": "USD",
    "country_of_origin": "CA", "hts_code": "6109.10.00.12", "weight": "0.5", "weight_unit": "kg",
}


def consignee(index: int) -> dict[str, str]:
    return {
        "consignee_name": f"Consignee {index}", "consignee_address": f"{100 + index} Main St",
        "consignee_city": "Buffalo", "consignee_state": "NY", "consignee_postal_code": "14201",
        "consignee_country": "US", "consignee_phone": f"+1 716-634-{100 + index:04d}",
    }


def shipments(specs: list[dict[str, Any]], arrival: str) -> list[dict[str, Any]]:
    built = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        shipment_id = spec.pop("shipment_id", f"S{index + 1}")
        lines = spec.pop("lines", [{}])
        person = consignee(spec.pop("person", index))
        built.append({
            "order_id": spec.pop("order_id", shipment_id), "shipment_id": shipment_id,
            "arrival_date": spec.pop("arrival_date", arrival), **SHIPPER, **person, **spec,
            "lines": [{"sku": f"SKU-{n}", **LINE, **line} for n, line in enumerate(lines, 1)],
        })
    return built


class _Kit:
    def __init__(self) -> None:
        from ace321.rules import load_rules

        self.rules = load_rules()

    def screen(self, specs: list[dict[str, Any]], arrival: str = "2026-11-23") -> Any:
        from ace321.intake import frame_from_shipments
        from ace321.screening import screen

        return screen(frame_from_shipments(shipments(specs, arrival)), rules=self.rules,
                      default_arrival=dt.date.fromisoformat(arrival))

    def costs(self, specs: list[dict[str, Any]], arrival: str = "2026-11-23") -> dict[str, Any]:
        from ace321.costs import estimate
        from ace321.costs.document import shipment_documents

        return shipment_documents(estimate(self.screen(specs, arrival), rules=self.rules))

    def one(self, lines: list[dict[str, Any]], arrival: str = "2026-11-23", **spec: Any) -> dict[str, Any]:
        return self.costs([{"lines": lines, **spec}], arrival)["S1"]


@pytest.fixture(scope="session")
def costs_kit() -> _Kit:
    return _Kit()


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in items]


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    return SimpleNamespace(codes=codes, shipments=shipments)


def plan(kit: _Kit, specs: list[dict[str, Any]], arrival: str, entry_fee: str = "0") -> dict[str, Any]:
    from decimal import Decimal

    from ace321.costs import estimate
    from ace321.costs.plan import plan_conveyances

    result = kit.screen(specs, arrival)
    return plan_conveyances(result, estimate(result, rules=kit.rules), kit.rules,
                            entry_fee=Decimal(entry_fee))


@pytest.fixture(scope="session")
def planner(costs_kit: _Kit) -> Any:
    return lambda specs, arrival, entry_fee="0": plan(costs_kit, specs, arrival, entry_fee)
