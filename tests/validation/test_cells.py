"""Item 10.3/10.4: cells that cannot be stored or filed are errors at intake, with row and field,
on every input path and whatever the backend (``ace321.validation.cells``)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from ace321.intake import columns, frame_from_shipments
from ace321.rules import load_rules
from ace321.screening import screen
from ace321.validation import cells

RULES = load_rules()
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


def shipment(shipment_id: str, lines: list[dict[str, Any]] | None = None, **fields: Any
             ) -> dict[str, Any]:
    return {"order_id": shipment_id, "shipment_id": shipment_id, "arrival_date": "2024-06-03",
            **SHIPPER, "consignee_name": "Ann Lee", "consignee_address": "12 Main St",
            "consignee_city": "Buffalo", "consignee_state": "NY",
            "consignee_postal_code": "14201", "consignee_country": "US",
            "consignee_phone": "+1 716-634-0101", **fields,
            "lines": [{**LINE, **line} for line in (lines or [{}])]}


def issues(*shipments: dict[str, Any]) -> list[dict[str, Any]]:
    result = screen(frame_from_shipments(list(shipments)), rules=RULES)
    return result.issues.to_dicts()


def codes(found: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(i["code"], i["field"], i["row"]) for i in found}


def test_a_clean_shipment_has_no_cell_issue():
    assert not [i for i in issues(shipment("S1")) if i["code"] in cells.UNSTORABLE_CODES]
    assert issues(shipment("S1")) == []


SHIPMENT_FIELDS = ["order_id", *columns.SHIPPER, *columns.CONSIGNEE]
LINE_FIELDS = [c for c in columns.ALL if columns.field_path(c).startswith("lines[]")]


@pytest.mark.parametrize("column", SHIPMENT_FIELDS)
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_a_control_character_in_a_shipment_field_names_row_and_field(column, control):
    found = issues(shipment("S1"), shipment("S2", **{column: f"A{control}B"}))
    expected = ("CONTROL_CHARACTER", columns.field_path(column), 2)
    assert expected in codes(found)
    message = next(i["message"] for i in found if i["code"] == "CONTROL_CHARACTER")
    assert f"U+{ord(control):04X}" in message and "character 2" in message


@pytest.mark.parametrize("column", LINE_FIELDS)
def test_a_nul_in_a_line_field_names_the_line(column):
    found = issues(shipment("S1", lines=[{}, {column: "1\x002"}]))
    assert ("CONTROL_CHARACTER", f"lines[1].{column}", 2) in codes(found)


def test_tabs_and_line_breaks_inside_a_cell_are_not_control_characters():
    found = issues(shipment("S1", consignee_address="12 Main St\nApt 4", consignee_name="Ann\tLee"))
    assert not [i for i in found if i["code"] == "CONTROL_CHARACTER"]


def test_an_id_with_a_nul_is_reported_on_its_row():
    found = issues(shipment("S\x001"))
    assert ("CONTROL_CHARACTER", "shipment_id", 1) in codes(found)


def test_a_megabyte_name_is_too_long_to_store_and_is_not_also_too_long_for_ace():
    found = issues(shipment("S1", consignee_name="A" * 1_000_000))
    assert codes(found) == {("VALUE_TOO_LONG", "consignee.name", 1)}
    assert "1000000 characters; at most 500" in found[0]["message"]


@pytest.mark.parametrize(("column", "limit"), sorted(cells.STORAGE_LIMITS.items()))
def test_every_stored_column_refuses_one_character_over_its_limit(column, limit):
    if column == "shipment_id":
        found = issues(shipment("X" * (limit + 1)))
        assert ("VALUE_TOO_LONG", "shipment_id", 1) in codes(found)
        return
    if column in columns.LINE or column in LINE_FIELDS or column == "is_gift":
        over = {"lines": [{column: "9" * (limit + 1)}]}
    else:
        over = {column: "9" * (limit + 1)}
    lines = over.pop("lines", None)
    found = issues(shipment("S1", lines=lines, **over))
    assert any(i["code"] == "VALUE_TOO_LONG" for i in found), found


def test_storage_limits_are_the_database_columns():
    """Independent of the table above: the lengths of the stored columns themselves."""
    from ace321.storage.models import Party, Shipment, ShipmentLine

    def length(table: Any, name: str) -> int:
        return int(table.__table__.c[name].type.length)

    schema = {"order_id": length(Shipment, "order_id"),
              "shipment_id": length(Shipment, "shipment_id"),
              "arrival_date": length(Shipment, "arrival_text"),
              "is_gift": length(Shipment, "is_gift_text"), "scn": length(Shipment, "scn")}
    for party in ("shipper", "consignee"):
        for name in ("name", "address", "address2", "city", "state", "postal_code", "country",
                     "phone", "email"):
            if f"{party}_{name}" in columns.ALL:
                schema[f"{party}_{name}"] = length(Party, name)
    for name in ("sku", "quantity", "currency", "country_of_origin", "hts_code", "weight",
                 "weight_unit", "adcvd_case", "hazmat_un", "hazmat_contact_name",
                 "hazmat_contact_phone", "packaging_unit"):
        schema[name] = length(ShipmentLine, name)
    schema["unit_price"] = length(ShipmentLine, "unit_price_text")
    assert schema == cells.STORAGE_LIMITS


@pytest.mark.parametrize(("column", "low", "high"), [
    ("consignee_name", 1, 60), ("shipper_name", 1, 60), ("consignee_city", 2, 30),
    ("shipper_city", 2, 30), ("consignee_postal_code", 1, 10), ("shipper_state", 2, 3)])
def test_party_fields_at_and_over_the_ace_limits(column, low, high):
    """BorderConnect 1.0.7 (ace_emanifest.md §4.1.2): name 1-60, city 2-30, postal 1-10,
    state 2-3. At the limit: fine; one over: TOO_LONG_FOR_ACE naming the field."""
    path = columns.field_path(column)
    postal = column.endswith("postal_code")
    fill = "9" if postal else "A"
    country = {"consignee_country": "GB"} if column == "consignee_postal_code" else {}
    at = [i for i in issues(shipment("S1", **country, **{column: fill * high}))
          if i["field"] == path]
    assert at == []
    over = issues(shipment("S1", **country, **{column: fill * (high + 1)}))
    assert ("TOO_LONG_FOR_ACE", path, 1) in codes(over)
    if low > 1:
        short = issues(shipment("S1", **{column: fill * (low - 1)}))
        assert ("TOO_SHORT_FOR_ACE", path, 1) in codes(short)


def test_address_and_second_line_are_limited_together():
    fine = issues(shipment("S1", consignee_address="A" * 55, consignee_address2="B" * 54))
    assert not [i for i in fine if i["code"] == "TOO_LONG_FOR_ACE"]
    over = issues(shipment("S1", consignee_address="A" * 55, consignee_address2="B" * 55))
    assert ("TOO_LONG_FOR_ACE", "consignee.address", 1) in codes(over)


@pytest.mark.parametrize("text", ["张伟", "محمد علي", "🎁🎁", "Иван Петров", "…"])
@pytest.mark.parametrize("column", ["consignee_name", "consignee_address", "consignee_city",
                                    "shipper_name", "shipper_address", "shipper_city"])
def test_a_party_field_without_latin_letters_is_not_ace_text(text, column):
    found = issues(shipment("S1"), shipment("S2", **{column: text}))
    assert ("NOT_ACE_TEXT", columns.field_path(column), 2) in codes(found)
    result = screen(frame_from_shipments([shipment("S2", **{column: text})]), rules=RULES)
    assert result.shipments["decision"].to_list() == ["INVALID"]


def test_a_description_of_emoji_only_is_not_ace_text_on_its_line():
    found = issues(shipment("S1", lines=[{}, {"description": "🎁🎁"}]))
    assert ("NOT_ACE_TEXT", "lines[1].description", 2) in codes(found)


@pytest.mark.parametrize("text", ["Émile Zoë", "Łukasz Straße", "Zhang Wei 张伟", "12 张 St",
                                  "O'Brien-Smith"])
def test_latin_text_with_accents_or_some_other_script_is_fine(text):
    found = issues(shipment("S1", consignee_name=text, consignee_address=text))
    assert not [i for i in found if i["code"] == "NOT_ACE_TEXT"]


def test_the_checks_are_columnar_a_large_clean_frame_has_no_finding():
    frame = frame_from_shipments([shipment(f"S{n}") for n in range(2000)])
    assert cells.scan(frame) == []
    assert isinstance(cells.scan(frame.with_columns(
        pl.lit("x\x00").alias("sku")))[0].bad, pl.Expr)
