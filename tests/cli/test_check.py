"""``ace321 check`` through the installed console script: formats, exit codes, unusable input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ACE321 = Path(sys.executable).parent / "ace321"
HEADER = [
    "order_id", "shipment_id", "arrival_date", "shipper_name", "shipper_address", "shipper_city",
    "shipper_state", "shipper_postal_code", "shipper_country", "consignee_name",
    "consignee_address", "consignee_city", "consignee_state", "consignee_postal_code",
    "consignee_country", "consignee_phone", "sku", "description", "quantity", "unit_price",
    "currency", "country_of_origin", "hts_code", "weight", "weight_unit",
]
SHIPPER = ["Maple Fulfilment Inc.", "2500 Dixie Rd", "Mississauga", "ON", "L4Y 2A1", "CA"]


def row(order: str, name: str, phone: str, price: str, **overrides: str) -> dict[str, str]:
    values = dict(zip(HEADER, [
        order, "", "", *SHIPPER, name, "12 Elm St", "Buffalo", "NY", "14201", "US", phone,
        "SKU-1", "COTTON T-SHIRT", "1", price, "USD", "CA", "6109.10.0012", "0.4", "kg",
    ], strict=True))
    values.update(overrides)
    return values


def write(path: Path, rows: list[dict[str, str]], *, bom: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACE321), *map(str, args)], capture_output=True, text=True, timeout=120)


@pytest.fixture()
def orders(tmp_path: Path) -> Path:
    return write(tmp_path / "orders.csv", [
        row("A1", "Ana Ruiz", "716-462-0101", "800.00"),
        row("A2", "Ben Cole", "716-462-0102", "800.01"),
        row("A3", "Cy Dunn", "716-462-0103", "2500.01"),
    ], bom=True)


def test_json_output_is_one_document_with_decisions(orders: Path) -> None:
    result = run("check", orders, "--arrival", "2024-06-03", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    by_id = {s["shipment_id"]: s for s in document["shipments"]}
    assert by_id["A1"]["decision"] == "SECTION_321"
    assert by_id["A1"]["ace_shipment_type"] == "SECTION 321"
    assert by_id["A1"]["value_usd"] == "800.00"
    assert by_id["A2"]["decision"] == "INFORMAL_ENTRY"
    assert by_id["A2"]["reasons"][0]["code"] == "VALUE_OVER_THRESHOLD"
    assert "$800.01 exceeds the $800.00 threshold in force on 2024-06-03" in by_id["A2"]["reasons"][0]["message"]
    assert by_id["A3"]["decision"] == "FORMAL_ENTRY"
    assert by_id["A3"]["ace_shipment_type"] == "PAPS"
    assert document["summary"] == {
        "shipments": 3,
        "by_decision": {"SECTION_321": 1, "GIFT": 0, "INFORMAL_ENTRY": 1, "FORMAL_ENTRY": 1, "INVALID": 0},
    }
    assert document["rules_version"].startswith("2026.11+")


def test_same_file_after_global_suspension(orders: Path) -> None:
    document = json.loads(run("check", orders, "--arrival", "2025-08-29", "--format", "json").stdout)
    decisions = {s["shipment_id"]: s["decision"] for s in document["shipments"]}
    assert decisions == {"A1": "INFORMAL_ENTRY", "A2": "INFORMAL_ENTRY", "A3": "FORMAL_ENTRY"}


def test_invalid_shipment_exits_1_and_names_row_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", [
        row("B1", "Ana Ruiz", "716-462-0101", "10"),
        row("B2", "Ben Cole", "716-462-0102", "10", hts_code="12345"),
    ])
    result = run("check", path, "--arrival", "2024-06-03", "--format", "json")
    assert result.returncode == 1
    shipment = {s["shipment_id"]: s for s in json.loads(result.stdout)["shipments"]}["B2"]
    assert shipment["decision"] == "INVALID"
    assert shipment["issues"][0] | {"message": ""} == {
        "code": "INVALID_HTS", "severity": "error", "field": "lines[0].hts_code", "row": 2, "message": "",
    }


def test_table_and_summary_and_csv_formats(orders: Path) -> None:
    table = run("check", orders, "--arrival", "2024-06-03")
    assert table.returncode == 0
    assert "SECTION_321" in table.stdout and "Totals: 3 shipments" in table.stdout
    summary = run("check", orders, "--arrival", "2024-06-03", "--format", "summary")
    assert "VALUE_OVER_THRESHOLD" in summary.stdout
    text = run("check", orders, "--arrival", "2024-06-03", "--format", "csv").stdout
    frame = pl.read_csv(text.encode())
    assert frame["decision"].to_list() == ["SECTION_321", "INFORMAL_ENTRY", "FORMAL_ENTRY"]


@pytest.mark.parametrize("suffix", [".json", ".csv", ".parquet"])
def test_output_file_holds_the_full_result(orders: Path, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"result{suffix}"
    result = run("check", orders, "--arrival", "2024-06-03", "--output", target)
    assert result.returncode == 0, result.stderr
    assert "Decisions" in result.stdout
    if suffix == ".parquet":
        assert pl.read_parquet(target)["decision"].to_list()[0] == "SECTION_321"
    elif suffix == ".json":
        assert len(json.loads(target.read_text())["shipments"]) == 3
    else:
        assert pl.read_csv(target).height == 3


def test_missing_file_is_exit_2_with_one_line(tmp_path: Path) -> None:
    result = run("check", tmp_path / "nope.csv", "--arrival", "2024-06-03")
    assert result.returncode == 2
    assert "nope.csv" in result.stderr and "cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_column_is_exit_2_naming_it(tmp_path: Path) -> None:
    rows = [row("C1", "Ana Ruiz", "716-462-0101", "10")]
    del rows[0]["hts_code"]
    result = run("check", write(tmp_path / "o.csv", rows), "--arrival", "2024-06-03")
    assert result.returncode == 2
    assert "missing required column 'hts_code'" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_utf8_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("order_id,consignee_name\nA,Jos\xe9\n".encode("latin-1"))
    result = run("check", path, "--arrival", "2024-06-03")
    assert result.returncode == 2
    assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_bad_arrival_option_is_exit_2(orders: Path) -> None:
    result = run("check", orders, "--arrival", "03/10/2016")
    assert result.returncode == 2 and "--arrival" in result.stderr


def test_no_arrival_date_anywhere_is_missing_field(orders: Path) -> None:
    result = run("check", orders, "--format", "json")
    assert result.returncode == 1
    issues = json.loads(result.stdout)["shipments"][0]["issues"]
    assert {"code": "MISSING_FIELD", "field": "arrival_date"}.items() <= issues[0].items()


def test_json_input(tmp_path: Path) -> None:
    shipment = {k: v for k, v in row("J1", "Ana Ruiz", "716-462-0101", "99").items()}
    line_fields = HEADER[16:]
    document = [{**{k: v for k, v in shipment.items() if k not in line_fields},
                 "lines": [{k: shipment[k] for k in line_fields}]}]
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(document))
    result = run("check", path, "--arrival", "2024-06-03", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["shipments"][0]["decision"] == "SECTION_321"


def test_rules_on_date_and_timeline() -> None:
    on = run("rules", "--on", "2025-08-29")
    assert on.returncode == 0
    assert "EO 14324" in on.stdout
    timeline = run("rules", "--timeline")
    assert "2016-03-10" in timeline.stdout and "2027-07-01" in timeline.stdout


def test_check_with_db_counts_stored_shipments_without_storing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    first = write(tmp_path / "first.csv", [row("H1", "Ana Ruiz", "716-462-0101", "500.00")])
    stored = run("ingest", first, "--arrival", "2024-06-03", "--db", db)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    second = write(tmp_path / "second.csv", [row("H2", "ANA RUIZ", "716-462-0101", "400.00")])
    alone = json.loads(run("check", second, "--arrival", "2024-06-03", "--format", "json").stdout)
    assert alone["shipments"][0]["decision"] == "SECTION_321"
    result = run("check", second, "--arrival", "2024-06-03", "--format", "json", "--db", db)
    assert result.returncode == 0, result.stderr
    shipment = json.loads(result.stdout)["shipments"][0]
    assert shipment["decision"] == "INFORMAL_ENTRY"
    assert shipment["reasons"][0]["code"] == "DAILY_AGGREGATE_EXCEEDED"
    again = json.loads(run("check", second, "--arrival", "2024-06-03", "--format", "json",
                           "--db", db).stdout)
    assert again["shipments"][0]["decision"] == "INFORMAL_ENTRY"  # nothing of H2 was stored
