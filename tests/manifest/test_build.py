"""Building a manifest from screened shipments (pure; SCNs supplied by the caller)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

import pytest

from ace321.intake import frame_from_shipments
from ace321.manifest.build import ace_text, build_manifest, cut_at_word
from ace321.manifest.model import LicensePlate, Person, Trailer, Trip, Truck
from ace321.rules import load_rules
from ace321.screening import screen

UNITS = {"PKG", "BOX", "CTN"}
BASE = {
    "shipper_name": "Maple Fulfilment Inc.", "shipper_address": "2500 Dixie Rd",
    "shipper_city": "Mississauga", "shipper_state": "ON", "shipper_postal_code": "L4Y 2A1",
    "shipper_country": "CA", "consignee_address": "12 Elm St", "consignee_city": "Buffalo",
    "consignee_state": "NY", "consignee_postal_code": "14201", "consignee_country": "US",
}
LINE = {"description": "Cotton T-shirt", "quantity": "2", "unit_price": "10.00", "currency": "USD",
        "country_of_origin": "CA", "hts_code": "6109.10.0012", "weight": "0.45", "weight_unit": "kg"}


def trip(trailers: bool = True) -> Trip:
    return Trip(
        carrier_scac="MAPL", port_of_arrival="0901",
        estimated_arrival=dt.datetime.fromisoformat("2026-11-23T14:30:00-05:00"),
        truck=Truck(number="T12", type="TR", vin="1FUJGLDR3CLBP8834",
                    license_plates=[LicensePlate(number="AB12345", state_province="ON")]),
        trailers=[Trailer(number="TR9", type="TL", license_plates=[
            LicensePlate(number="P1234X", state_province="ON")])] if trailers else [],
        drivers=[Person(first_name="Ana", last_name="Silva", fast_card_number="42705555555501")],
    )


def shipment(order: str, name: str, phone: str, *lines: dict, **extra: str) -> dict:
    return {**BASE, "order_id": order, "consignee_name": name, "consignee_phone": phone, **extra,
            "lines": [dict(LINE, **line) for line in lines] or [LINE]}


def scns() -> object:
    numbers = count(1)
    return lambda n: [f"MAPL{next(numbers):012d}" for _ in range(n)]


def build(shipments: list[dict], day: str, **options: object):
    result = screen(frame_from_shipments(shipments), rules=load_rules(),
                    default_arrival=dt.date.fromisoformat(day))
    return build_manifest(trip(options.pop("trailers", True)), "MAPL20261123A", result,
                          allocate_scns=scns(), packaging_units=UNITS, **options)


def test_section_321_only_when_the_decision_is_section_321() -> None:
    shipments = [shipment("A", "Ana Ruiz", "716-462-0101"),
                 shipment("B", "Ben Cole", "716-462-0102", {"unit_price": "900"})]
    before = build(shipments, "2025-08-28").manifest
    assert [s.type for s in before.shipments] == ["SECTION 321", "PAPS"]
    after = build(shipments, "2025-08-29").manifest
    assert [s.type for s in after.shipments] == ["PAPS", "PAPS"]


def test_commodity_fields() -> None:
    outcome = build([shipment("A", "José O'Brien", "716-462-0101",
                              {"description": "Café crème mug", "weight": "1.01", "quantity": "3"})],
                    "2024-06-03")
    ace = outcome.manifest.shipments[0]
    assert ace.scn == "MAPL000000000001"
    assert ace.consignee.name == "JOSE O'BRIEN"
    assert ace.province_of_loading == "ON"
    commodity = ace.commodities[0]
    assert commodity.description == "CAFE CREME MUG"
    assert (commodity.quantity, commodity.weight, commodity.weight_unit) == (3, 2, "K")
    assert commodity.value_usd == Decimal("30.00")
    assert commodity.packaging_unit == "PKG"
    assert commodity.loaded_on.type == "TRAILER" and commodity.loaded_on.number == "TR9"


def test_loaded_on_the_truck_without_trailers() -> None:
    outcome = build([shipment("A", "Ana Ruiz", "716-462-0101")], "2024-06-03", trailers=False)
    assert outcome.manifest.shipments[0].commodities[0].loaded_on.type == "TRUCK"


def test_long_description_is_truncated_with_a_warning() -> None:
    outcome = build([shipment("A", "Ana Ruiz", "716-462-0101", {"description": "X" * 50})],
                    "2024-06-03")
    assert len(outcome.manifest.shipments[0].commodities[0].description) == 45
    assert [i["code"] for i in outcome.issues] == ["DESCRIPTION_TRUNCATED"]


def test_long_description_is_cut_at_a_word_boundary() -> None:
    text = "Mens organic cotton crew neck t-shirt with chest pocket, navy"
    outcome = build([shipment("A", "Ana Ruiz", "716-462-0101", {"description": text})],
                    "2024-06-03")
    filed = outcome.manifest.shipments[0].commodities[0].description
    assert filed == "MENS ORGANIC COTTON CREW NECK T-SHIRT WITH"
    assert len(filed) <= 45 and text.upper().startswith(filed + " ")
    assert f'"{filed}"' in outcome.issues[0]["message"]


@pytest.mark.parametrize(("text", "expected"), [
    ("SHORT ENOUGH", "SHORT ENOUGH"),
    ("A" * 45 + " B", "A" * 45),            # the limit falls on a boundary
    ("WORD " * 10, "WORD WORD WORD WORD WORD WORD WORD WORD WORD"),
    ("X" * 50, "X" * 45),                   # one word longer than the field: cut at the limit
    ("HATS, SCARVES, MITTENS AND GLOVES OF WOOL KNIT", "HATS, SCARVES, MITTENS AND GLOVES OF WOOL"),
])
def test_cut_at_word(text: str, expected: str) -> None:
    assert cut_at_word(text, 45) == expected


def test_commodity_keeps_its_exact_weight() -> None:
    lines = [{"sku": "A", "weight": "0.4"}, {"sku": "B", "weight": "0.7"}]
    grouped = build([shipment("A", "Ana Ruiz", "716-462-0101", *lines)], "2024-06-03",
                    group_commodities=True).manifest.shipments[0].commodities
    assert [(c.weight, c.exact_weight) for c in grouped] == [(2, Decimal("1.1"))]


def test_unknown_packaging_unit_is_an_error() -> None:
    outcome = build([shipment("A", "Ana Ruiz", "716-462-0101", {"packaging_unit": "XYZ"})],
                    "2024-06-03")
    assert outcome.manifest is None
    assert outcome.issues[0]["code"] == "INVALID_PACKAGING_UNIT"


def test_grouping_commodities_by_hts_and_origin() -> None:
    lines = [{"sku": "A"}, {"sku": "B", "unit_price": "5"}, {"hts_code": "4901.99.00.93", "sku": "C"}]
    grouped = build([shipment("A", "Ana Ruiz", "716-462-0101", *lines)], "2024-06-03",
                    group_commodities=True).manifest.shipments[0].commodities
    assert [(c.hts, c.quantity, c.value_usd) for c in grouped] == [
        ("6109100012", 4, Decimal("30.00")), ("4901990093", 2, Decimal("20.00"))]


def test_invalid_shipments_stop_the_build_unless_skipped() -> None:
    shipments = [shipment("A", "Ana Ruiz", "716-462-0101"),
                 shipment("B", "Ben Cole", "716-462-0102", {"hts_code": "12"})]
    stopped = build(shipments, "2024-06-03")
    assert stopped.manifest is None and stopped.issues[0]["code"] == "INVALID_SHIPMENT"
    skipped = build(shipments, "2024-06-03", skip_invalid=True)
    assert skipped.skipped == ["B"] and len(skipped.manifest.shipments) == 1


def test_one_scn_per_consignee_drop() -> None:
    shipments = [shipment("A", "Ana Ruiz", "716-462-0101"), shipment("B", "ANA RUIZ", "716-462-0101"),
                 shipment("C", "Ben Cole", "716-462-0102")]
    manifest = build(shipments, "2024-06-03").manifest
    assert [s.scn for s in manifest.shipments] == ["MAPL000000000001", "MAPL000000000002"]
    assert len(manifest.shipments[0].commodities) == 2


def test_gift_goes_as_paps_with_a_note() -> None:
    manifest = build([shipment("G", "Ana Ruiz", "716-462-0101", is_gift="true")], "2026-11-23").manifest
    assert manifest.shipments[0].type == "PAPS" and "gift" in manifest.shipments[0].notes[0]


def test_hazmat_needs_an_emergency_contact() -> None:
    outcome = build([shipment("H", "Ana Ruiz", "716-462-0101", {"hazmat_un": "UN1263"})], "2024-06-03")
    assert outcome.issues[0]["code"] == "HAZMAT_NO_CONTACT"
    contact = {"hazmat_un": "UN1263", "hazmat_contact_name": "CHEMTREC",
               "hazmat_contact_phone": "+1 800 424 9300"}
    ok = build([shipment("H", "Ana Ruiz", "716-462-0101", contact)], "2024-06-03")
    assert ok.manifest.shipments[0].commodities[0].hazmat_un == "1263"


@pytest.mark.parametrize(("text", "expected"), [("Zoë's crème brûlée", "ZOE'S CREME BRULEE"),
                                                 ("  two   spaces ", "TWO SPACES")])
def test_ace_text(text: str, expected: str) -> None:
    assert ace_text(text) == expected
