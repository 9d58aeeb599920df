"""Validation against the real 2026 USITC schedule in ../shared/data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from ace321.intake import frame_from_shipments
from ace321.intake.hts_table import known_codes, read_hts_table
from ace321.rules import load_rules
from ace321.screening import screen

HTS_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / "hts_2026_revision_4.csv"
BASE = {
    "order_id": "O1", "shipper_name": "Maple Fulfilment Inc.", "shipper_address": "2500 Dixie Rd",
    "shipper_city": "Mississauga", "shipper_state": "ON", "shipper_postal_code": "L4Y 2A1",
    "shipper_country": "CA", "consignee_name": "Ana Ruiz", "consignee_address": "12 Elm St",
    "consignee_city": "Buffalo", "consignee_state": "NY", "consignee_postal_code": "14201",
    "consignee_country": "US", "consignee_phone": "716-462-0101",
}
LINE = {"description": "COTTON T-SHIRT", "quantity": "1", "unit_price": "1.00", "currency": "USD",
        "country_of_origin": "CA", "weight": "0.1", "weight_unit": "kg"}


@pytest.fixture(scope="module")
def ten_digit_codes() -> list[str]:
    table = pl.read_csv(HTS_FILE, infer_schema=False, encoding="utf8")
    codes = table.filter(pl.col("HTS Number").str.replace_all(r"\.", "").str.len_chars() == 10)
    return codes["HTS Number"].to_list()


def test_the_schedule_has_its_ten_digit_lines(ten_digit_codes: list[str]) -> None:
    assert len(ten_digit_codes) == 19_856


def test_every_ten_digit_code_passes_the_format_check(ten_digit_codes: list[str]) -> None:
    shipments = [{**BASE, "order_id": f"O{i // 500}", "shipment_id": f"S{i // 500}",
                  "lines": [{**LINE, "hts_code": code} for code in ten_digit_codes[i:i + 500]]}
                 for i in range(0, len(ten_digit_codes), 500)]
    result = screen(frame_from_shipments(shipments), rules=load_rules(),
                    default_arrival=dt.date(2024, 6, 3))
    assert result.issues.filter(pl.col("code") == "INVALID_HTS").height == 0


def test_with_the_schedule_a_made_up_code_is_unknown(ten_digit_codes: list[str]) -> None:
    known = known_codes(read_hts_table(HTS_FILE))
    lines = [{**LINE, "hts_code": "6109.10.00.12"}, {**LINE, "hts_code": "6109.10.00.99"},
             {**LINE, "hts_code": "9999.99.99.99"}]
    result = screen(frame_from_shipments([{**BASE, "lines": lines}]), rules=load_rules(),
                    default_arrival=dt.date(2024, 6, 3), hts=known)
    unknown = result.issues.filter(pl.col("code") == "UNKNOWN_HTS")
    assert unknown["field"].to_list() == ["lines[1].hts_code", "lines[2].hts_code"]
    assert result.shipments["decision"].to_list() == ["INVALID"]
