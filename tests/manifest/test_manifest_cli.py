"""``ace321 manifest`` and ``ace321 trips`` through the real CLI, on SQLite and PostgreSQL.

The database fixtures are the storage tests' (``tests/storage/conftest.py``, loaded by path:
test modules are imported with ``--import-mode=importlib``).
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from ace321.exports.schema import validate_trip_document
from ace321.exports.x12.reader import parse_interchange
from ace321.manifest.trip_file import _TripLoader

_spec = importlib.util.spec_from_file_location(
    "storage_conftest", Path(__file__).parents[1] / "storage" / "conftest.py")
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
kit = _conftest.kit  # db_url comes from tests/conftest.py

EXAMPLES = Path(__file__).parents[2] / "examples"
ORDERS = EXAMPLES / "orders.csv"
RATES = EXAMPLES / "rates.csv"
FILED = "2026-11-23T12:00:00-05:00"
FILES = {"ace_trip.json", "ace_shipments.csv", "manifest.x12", "cover_sheet.pdf", "summary.json"}


def trip_file(tmp_path: Path, name: str = "trip.json", **changes: Any) -> Path:
    """examples/trip.yaml with ``changes`` (None removes a key), written as JSON."""
    data = yaml.load((EXAMPLES / "trip.yaml").read_text(), Loader=_TripLoader)
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    path = tmp_path / Path(name).with_suffix(".json").name
    path.write_text(json.dumps(data, default=str))
    return path


NON_FAST_DRIVER = {"first_name": "Ana", "last_name": "Silva", "gender": "F",
                   "date_of_birth": "1985-04-12", "citizenship_country": "CA",
                   "travel_documents": [{"type": "5K", "number": "S1234-56789-01234",
                                         "country": "CA", "state_province": "ON"}]}


def orders_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "orders.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        names = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(handle, fieldnames=names, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def example_rows() -> list[dict[str, str]]:
    with ORDERS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def manifest(kit: Any, db_url: str, orders: Path | None, trip: Path, out: Path, *extra: str,
             filed: str = FILED) -> Any:
    args = ["manifest", *([str(orders)] if orders else []), "--trip", str(trip), "--out",
            str(out), "--filed-at", filed, "--db", db_url, "--format", "json", *extra]
    return kit.cli(*args)


def counts(kit: Any, db_url: str) -> dict[str, int]:
    from ace321.storage import Database

    database = Database.open(db_url)
    try:
        out = {t: kit.count(database, t) for t in (
            "trips", "trip_files", "trip_shipments", "scn_registry", "batches", "shipments",
            "status_history", "audit_events")}
        with database.engine.connect() as connection:
            if database.dialect == "postgresql":
                for seq in ("scn_seq", "x12_control_seq"):
                    last, called = connection.execute(text(
                        f"SELECT last_value, is_called FROM {seq}")).one()
                    out[seq] = last if called else 0
            out["counters"] = int(connection.execute(text(
                "SELECT coalesce(sum(value), 0) FROM counters")).scalar_one())
    finally:
        database.close()
    return out


def statuses(kit: Any, db_url: str) -> dict[str, str]:
    result = kit.cli("shipments", "list", "--format", "json", "--db", db_url)
    return {s["shipment_id"]: s["status"] for s in json.loads(result.stdout)}


def test_example_files_are_valid_and_all_paps_after_2025_08_29(kit, db_url, tmp_path):
    out = tmp_path / "out"
    result = manifest(kit, db_url, ORDERS, EXAMPLES / "trip.yaml", out, "--skip-invalid",
                      "--rates", str(RATES))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["trip_number"] == "MAPL20261123A"
    assert set(report["by_type"]) == {"PAPS"}
    assert {s["shipment_id"] for s in report["skipped_invalid"]} == {
        "MF-100132-01", "MF-100133-01", "MF-100134-01", "MF-100135-01"}
    gift = [s for s in report["shipments"] if s["decision"] == "GIFT"]
    assert gift and gift[0]["type"] == "PAPS"
    assert {p.name for p in out.iterdir()} == FILES
    document = json.loads((out / "ace_trip.json").read_text())
    assert validate_trip_document(document) == []
    assert len(document["shipments"]) == len(report["shipments"])
    interchange = parse_interchange((out / "manifest.x12").read_text())
    assert interchange.problems == []
    assert int(interchange.control_number) == report["control_number"]
    scns = [s["scn"] for s in report["shipments"]]
    assert len(set(scns)) == len(scns) and all(s.startswith("MAPL") and len(s) == 16 for s in scns)
    manifested = {i for s in report["shipments"] for i in s["shipment_ids"]}
    seen = statuses(kit, db_url)
    assert {s for s, status in seen.items() if status == "MANIFESTED"} == manifested
    assert {seen[s["shipment_id"]] for s in report["skipped_invalid"]} == {"SCREENED"}
    listed = json.loads(kit.cli("trips", "list", "--format", "json", "--db", db_url).stdout)
    assert [(t["trip_number"], t["status"], t["shipments"]) for t in listed] == [
        ("MAPL20261123A", "OPEN", len(manifested))]
    assert listed[0]["estimated_arrival"] == "2026-11-23T14:30:00-05:00"
    shown = json.loads(kit.cli("trips", "show", "MAPL20261123A", "--format", "json", "--db",
                               db_url).stdout)
    assert {s["status"] for s in shown["shipments"]} == {"MANIFESTED"}
    assert {f["name"] for f in shown["files"]} == FILES
    again = tmp_path / "again"
    emitted = kit.cli("trips", "show", "MAPL20261123A", "--files", str(again), "--db", db_url)
    assert emitted.exit_code == 0, emitted.output
    for name in FILES:
        assert (again / name).read_bytes() == (out / name).read_bytes()
    assert kit.cli("audit", "verify", "--db", db_url).exit_code == 0


def test_section_321_before_2025_08_29_only(kit, db_url, tmp_path):
    # 03:30 UTC on 2025-08-29 is 23:30 on 2025-08-28 in Buffalo: screened as of the 28th.
    early = trip_file(tmp_path, "early.yaml", trip_number="MAPL20250828A",
                      estimated_arrival="2025-08-29T03:30:00+00:00")
    result = manifest(kit, db_url, ORDERS, early, tmp_path / "early", "--skip-invalid",
                      "--rates", str(RATES), filed="2025-08-28T20:00:00-04:00")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["by_type"]["SECTION 321"] > 0
    assert all((s["type"] == "SECTION 321") == (s["decision"] == "SECTION_321")
               for s in report["shipments"])
    document = json.loads((tmp_path / "early" / "ace_trip.json").read_text())
    assert "SECTION 321" in {s["type"] for s in document["shipments"]}
    assert parse_interchange((tmp_path / "early" / "manifest.x12").read_text()).problems == []
    # The same orders as of 2025-08-29 local time: de minimis is suspended, none can be S321.
    rows = [{**r, "shipment_id": r["shipment_id"] + "-B", "order_id": r["order_id"] + "-B"}
            for r in example_rows()]
    later = trip_file(tmp_path, "later.yaml", trip_number="MAPL20250829A",
                      estimated_arrival="2025-08-29T04:30:00+00:00")
    result = manifest(kit, db_url, orders_file(tmp_path, rows), later, tmp_path / "later",
                      "--skip-invalid", "--rates", str(RATES), filed="2025-08-28T20:00:00-04:00")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)["by_type"]) == {"PAPS"}


def test_example_dated_2025_06_02_has_section_321(kit, db_url, tmp_path):
    trip = trip_file(tmp_path, trip_number="MAPL20250602A",
                     estimated_arrival="2025-06-02T14:30:00-04:00")
    result = manifest(kit, db_url, ORDERS, trip, tmp_path / "out", "--skip-invalid", "--rates",
                      str(RATES), filed="2025-06-02T12:00:00-04:00")
    assert result.exit_code == 0, result.output
    by_type = json.loads(result.stdout)["by_type"]
    assert by_type["SECTION 321"] >= 15 and by_type["PAPS"] >= 1


def _refused(kit: Any, db_url: str, result: Any, out: Path, before: dict[str, int]) -> set[str]:
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False
    for p in document["problems"]:
        assert set(p) == {"code", "severity", "field", "message"}
    assert not out.exists()
    assert counts(kit, db_url) == before
    return {p["code"] for p in document["problems"] if p["severity"] == "error"}


def small_rows(prefix: str, n: int = 2, **extra: str) -> list[dict[str, str]]:
    rows = []
    for i in range(1, n + 1):
        rows.append({
            "order_id": f"{prefix}{i}", "shipment_id": f"{prefix}{i}", "arrival_date": "",
            "shipper_name": "Maple Fulfilment Inc.", "shipper_address": "2500 Dixie Rd",
            "shipper_city": "Mississauga", "shipper_state": "ON", "shipper_postal_code": "L4Y 2A1",
            "shipper_country": "CA", "consignee_name": f"Person {prefix} {i}",
            "consignee_address": f"{i} Elm St", "consignee_city": "Buffalo",
            "consignee_state": "NY", "consignee_postal_code": "14201", "consignee_country": "US",
            "consignee_phone": f"716-{462 + i // 10000}-{i % 10000:04d}", "description": "Cotton T-shirt",
            "quantity": "1", "unit_price": "20.00", "currency": "USD",
            "country_of_origin": "CA", "hts_code": "6109.10.0012", "weight": "0.4",
            "weight_unit": "kg", **extra})
    return rows


@pytest.mark.parametrize(("minutes", "fast", "late"), [(59, False, True), (60, False, False),
                                                       (29, True, True)])
def test_late_filing(kit, db_url, tmp_path, minutes, fast, late):
    import datetime as dt

    changes: dict[str, Any] = {} if fast else {"drivers": [NON_FAST_DRIVER]}
    trip = trip_file(tmp_path, **changes)
    filed = (dt.datetime.fromisoformat("2026-11-23T14:30:00-05:00")
             - dt.timedelta(minutes=minutes)).isoformat()
    orders = orders_file(tmp_path, small_rows("L"))
    out = tmp_path / "out"
    before = counts(kit, db_url)
    result = manifest(kit, db_url, orders, trip, out, filed=filed)
    if late:
        assert "LATE_FILING" in _refused(kit, db_url, result, out, before)
    else:
        assert result.exit_code == 0, result.output


def test_every_problem_at_once_and_nothing_stored(kit, db_url, tmp_path):
    trip = trip_file(tmp_path, port_of_arrival="9999", trip_number="XXXX20261123A",
                     drivers=[])
    rows = small_rows("P", 3)
    rows[0]["hts_code"] = "12"  # INVALID
    rows[1]["arrival_date"] = "2026-11-24"
    rows[2]["scn"] = "ABCD12345678"  # not the carrier's SCAC
    orders = orders_file(tmp_path, rows)
    out = tmp_path / "out"
    before = counts(kit, db_url)
    codes = _refused(kit, db_url, manifest(kit, db_url, orders, trip, out), out, before)
    assert {"UNKNOWN_PORT", "TRIP_NUMBER_PREFIX", "NO_DRIVER", "INVALID_SHIPMENT", "INVALID_HTS",
            "ARRIVAL_DATE_MISMATCH", "INVALID_SCN"} <= codes


def test_table_on_stderr(kit, db_url, tmp_path):
    trip = trip_file(tmp_path, drivers=[])
    orders = orders_file(tmp_path, small_rows("T"))
    result = kit.cli("manifest", str(orders), "--trip", str(trip), "--out",
                     str(tmp_path / "out"), "--filed-at", FILED, "--db", db_url)
    assert result.exit_code == 1
    assert "NO_DRIVER" in result.stderr and result.stdout == ""


def test_shipment_on_open_trip_then_cancel_frees_it(kit, db_url, tmp_path):
    orders = orders_file(tmp_path, small_rows("C"))
    first = manifest(kit, db_url, orders, trip_file(tmp_path), tmp_path / "one")
    assert first.exit_code == 0, first.output
    old_scns = {s["scn"] for s in json.loads(first.stdout)["shipments"]}
    second_trip = trip_file(tmp_path, "b.yaml", trip_number="MAPL20261123B")
    out = tmp_path / "two"
    before = counts(kit, db_url)
    result = manifest(kit, db_url, orders, second_trip, out)
    codes = _refused(kit, db_url, result, out, before)
    assert codes == {"SHIPMENT_ON_OPEN_TRIP"}
    assert "MAPL20261123A" in result.stdout
    # the same trip number again is refused too
    other = orders_file(tmp_path, small_rows("D"), "other.csv")
    before = counts(kit, db_url)
    assert _refused(kit, db_url, manifest(kit, db_url, other, trip_file(tmp_path), out), out,
                    before) == {"DUPLICATE_TRIP_NUMBER"}
    cancelled = kit.cli("trips", "cancel", "MAPL20261123A", "--reason", "truck broke down",
                        "--db", db_url)
    assert cancelled.exit_code == 0, cancelled.output
    assert set(statuses(kit, db_url).values()) == {"SCREENED"}
    shown = json.loads(kit.cli("trips", "show", "MAPL20261123A", "--format", "json", "--db",
                               db_url).stdout)
    assert shown["status"] == "CANCELLED"
    again = manifest(kit, db_url, None, second_trip, out, "--shipments", "C1,C2")
    assert again.exit_code == 0, again.output
    new_scns = {s["scn"] for s in json.loads(again.stdout)["shipments"]}
    assert new_scns and not new_scns & old_scns
    assert set(statuses(kit, db_url).values()) == {"MANIFESTED"}
    assert kit.cli("trips", "cancel", "MAPL20261123A", "--reason", "x", "--db",
                   db_url).exit_code == 1
    assert kit.cli("audit", "verify", "--db", db_url).exit_code == 0


def test_scn_reused_and_duplicate(kit, db_url, tmp_path):
    orders = orders_file(tmp_path, small_rows("S", 1, scn="MAPL0000SCN1"))
    first = manifest(kit, db_url, orders, trip_file(tmp_path), tmp_path / "one")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["shipments"][0]["scn"] == "MAPL0000SCN1"
    kit.cli("trips", "cancel", "MAPL20261123A", "--reason", "redo", "--db", db_url)
    # cancelled: the shipment is free, but its SCN stays issued
    out = tmp_path / "two"
    before = counts(kit, db_url)
    result = manifest(kit, db_url, orders, trip_file(tmp_path, "b.yaml",
                                                     trip_number="MAPL20261123B"), out)
    assert _refused(kit, db_url, result, out, before) == {"SCN_REUSED"}
    message = next(p["message"] for p in json.loads(result.stdout)["problems"])
    assert "MAPL0000SCN1" in message and "issued 20" in message
    dup = orders_file(tmp_path, small_rows("U", 2, scn="MAPL0000SCN2"), "dup.csv")
    before = counts(kit, db_url)
    assert _refused(kit, db_url, manifest(kit, db_url, dup, trip_file(
        tmp_path, "c.yaml", trip_number="MAPL20261123C"), out), out, before) == {"DUPLICATE_SCN"}


def test_too_many_shipments(kit, db_url, tmp_path):
    if "postgresql" in db_url:
        pytest.skip("one database is enough for the 10,000-shipment refusal")
    rows = small_rows("M", 10_000)
    orders = orders_file(tmp_path, rows)
    out = tmp_path / "out"
    before = counts(kit, db_url)
    codes = _refused(kit, db_url, manifest(kit, db_url, orders, trip_file(tmp_path), out), out,
                     before)
    assert codes == {"TOO_MANY_SHIPMENTS"}


def test_invalid_without_skip_is_refused_with_reasons(kit, db_url, tmp_path):
    rows = small_rows("I", 2)
    rows[1]["consignee_postal_code"] = "ABC"
    out = tmp_path / "out"
    before = counts(kit, db_url)
    result = manifest(kit, db_url, orders_file(tmp_path, rows), trip_file(tmp_path), out)
    assert _refused(kit, db_url, result, out, before) == {"INVALID_SHIPMENT",
                                                          "INVALID_POSTAL_CODE"}


def test_stored_batch_and_generated_trip_number(kit, db_url, tmp_path):
    orders = orders_file(tmp_path, small_rows("B", 3))
    ingested = kit.cli("ingest", str(orders), "--arrival", "2026-11-23", "--format", "json",
                       "--db", db_url)
    assert ingested.exit_code == 0, ingested.output
    batch = json.loads(ingested.stdout)["batch_id"]
    trip = trip_file(tmp_path, trip_number=None)
    result = manifest(kit, db_url, None, trip, tmp_path / "out", "--batch", batch)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["trip_number"] == "MAPL202611231"
    wrong_day = trip_file(tmp_path, "w.yaml", trip_number=None,
                          estimated_arrival="2026-11-24T14:30:00-05:00")
    out = tmp_path / "w"
    before = counts(kit, db_url)
    codes = _refused(kit, db_url, manifest(kit, db_url, None, wrong_day, out, "--shipments",
                                           "B1,NOPE"), out, before)
    assert codes == {"ARRIVAL_DATE_MISMATCH", "UNKNOWN_SHIPMENT", "SHIPMENT_ON_OPEN_TRIP"}


def test_usage_errors(kit, tmp_path):
    trip = trip_file(tmp_path)
    assert kit.cli("manifest", "--trip", str(trip), "--out", str(tmp_path)).exit_code == 2
    bad = kit.cli("manifest", str(ORDERS), "--trip", str(trip), "--out", str(tmp_path / "o"),
                  "--filed-at", "2026-11-23T12:00:00")
    assert bad.exit_code == 2 and "UTC offset" in bad.stderr


def test_stored_hazmat_shipment_keeps_its_emergency_contact(kit, db_url, tmp_path):
    contact = {"hazmat_un": "UN1263", "hazmat_contact_name": "CHEMTREC",
               "hazmat_contact_phone": "+1 800 424 9300"}
    orders = orders_file(tmp_path, small_rows("Z", 1, **contact))
    stored = kit.cli("ingest", str(orders), "--arrival", "2026-11-23", "--db", db_url)
    assert stored.exit_code == 0, stored.output
    driver = {**NON_FAST_DRIVER, "travel_documents": [
        *NON_FAST_DRIVER["travel_documents"],
        {"type": "HD", "number": "HM123456", "country": "CA", "state_province": "ON"}]}
    trip = trip_file(tmp_path, drivers=[driver], hazmat_insurance={
        "insurer": "Northbridge", "policy_number": "HZ-1", "year": 2026, "amount": "5000000"})
    out = tmp_path / "hz"
    result = manifest(kit, db_url, None, trip, out, "--shipments", "Z1")
    assert result.exit_code == 0, result.output
    commodity = json.loads((out / "ace_trip.json").read_text())["shipments"][0]["commodities"][0]
    assert "1263" in json.dumps(commodity) and "CHEMTREC" in json.dumps(commodity)
