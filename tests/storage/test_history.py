"""History-aware screening: person-day and order totals include stored shipments."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import select


@pytest.fixture(autouse=True, params=["in-lists", "joins"])
def lookups(request, monkeypatch):
    """Every history test runs with both look-ups: IN lists (small batches) and temporary key
    tables joined to the shipments (large batches)."""
    import importlib

    if request.param == "joins":
        monkeypatch.setattr(importlib.import_module("ace321.storage.history"), "JOIN_FROM", 1)


def _price(amount: str) -> list[dict[str, str]]:
    return [{"unit_price": amount}]


def _row(report, shipment_id):
    return report.result.shipments.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)


def _codes(row) -> list[str]:
    return [reason["code"] for reason in row["reasons"]]


def test_new_shipment_pushing_a_person_day_over_rescreens_the_stored_one(db, kit):
    from ace321.storage.models import AuditEvent, Decision

    first = kit.ingest(db, [kit.shipment("H1", lines=_price("500.00"))], name="one.json")
    assert _row(first, "H1")["decision"] == "SECTION_321"
    later = kit.NOW + dt.timedelta(hours=1)
    second = kit.ingest(db, [kit.shipment("H2", lines=_price("400.00"))], name="two.json",
                        now=later)
    row = _row(second, "H2")
    assert row["decision"] == "INFORMAL_ENTRY"
    assert "DAILY_AGGREGATE_EXCEEDED" in _codes(row)
    assert [(c.shipment_id, c.before, c.after, c.caused_by) for c in second.rescreened] == [
        ("H1", "SECTION_321", "INFORMAL_ENTRY", ["H2"])]
    h1 = kit.stored(db, "H1")
    assert (h1.decision, h1.rules_decision, h1.status) == ("INFORMAL_ENTRY", "INFORMAL_ENTRY",
                                                          "SCREENED")
    with db.transaction() as session:
        decisions = session.scalars(select(Decision).where(Decision.shipment_pk == h1.id)
                                    .order_by(Decision.seq)).all()
        assert [(d.cause, d.decision, d.caused_by) for d in decisions] == [
            ("IMPORT", "SECTION_321", None), ("RESCREEN", "INFORMAL_ENTRY", "H2")]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "rescreen")).one()
    assert event.entity_id == "H1"
    assert json.loads(event.after)["caused_by"] == ["H2"]
    assert json.loads(event.before)["decision"] == "SECTION_321"
    assert kit.verify(db).ok


def test_same_person_by_phone_only_and_other_days_apart(db, kit):
    kit.ingest(db, [kit.shipment("P1", lines=_price("500.00"), person="Ann Lee")])
    other_day = kit.ingest(db, [kit.shipment("P2", lines=_price("400.00"), arrival="2024-06-04")])
    assert _row(other_day, "P2")["decision"] == "SECTION_321"
    same_phone = kit.ingest(db, [kit.shipment("P3", lines=_price("400.00"), person="A. Lee-Smith",
                                              postal="14222")])
    assert _row(same_phone, "P3")["decision"] == "INFORMAL_ENTRY"
    assert kit.stored(db, "P1").decision == "INFORMAL_ENTRY"
    assert kit.stored(db, "P2").decision == "SECTION_321"


def test_person_linked_through_a_stored_shipment_is_one_person(db, kit):
    # X: name A + phone 1 (stored); Y: name B + phone 1 (stored); new: name B + phone 2.
    kit.ingest(db, [kit.shipment("X", lines=_price("300.00"), person="Ann Lee",
                                 phone="+1 716-634-0101")])
    kit.ingest(db, [kit.shipment("Y", lines=_price("300.00"), person="Bea Ray",
                                 phone="+1 716-634-0101")])
    report = kit.ingest(db, [kit.shipment("Z", lines=_price("300.00"), person="Bea Ray",
                                          phone="+1 716-634-0199")])
    assert _row(report, "Z")["decision"] == "INFORMAL_ENTRY"
    assert sorted(c.shipment_id for c in report.rescreened) == ["X", "Y"]


def test_manifested_shipment_cannot_change_and_the_new_one_carries_a_warning(db, kit):
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment("M1", lines=_price("500.00"))])
    transition(db, "M1", "MANIFESTED", actor="ops", cause="manifest 1", now=kit.NOW)
    report = kit.ingest(db, [kit.shipment("M2", lines=_price("400.00"))])
    row = _row(report, "M2")
    assert row["decision"] == "INFORMAL_ENTRY"
    warnings = [i for i in row["issues"] if i["code"] == "EARLIER_SHIPMENT_AT_RISK"]
    assert len(warnings) == 1 and "M1" in warnings[0]["message"]
    assert warnings[0]["severity"] == "warning"
    assert report.rescreened == []
    m1 = kit.stored(db, "M1")
    assert (m1.decision, m1.status) == ("SECTION_321", "MANIFESTED")


def test_split_lot_across_batches(db, kit):
    kit.ingest(db, [kit.shipment("L1", order_id="ORD-9", lines=_price("500.00"))])
    report = kit.ingest(db, [kit.shipment("L2", order_id="ORD-9", lines=_price("400.00"),
                                          person="Bo Diaz", phone="+1 716-634-0102",
                                          arrival="2024-06-04")])
    assert "SPLIT_LOT" in _codes(_row(report, "L2"))
    assert kit.stored(db, "L1").decision == "INFORMAL_ENTRY"


def test_screen_with_history_reads_only(db, kit):
    from ace321.storage import screen_with_history

    kit.ingest(db, [kit.shipment("W1", lines=_price("500.00"))])
    before = kit.count(db, "audit_events")
    frame = kit.frame([kit.shipment("W2", lines=_price("400.00"), arrival=None)])
    screening = screen_with_history(frame, db, kit.rules, default_arrival=dt.date(2024, 6, 3))
    assert screen_with_history(frame, db.engine, kit.rules, default_arrival=dt.date(
        2024, 6, 3)).result.shipments["decision"].to_list() == ["INFORMAL_ENTRY"]
    assert screening.result.shipments["shipment_id"].to_list() == ["W2"]
    assert screening.result.shipments["decision"].to_list() == ["INFORMAL_ENTRY"]
    assert [c.shipment_id for c in screening.changes] == ["W1"]
    assert kit.stored(db, "W1").decision == "SECTION_321"
    assert kit.count(db, "shipments") == 1
    assert kit.count(db, "audit_events") == before


def test_stored_foreign_currency_shipment_keeps_its_rate(db, kit, tmp_path):
    from ace321.intake.rates import read_rates

    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,usd_per_unit\n2024-06-01,CAD,0.75\n")
    kit.ingest(db, [kit.shipment("F1", lines=[{"currency": "CAD", "unit_price": "800.00"}])],
               rates=read_rates(rates))
    assert kit.stored(db, "F1").value_usd == Decimal("600")
    # No rates given now: the stored line's rate is used, so F1 stays valid and counts $600.
    report = kit.ingest(db, [kit.shipment("F2", lines=_price("250.00"))])
    assert _row(report, "F2")["decision"] == "INFORMAL_ENTRY"
    assert kit.stored(db, "F1").decision == "INFORMAL_ENTRY"


def test_cancelled_and_invalid_shipments_do_not_count(db, kit):
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment("C1", lines=_price("500.00"))])
    transition(db, "C1", "CANCELLED", actor="ops", cause="customer cancelled", now=kit.NOW)
    kit.ingest(db, [kit.shipment("C2", lines=[{"unit_price": "500.00", "hts_code": "bad"}])])
    report = kit.ingest(db, [kit.shipment("C3", lines=_price("400.00"))])
    assert _row(report, "C3")["decision"] == "SECTION_321"
