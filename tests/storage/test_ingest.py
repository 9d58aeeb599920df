"""Ingest: stored content, round trip to canonical rows, idempotence, duplicates, atomicity."""

from __future__ import annotations

import json

import polars as pl
import pytest


def _tables_empty(db, kit) -> None:
    for table in ("batches", "shipments", "parties", "shipment_lines", "decisions",
                  "decision_reasons", "status_history", "audit_events"):
        assert kit.count(db, table) == 0, table


def test_ingest_stores_shipments_lines_parties_decisions_and_audit(db, kit):
    report = kit.ingest(db, [kit.shipment("S1", lines=[{}, {"unit_price": "20"}]),
                             kit.shipment("S2", person="Bo Diaz", phone="+1 716-634-0102")])
    assert report.stored == ["S1", "S2"]
    assert kit.count(db, "batches") == 1
    assert kit.count(db, "shipments") == 2
    assert kit.count(db, "shipment_lines") == 3
    assert kit.count(db, "parties") == 4
    assert kit.count(db, "decisions") == 2
    assert kit.count(db, "status_history") == 2
    assert kit.count(db, "audit_events") == 3  # the import and one decision per shipment
    s1 = kit.stored(db, "S1")
    assert (s1.decision, s1.status, s1.ace_shipment_type) == ("SECTION_321", "SCREENED",
                                                              "SECTION 321")
    assert s1.rules_version == kit.rules.version
    assert kit.verify(db).ok


@pytest.mark.parametrize("copy", [False, True], ids=["insert", "copy"])
def test_stored_shipment_turns_back_into_the_same_canonical_rows(db, kit, copy, monkeypatch):
    import importlib

    from ace321.intake import columns

    if copy:
        monkeypatch.setattr(importlib.import_module("ace321.storage.ingest"), "COPY_FROM", 1)
    from ace321.storage.history import canonical_rows, content_hashes

    shipments = [
        kit.shipment("R1", lines=[{"marks": "FRAGILE", "hazmat_un": None}, {"quantity": "3"}],
                     consignee_address2="Apt 4"),
        kit.shipment("R2", currency="CAD", person="Zoé Tremblay",
                     lines=[{"currency": "CAD", "adcvd_case": "A-570-001"}]),
    ]
    # A conflicting line (another consignee on line 2) must come back as it was given.
    shipments[0]["lines"][1]["consignee_name"] = "Someone Else"
    frame = kit.frame(shipments)
    kit.ingest(db, frame)
    with db.transaction() as session:
        pks = [kit.stored(db, "R1").id, kit.stored(db, "R2").id]
        rows, _ = canonical_rows(session, pks)
    original = frame.select(*columns.ALL)
    assert rows.select(*columns.ALL).to_dicts() == original.to_dicts()
    assert content_hashes(rows) == content_hashes(frame)


def test_reimport_of_identical_shipments_is_idempotent(db, kit):
    shipments = [kit.shipment("I1"), kit.shipment("I2", person="Bo Diaz",
                                                  phone="+1 716-634-0102")]
    kit.ingest(db, shipments)
    again = kit.ingest(db, shipments, name="again.json")
    assert again.stored == []
    assert again.already_stored == ["I1", "I2"]
    assert again.duplicates == {}
    assert kit.count(db, "shipments") == 2
    assert kit.count(db, "shipment_lines") == 2
    assert kit.count(db, "decisions") == 2
    decisions = again.result.shipments["decision"].to_list()
    assert decisions == ["SECTION_321", "SECTION_321"]


def test_same_id_with_other_content_is_a_duplicate_naming_the_stored_batch(db, kit):
    first = kit.ingest(db, [kit.shipment("D1")], name="monday.json")
    report = kit.ingest(db, [kit.shipment("D1", lines=[{"unit_price": "11.00"}]),
                             kit.shipment("D2", person="Bo Diaz", phone="+1 716-634-0102")],
                        name="tuesday.json")
    assert list(report.duplicates) == ["D1"]
    assert "monday.json" in report.duplicates["D1"]
    assert str(first.batch_id) in report.duplicates["D1"]
    assert report.stored == ["D2"]
    row = report.result.shipments.filter(pl.col("shipment_id") == "D1").row(0, named=True)
    assert row["decision"] == "INVALID"
    assert [i["code"] for i in row["issues"]] == ["DUPLICATE_SHIPMENT"]
    assert kit.stored(db, "D1").value_usd == 10  # the stored one is untouched


@pytest.mark.parametrize("copy", [False, True], ids=["insert", "copy"])
def test_a_row_that_breaks_storage_leaves_nothing_of_the_batch(db, kit, copy, monkeypatch):
    import importlib

    from ace321.storage import StorageError

    if copy:  # PostgreSQL bulk loads use COPY; make every insert use it
        monkeypatch.setattr(importlib.import_module("ace321.storage.ingest"), "COPY_FROM", 1)

    shipments = [kit.shipment(f"A{n}", person=f"P{n}", phone=f"+1 716-634-{100 + n:04d}")
                 for n in range(5)]
    # Valid for screening (a price with 4 decimals), but too large for NUMERIC(18,4).
    shipments[-1]["lines"][0]["unit_price"] = "1234567890123456.00"
    with pytest.raises(StorageError, match=r"(?i)numeric"):
        kit.ingest(db, shipments)
    _tables_empty(db, kit)
    assert kit.verify(db).ok


def test_a_crash_mid_insert_leaves_nothing_of_the_batch(db, kit, monkeypatch):
    import importlib

    ingest_module = importlib.import_module("ace321.storage.ingest")

    real = ingest_module._insert
    calls = []

    def crashing(session, model, rows):
        calls.append(model.__tablename__)
        if model.__tablename__ == "shipment_lines":
            real(session, model, rows[: len(rows) // 2])  # half the lines are written...
            raise RuntimeError("simulated crash")  # ...then the process "dies"
        real(session, model, rows)

    monkeypatch.setattr(ingest_module, "_insert", crashing)
    shipments = [kit.shipment(f"C{n}", lines=[{}, {}]) for n in range(4)]
    with pytest.raises(RuntimeError, match="simulated crash"):
        kit.ingest(db, shipments)
    assert calls[:2] == ["shipments", "parties"]
    _tables_empty(db, kit)
    monkeypatch.setattr(ingest_module, "_insert", real)
    assert kit.ingest(db, shipments).stored == [f"C{n}" for n in range(4)]


def test_cli_ingest_json_and_default_database_file(tmp_path, kit, monkeypatch, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("the default database is an SQLite file")
    from ace321.storage.database import ENV_VAR

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([kit.shipment("J1", arrival=None)]))
    result = kit.cli("ingest", str(orders), "--arrival", "2024-06-03", "--format", "json",
                     "--actor", "alice")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["stored"] == 1
    assert document["shipments"][0]["storage"] == "stored"
    assert document["shipments"][0]["arrival_date"] == "2024-06-03"
    assert (tmp_path / "ace321.db").is_file()
    again = kit.cli("ingest", str(orders), "--arrival", "2024-06-03")
    assert again.exit_code == 0
    assert "already stored" in again.stdout


def test_cli_ingest_summary_gives_counts_not_rows(tmp_path, kit, db_url):
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([kit.shipment("S1"), kit.shipment("S2", person="Bo Diaz",
                                                                   phone="+1 716-634-0102")]))
    first = kit.cli("ingest", str(orders), "--db", db_url, "--format", "summary")
    assert first.exit_code == 0, first.output
    assert "2 shipments" in first.stdout and "SECTION_321" in first.stdout
    assert "2 stored, 0 already stored, 0 duplicate(s), 0 re-screened" in first.stdout
    assert "S1" not in first.stdout  # no row per shipment
    orders.write_text(json.dumps([kit.shipment("S1", lines=[{"quantity": "2"}])]))
    duplicate = kit.cli("ingest", str(orders), "--db", db_url, "--format", "summary")
    assert duplicate.exit_code == 1
    assert "DUPLICATE_SHIPMENT" in duplicate.stdout
    assert "0 stored, 0 already stored, 1 duplicate(s)" in duplicate.stdout


def test_cli_ingest_with_db_url_reports_duplicates_and_storage_failures(tmp_path, kit, db_url):
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([kit.shipment("K1")]))
    assert kit.cli("ingest", str(orders), "--db", db_url).exit_code == 0
    orders.write_text(json.dumps([kit.shipment("K1", lines=[{"quantity": "2"}])]))
    duplicate = kit.cli("ingest", str(orders), "--db", db_url, "-f", "json")
    assert duplicate.exit_code == 1
    issues = json.loads(duplicate.stdout)["shipments"][0]["issues"]
    assert issues[0]["code"] == "DUPLICATE_SHIPMENT"
    orders.write_text(json.dumps([kit.shipment("K2", lines=[{"unit_price": "99999999999999999"}])]))
    broken = kit.cli("ingest", str(orders), "--db", db_url)
    assert broken.exit_code == 2
    assert "nothing stored" in broken.stderr
