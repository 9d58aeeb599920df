"""The manifest layer's storage: numbers, trips, cancellation, all-or-nothing filing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

EXAMPLES = Path(__file__).parents[2] / "examples"
FILED = dt.datetime.fromisoformat("2026-11-23T12:00:00-05:00")


def options(tmp_path: Path, **changes: Any) -> Any:
    from ace321.app.filing import ManifestOptions
    from ace321.manifest.trip_file import load_trip

    trip, issues = load_trip(EXAMPLES / "trip.yaml")
    assert issues == []
    trip = trip.model_copy(update=changes)
    return ManifestOptions(trip=trip, out=tmp_path / "out", filed_at=FILED, actor="tester",
                           now=dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC))


def file_trip(kit: Any, db: Any, tmp_path: Path, ids: list[str], **changes: Any) -> Any:
    from ace321.app.filing import manifest_orders
    from ace321.storage import BatchInfo

    frame = kit.frame([kit.shipment(i, person=f"P {i}", phone=f"+1 716-634-{n:04d}", arrival="2026-11-23")
                       for n, i in enumerate(ids, start=1)])
    return manifest_orders(db, frame, options(tmp_path, **changes), rules=kit.rules,
                           batch=BatchInfo("b.json", "0" * 64, frame.height))


def test_schema_of_migration_0002(db):
    columns = {c["name"] for c in inspect(db.engine).get_columns("scn_registry")}
    assert {"actor", "rules_version", "trip_id"} <= columns
    for table in ("trips", "trip_files", "trip_shipments", "counters", "cbp_responses"):
        assert table in inspect(db.engine).get_table_names()
    if db.dialect == "postgresql":
        with db.engine.connect() as connection:
            names = set(connection.execute(text(
                "SELECT sequence_name FROM information_schema.sequences")).scalars())
        assert {"scn_seq", "x12_control_seq"} <= names


def test_scn_allocation_skips_registered_and_rolls_back_on_sqlite(db):
    from ace321.storage.models import ScnRegistry
    from ace321.storage.trip_numbers import allocate_control_number, allocate_scns

    with db.transaction() as session:
        first = allocate_scns(session, 1, "MAPL", 2)
        start = int(first[0][4:])
        session.add(ScnRegistry(tenant_id=1, scn=f"MAPL{start + 2:012d}", issued_at=FILED,
                                active=True))
        session.flush()
        more = allocate_scns(session, 1, "MAPL", 2)
        assert [int(s[4:]) for s in more] == [start + 3, start + 4]
        assert allocate_control_number(session, 1) >= 1
    with pytest.raises(RuntimeError), db.transaction() as session:
        rolled = allocate_scns(session, 1, "MAPL", 1)
        raise RuntimeError("abort")
    with db.transaction() as session:
        after = allocate_scns(session, 1, "MAPL", 1)
    if db.dialect == "sqlite":
        assert after == rolled  # the counter row went back with the transaction
    else:
        assert after > rolled  # a sequence never goes back: a gap, never a reuse


def test_generated_trip_numbers_follow_a_sequence(kit, db, tmp_path):
    one = file_trip(kit, db, tmp_path, ["G1"], trip_number=None)
    two = file_trip(kit, db, tmp_path, ["G2"], trip_number=None)
    assert (one.trip_number, two.trip_number) == ("MAPL202611231", "MAPL202611232")
    assert two.control_number != one.control_number


def test_cancel_only_before_transmission(kit, db, tmp_path):
    from ace321.storage import StorageError
    from ace321.storage.lifecycle import transition
    from ace321.storage.trips import cancel_trip

    report = file_trip(kit, db, tmp_path, ["X1", "X2"])
    transition(db, "X1", "TRANSMITTED", actor="t", cause="sent", now=kit.NOW)
    done = cancel_trip(db, report.trip_number, actor="t", now=kit.NOW, reason="no truck")
    assert done["freed"] == ["X2"]
    with pytest.raises(StorageError, match="CANCELLED"):
        cancel_trip(db, report.trip_number, actor="t", now=kit.NOW, reason="again")
    with pytest.raises(StorageError, match="reason"):
        cancel_trip(db, report.trip_number, actor="t", now=kit.NOW, reason=" ")
    assert kit.count(db, "scn_registry") == 2


def test_file_write_failure_stores_nothing(kit, db_url, tmp_path):
    shipments = [kit.shipment("W1", arrival="2026-11-23")]
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps(shipments))
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should go")
    result = kit.cli("manifest", str(orders), "--trip", str(EXAMPLES / "trip.yaml"), "--out",
                     str(blocker), "--filed-at", FILED.isoformat(), "--db", db_url)
    assert result.exit_code == 1
    assert "nothing stored or written" in result.stderr
    from ace321.storage import Database

    database = Database.open(db_url)
    try:
        assert {t: kit.count(database, t) for t in ("trips", "shipments", "scn_registry",
                                                     "batches")} == dict.fromkeys(
            ("trips", "shipments", "scn_registry", "batches"), 0)
    finally:
        database.close()
    assert blocker.read_text().startswith("a file")
