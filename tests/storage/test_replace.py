"""Replacing a stored INVALID shipment with its corrected version (``replace_invalid``)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from sqlalchemy import select

BAD_HTS = [{"hts_code": "12345"}]  # INVALID_HTS: the shipment is INVALID


def _row(report, shipment_id):
    return report.result.shipments.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)


def _decisions(db, pk):
    from ace321.storage.models import Decision

    with db.transaction() as session:
        return [(d.seq, d.cause, d.decision) for d in session.scalars(
            select(Decision).where(Decision.shipment_pk == pk).order_by(Decision.seq))]


def _events(db, action):
    from ace321.storage.models import AuditEvent

    with db.transaction() as session:
        return [(e.entity_id, json.loads(e.before), json.loads(e.after)) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_by_default_a_corrected_invalid_shipment_is_still_a_duplicate(db, kit):
    kit.ingest(db, [kit.shipment("X1", lines=BAD_HTS)], name="monday.json")
    report = kit.ingest(db, [kit.shipment("X1")], name="tuesday.json")
    assert list(report.duplicates) == ["X1"] and report.replaced == []
    assert "monday.json" in report.duplicates["X1"]
    assert kit.stored(db, "X1").decision == "INVALID"


def test_replace_invalid_replaces_the_stored_shipment_in_place(db, kit):
    from ace321.intake import columns
    from ace321.storage.history import canonical_rows, content_hashes

    first = kit.ingest(db, [kit.shipment("X1", lines=BAD_HTS)], name="monday.json")
    old = kit.stored(db, "X1")
    assert old.decision == "INVALID"
    corrected = kit.frame([kit.shipment("X1", lines=[{}, {"unit_price": "20.00"}])])
    report = kit.ingest(db, corrected, name="tuesday.json", replace_invalid=True)

    assert report.replaced == ["X1"] and report.stored == ["X1"] and report.duplicates == {}
    assert _row(report, "X1")["decision"] == "SECTION_321"
    new = kit.stored(db, "X1")
    assert new.id == old.id  # the same stored shipment: its history stays attached
    assert (new.decision, new.status, new.batch_id) == ("SECTION_321", "SCREENED",
                                                         report.batch_id)
    assert new.line_count == 2 and new.value_usd == 30
    assert kit.count(db, "shipments") == 1
    assert kit.count(db, "shipment_lines") == 2
    assert kit.count(db, "parties") == 2
    assert _decisions(db, new.id) == [(1, "IMPORT", "INVALID"), (2, "IMPORT", "SECTION_321")]
    with db.transaction() as session:
        rows, _ = canonical_rows(session, [new.id])
    assert rows.select(*columns.ALL).to_dicts() == corrected.select(*columns.ALL).to_dicts()
    assert content_hashes(rows) == content_hashes(corrected)
    [(entity, before, after)] = _events(db, "replace")
    assert entity == "X1"
    assert before["batch"] == str(first.batch_id) and before["decision"] == "INVALID"
    assert [line["hts_code"] for line in before["lines"]] == ["12345"]
    assert before["content_hash"] == old.content_hash
    assert after["batch"] == str(report.batch_id) and after["decision"] == "SECTION_321"
    assert after["content_hash"] == new.content_hash != old.content_hash
    assert kit.verify(db).ok
    again = kit.ingest(db, corrected, name="wednesday.json", replace_invalid=True)
    assert again.already_stored == ["X1"] and again.replaced == []


@pytest.mark.parametrize("how", ["valid", "cancelled"])
def test_replace_invalid_never_touches_a_valid_or_no_longer_screened_shipment(db, kit, how):
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment("X1", lines=[{}] if how == "valid" else BAD_HTS)])
    if how == "cancelled":
        transition(db, "X1", "CANCELLED", actor="ops", cause="c", now=kit.NOW)
    before = kit.stored(db, "X1")
    report = kit.ingest(db, [kit.shipment("X1", lines=[{"unit_price": "12.00"}])],
                        replace_invalid=True)
    assert list(report.duplicates) == ["X1"] and report.replaced == []
    after = kit.stored(db, "X1")
    assert (after.decision, after.status, after.content_hash) == (
        before.decision, before.status, before.content_hash)
    assert _events(db, "replace") == []


def test_a_replacement_counts_in_its_person_day_with_the_stored_shipments(db, kit):
    kit.ingest(db, [kit.shipment("A1", lines=[{"unit_price": "500.00"}]),
                    kit.shipment("X1", lines=BAD_HTS)])
    report = kit.ingest(db, [kit.shipment("X1", lines=[{"unit_price": "400.00"}])],
                        replace_invalid=True)
    assert report.replaced == ["X1"]
    assert _row(report, "X1")["decision"] == "INFORMAL_ENTRY"
    assert [(c.shipment_id, c.after, c.caused_by) for c in report.rescreened] == [
        ("A1", "INFORMAL_ENTRY", ["X1"])]
    assert kit.stored(db, "A1").decision == "INFORMAL_ENTRY"
    assert kit.verify(db).ok


def test_a_replacement_that_cannot_be_stored_leaves_the_invalid_one(db, kit):
    from ace321.storage import StorageError

    kit.ingest(db, [kit.shipment("X1", lines=BAD_HTS)])
    before = kit.stored(db, "X1")
    with pytest.raises(StorageError, match=r"(?i)numeric"):
        kit.ingest(db, [kit.shipment("X1", lines=[{"unit_price": "1234567890123456.00"}])],
                   replace_invalid=True)
    after = kit.stored(db, "X1")
    assert (after.decision, after.content_hash, after.batch_id) == (
        "INVALID", before.content_hash, before.batch_id)
    assert kit.count(db, "shipment_lines") == 1 and kit.count(db, "decisions") == 1
    assert kit.verify(db).ok


def test_cli_replace_invalid(tmp_path, kit, db_url):
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([kit.shipment("K1", lines=BAD_HTS)]))
    assert kit.cli("ingest", str(orders), "--db", db_url).exit_code == 1  # INVALID
    orders.write_text(json.dumps([kit.shipment("K1")]))
    duplicate = kit.cli("ingest", str(orders), "--db", db_url, "-f", "json")
    assert duplicate.exit_code == 1
    assert json.loads(duplicate.stdout)["shipments"][0]["storage"] == "DUPLICATE_SHIPMENT"
    replaced = kit.cli("ingest", str(orders), "--db", db_url, "-f", "json", "--replace-invalid")
    assert replaced.exit_code == 0, replaced.output
    document = json.loads(replaced.stdout)
    assert document["summary"]["replaced"] == 1 and document["summary"]["stored"] == 1
    assert document["shipments"][0]["storage"] == "replaced"
    assert document["shipments"][0]["decision"] == "SECTION_321"
