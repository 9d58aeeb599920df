"""The workflows of ``ace321.app`` called directly, as the CLI, the API and the web call them
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

FILED = dt.datetime.fromisoformat("2026-11-23T12:00:00-05:00")


def file(kit: Any, db: Any, ids: list[str], **kw: Any) -> Any:
    from ace321.app.trips import file_stored_trip

    return file_stored_trip(db, kit.rules, tenant=kw.pop("tenant", "default"), actor="tester",
                            now=kit.NOW, trip=kw.pop("trip", kit.trip()), shipment_ids=ids,
                            filed_at=FILED, **kw)


def test_ingest_batch_reports_each_shipments_storage_outcome(kit, db):
    first = kit.ingest(db, [kit.shipment("A1", n=1), kit.shipment("A2", n=2)])
    assert first.batch_id is not None and not first.invalid
    assert first.storage_outcomes() == {"A1": "stored", "A2": "stored"}
    again = kit.ingest(db, [kit.shipment("A1", n=1), kit.shipment("A2", n=2, unit_price="11.00")])
    assert again.storage_outcomes() == {"A1": "already stored", "A2": "DUPLICATE_SHIPMENT"}
    counts = again.counts()
    assert (counts["stored"], counts["already_stored"], counts["duplicates"]) == (0, 1, 1)
    document = first.document()
    assert document["id"] == first.batch_id and document["shipment_count"] == 2
    assert "replaced" not in document["counts"]
    assert [r["storage"] for r in document["shipments"]] == ["stored", "stored"]


def test_ingest_batch_refuses_an_unstorable_value_and_stores_nothing(kit, db):
    from ace321.app.errors import InvalidInput
    from ace321.app.shipments import list_shipments

    with pytest.raises(InvalidInput) as refused:
        # Valid for screening (4 decimals at most), too large for the NUMERIC(18,4) column.
        kit.ingest(db, [kit.shipment("BIG", unit_price="1234567890123456.00")])
    assert refused.value.code == "UNSTORABLE"
    assert list_shipments(db, tenant="default") == []


def test_file_cancel_and_list_trips(kit, db):
    from ace321.app import trips

    kit.ingest(db, [kit.shipment(f"T{i}", n=i) for i in range(1, 4)])
    filed = file(kit, db, ["T1", "T2"], trip=kit.trip(trip_number="MAPL20261123A"))
    assert filed.trip["status"] == "OPEN"
    assert [s["shipment_id"] for s in filed.trip["shipments"]] == ["T1", "T2"]
    assert set(trips.trip_files(db, tenant="default", trip_number="MAPL20261123A")) == {
        "ace_trip.json", "ace_shipments.csv", "manifest.x12", "cover_sheet.pdf", "summary.json"}
    file(kit, db, ["T3"], trip=kit.trip(trip_number="MAPL20261123B"))
    cancelled = trips.cancel_trip(db, tenant="default", actor="t", now=kit.NOW,
                                  trip_number="MAPL20261123A", reason="no truck")
    assert (cancelled.before, cancelled.status, cancelled.freed) == (
        "OPEN", "CANCELLED", ["T1", "T2"])
    everything = trips.list_trips(db, tenant="default")
    assert [t["trip_number"] for t in everything.items] == ["MAPL20261123A", "MAPL20261123B"]
    assert everything.next_cursor is None
    first = trips.list_trips(db, tenant="default", limit=1)
    assert [t["trip_number"] for t in first.items] == ["MAPL20261123A"]
    second = trips.list_trips(db, tenant="default", limit=1, cursor=first.next_cursor)
    assert [t["trip_number"] for t in second.items] == ["MAPL20261123B"]
    assert second.next_cursor is None
    assert [t["trip_number"] for t in trips.list_trips(
        db, tenant="default", status="open").items] == ["MAPL20261123B"]
    assert trips.list_trips(db, tenant="default",
                            arrival_from=dt.date(2026, 11, 24)).items == []
    kit.tenant(db, "other")
    assert trips.list_trips(db, tenant="other").items == []


def test_refusals_are_typed(kit, db):
    from ace321.app import trips
    from ace321.app.errors import InvalidInput, NotFound, Refused
    from ace321.app.filing import ManifestRefused
    from ace321.app.responses import import_response_file
    from ace321.app.shipments import change_status, show_shipment

    with pytest.raises(NotFound):
        trips.show_trip(db, tenant="default", trip_number="NOPE")
    with pytest.raises(NotFound):
        show_shipment(db, tenant="default", shipment_id="NOPE")
    with pytest.raises(NotFound):
        change_status(db, tenant="default", actor="t", now=kit.NOW, shipment_id="NOPE",
                      to="CANCELLED", cause="x")
    with pytest.raises(InvalidInput) as reason:
        trips.cancel_trip(db, tenant="default", actor="t", now=kit.NOW, trip_number="X",
                          reason=" ")
    assert reason.value.problems[0]["field"] == "reason"
    with pytest.raises(InvalidInput):
        trips.list_trips(db, tenant="default", cursor="garbage")
    with pytest.raises(InvalidInput):
        import_response_file(db, b"\xff\xfe", name="r.x12", tenant="default", actor="t",
                             now=kit.NOW)
    kit.ingest(db, [kit.shipment("S1")])
    with pytest.raises(Refused, match="not allowed"):
        change_status(db, tenant="default", actor="t", now=kit.NOW, shipment_id="S1",
                      to="RELEASED", cause="x")
    with pytest.raises(ManifestRefused) as refused:
        file(kit, db, ["S1", "GONE"])
    assert [p["code"] for p in refused.value.problems] == ["UNKNOWN_SHIPMENT"]
    with pytest.raises(InvalidInput) as bad_trip:
        file(kit, db, ["S1"], trip={"carrier_scac": "MAPL"})
    assert bad_trip.value.code == "INVALID_TRIP"
    assert all(p["field"].startswith("trip.") for p in bad_trip.value.problems)


def test_tenants_do_not_see_each_others_batches(kit, db):
    from ace321.app.batches import list_batches, read_batch
    from ace321.app.errors import NotFound
    from ace321.storage.history import tenant_id

    mine = kit.ingest(db, [kit.shipment("M1")], name="mine.json")
    kit.tenant(db, "other")
    kit.ingest(db, [kit.shipment("O1")], tenant="other", name="other.json")
    with db.reading() as session:
        default_pk = tenant_id(session, "default")
        other_pk = tenant_id(session, "other")
    assert [b["name"] for b in list_batches(db, tenant_pk=default_pk).items] == ["mine.json"]
    assert [b["name"] for b in list_batches(db, tenant_pk=other_pk).items] == ["other.json"]
    assert read_batch(db, tenant_pk=default_pk, batch_id=mine.batch_id)["name"] == "mine.json"
    with pytest.raises(NotFound):
        read_batch(db, tenant_pk=other_pk, batch_id=mine.batch_id)


def test_batch_overview_counts_and_problems_equal_the_whole_batchs(kit, db) -> None:
    """The result page's overview (aggregate queries) says what ``read_batch`` says of the
    same batch."""
    from ace321.app.batches import batch_overview, read_batch

    bad = kit.shipment("BAD-1", n=2)
    bad["lines"][0]["hts_code"] = "not-a-code"
    missing = kit.shipment("BAD-2", n=3)
    missing["consignee_name"] = ""
    done = kit.ingest(db, [kit.shipment("OK-1", n=1), bad, missing], name="mixed.json")
    whole = read_batch(db, tenant_pk=1, batch_id=done.batch_id)
    overview = batch_overview(db, tenant_pk=1, batch_id=done.batch_id)
    assert overview["counts"] == whole["counts"]
    assert overview["problems"] == whole["problems"] and len(overview["problems"]) >= 2
    assert {p["shipment_id"] for p in overview["problems"]} >= {"BAD-1", "BAD-2"}
    assert {k: v for k, v in overview.items() if k != "problems"} == {
        k: v for k, v in whole.items() if k not in ("problems", "shipments")}
