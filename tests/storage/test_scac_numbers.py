"""Trip numbers and SCNs unique per carrier SCAC across tenants, responses matched to the one
trip and tenant they belong to (issue 10 item 1), and responses imported idempotently by
content (issue 14 item 14). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

EXAMPLES = Path(__file__).parents[2] / "examples"
FILED = dt.datetime.fromisoformat("2026-11-23T12:00:00-05:00")
NOW = dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC)


def _tenant(db: Any, name: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES "
                                "((SELECT max(id) + 1 FROM tenants), :n, :t)"),
                           {"n": name, "t": NOW})


def _file(kit: Any, db: Any, tmp_path: Path, tenant: str, ids: list[str], *,
          trip_number: str | None = None, scns: dict[str, str] | None = None) -> Any:
    from ace321.app.filing import ManifestOptions, manifest_orders
    from ace321.manifest.trip_file import load_trip
    from ace321.storage import BatchInfo

    trip, _ = load_trip(EXAMPLES / "trip.yaml")
    trip = trip.model_copy(update={"trip_number": trip_number})
    shipments = [kit.shipment(i, person=f"P {i}", phone=f"+1 716-634-{n:04d}",
                              arrival="2026-11-23", **({"scn": scns[i]} if scns and i in scns
                                                       else {}))
                 for n, i in enumerate(ids, start=1)]
    frame = kit.frame(shipments)
    out = tmp_path / f"out-{tenant}-{ids[0]}"
    options = ManifestOptions(trip=trip, out=out, filed_at=FILED, actor="tester", now=NOW,
                              tenant=tenant)
    return manifest_orders(db, frame, options, rules=kit.rules,
                           batch=BatchInfo(f"{tenant}.json", "0" * 64, frame.height))


def _trips(db: Any) -> list[tuple[int, str, str]]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT tenant_id, trip_number, status FROM trips ORDER BY id"))]


def test_two_tenants_of_one_scac_share_its_numbers(db, kit, tmp_path):
    _tenant(db, "broker")
    carrier = _file(kit, db, tmp_path, "default", ["C1", "C2"])
    broker = _file(kit, db, tmp_path, "broker", ["B1", "B2"])
    assert carrier.trip_number == "MAPL20261123001" or carrier.trip_number.startswith("MAPL")
    assert carrier.trip_number != broker.trip_number
    carrier_scns = {d["scn"] for d in carrier.drops}
    broker_scns = {d["scn"] for d in broker.drops}
    assert len(carrier_scns) == 2 and len(broker_scns) == 2
    assert not carrier_scns & broker_scns
    with db.engine.connect() as connection:
        scns = connection.execute(text("SELECT scn FROM scn_registry")).scalars().all()
    assert len(scns) == len(set(scns)) == 4


def test_a_number_given_by_hand_is_refused_for_another_tenant(db, kit, tmp_path):
    from ace321.app.filing_checks import ManifestRefused

    _tenant(db, "broker")
    _file(kit, db, tmp_path, "default", ["C1"], trip_number="MAPL20261123A",
          scns={"C1": "MAPL0000SCN1"})
    with pytest.raises(ManifestRefused) as refused:
        _file(kit, db, tmp_path, "broker", ["B1"], trip_number="MAPL20261123A",
              scns={"B1": "MAPL0000SCN1"})
    codes = {p["code"]: p["message"] for p in refused.value.problems}
    assert {"DUPLICATE_TRIP_NUMBER", "SCN_REUSED"} <= set(codes)
    assert "another account" in codes["DUPLICATE_TRIP_NUMBER"]
    assert "another account" in codes["SCN_REUSED"]
    assert [t[1] for t in _trips(db)] == ["MAPL20261123A"]


def test_the_database_refuses_a_second_trip_number_or_scn_of_a_scac(db, kit, tmp_path):
    from sqlalchemy.exc import IntegrityError

    _tenant(db, "broker")
    _file(kit, db, tmp_path, "default", ["C1"], trip_number="MAPL20261123A")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO trips (tenant_id, trip_number, carrier_scac, port_of_arrival, "
            "estimated_arrival, arrival_date, status, control_number, production, filed_at, "
            "rules_version, trip_json, actor, created_at, updated_at) SELECT 2, trip_number, "
            "carrier_scac, port_of_arrival, estimated_arrival, arrival_date, status, "
            "control_number, production, filed_at, rules_version, trip_json, actor, created_at, "
            "updated_at FROM trips"))
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO scn_registry (tenant_id, scn, issued_at, active) "
            "SELECT 2, scn, issued_at, active FROM scn_registry"))


# -- responses --------------------------------------------------------------------------------


def _response(trip: str, *, scn: str | None = None, code: str = "081") -> str:
    document: dict[str, Any] = {"data": "ACE_RESPONSE", "tripNumber": trip,
                                "validationResponses": [{"code": code, "message": ""}]}
    if scn:
        document = {"data": "ACE_RESPONSE", "validationResponses": [
            {"code": "060", "message": "BILL REJECTED", "shipmentControlNumber": scn}]}
    return json.dumps(document)


def _import(db: Any, content: str, *, tenant: str | None = None, name: str = "r.json") -> Any:
    from ace321.exports.cbp_responses import parse_response_file
    from ace321.storage.responses import import_responses

    return import_responses(db, parse_response_file(content), source_file=name,
                            sha256=hashlib.sha256(content.encode()).hexdigest(), actor="ops",
                            now=NOW, tenant=tenant)


def test_a_response_goes_to_the_one_trip_and_tenant_it_names(db, kit, tmp_path):
    _tenant(db, "broker")
    carrier = _file(kit, db, tmp_path, "default", ["C1"])
    broker = _file(kit, db, tmp_path, "broker", ["B1"])
    report = _import(db, _response(broker.trip_number))
    assert not report.errors
    assert dict((t[1], (t[0], t[2])) for t in _trips(db)) == {
        carrier.trip_number: (1, "OPEN"), broker.trip_number: (2, "ACCEPTED")}
    with db.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT tenant_id FROM cbp_responses")).scalars().all() == [2]
    # Scoped to the carrier's tenant (the API with its key), the broker's trip is unknown.
    scoped = _import(db, _response(broker.trip_number, code="SN030"), tenant="default")
    assert scoped.errors and "unknown trip" in scoped.errors[0].outcome
    assert kit.verify(db).ok


def test_an_ambiguous_response_is_refused(db, kit, tmp_path):
    """Numbers issued twice before migration 0006 stay ambiguous: applied to neither trip."""
    _tenant(db, "broker")
    carrier = _file(kit, db, tmp_path, "default", ["C1"], trip_number="MAPL20261123A")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO trips (tenant_id, trip_number, carrier_scac, port_of_arrival, "
            "estimated_arrival, arrival_date, status, control_number, production, filed_at, "
            "rules_version, trip_json, actor, created_at, updated_at, legacy_duplicate) SELECT 2, "
            "trip_number, carrier_scac, port_of_arrival, estimated_arrival, arrival_date, "
            "status, control_number, production, filed_at, rules_version, trip_json, actor, "
            "created_at, updated_at, TRUE FROM trips"))
    report = _import(db, _response(carrier.trip_number))
    assert len(report.errors) == 1
    outcome = report.errors[0].outcome
    assert "ambiguous" in outcome and "tenant 1" in outcome and "tenant 2" in outcome
    assert {t[2] for t in _trips(db)} == {"OPEN"}
    cli_file = tmp_path / "amb.json"
    cli_file.write_text(_response(carrier.trip_number, code="SN030"))
    cli = kit.cli("responses", "import", str(cli_file), "--db", db.url)
    assert cli.exit_code == 1 and "ambiguous" in cli.stderr


def test_reimporting_the_same_file_stores_nothing_twice(db, kit, tmp_path):
    carrier = _file(kit, db, tmp_path, "default", ["C1", "C2"])
    path = tmp_path / "resp.json"
    path.write_text(_response(carrier.trip_number))
    first = kit.cli("responses", "import", str(path), "--db", db.url)
    assert first.exit_code == 0, first.output
    events = kit.count(db, "audit_events")
    rows = kit.count(db, "cbp_responses")
    again = kit.cli("responses", "import", str(path), "--db", db.url)
    assert again.exit_code == 0, again.output
    assert re.search(r"already imported on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00",
                     " ".join(again.stdout.split()))
    assert "nothing changed" in " ".join(again.stdout.split())
    assert kit.count(db, "cbp_responses") == rows
    assert kit.count(db, "audit_events") == events
    as_json = json.loads(kit.cli("responses", "import", str(path), "--json", "--db",
                                 db.url).stdout)
    assert as_json["messages"] == [] and as_json["already_imported"] == 1
    # Another file name, same content: still the same messages.
    copy = tmp_path / "copy.json"
    copy.write_text(path.read_text())
    assert "already imported" in kit.cli("responses", "import", str(copy), "--db",
                                         db.url).stdout
    assert kit.count(db, "cbp_responses") == rows


def test_a_message_that_failed_is_tried_again_on_reimport(db, kit, tmp_path):
    content = _response("MAPL20261123A")
    early = _import(db, content)
    assert early.errors and "unknown trip" in early.errors[0].outcome
    _file(kit, db, tmp_path, "default", ["C1"], trip_number="MAPL20261123A")
    later = _import(db, content)
    assert not later.errors and not later.already_imported
    assert kit.count(db, "cbp_responses") == 1
    with db.engine.connect() as connection:
        error, trip_id = connection.execute(text(
            "SELECT error, trip_id FROM cbp_responses")).one()
    assert not error and trip_id is not None
    assert {t[2] for t in _trips(db)} == {"ACCEPTED"}
    assert _import(db, content).already_imported
    assert kit.verify(db).ok


# -- the example response file ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["ace_response.json", "cbp_355.x12", "cbp_350.x12"])
def test_example_response_files_apply_to_the_example_trip(kit, db_url, tmp_path, name):
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([
        kit.shipment(f"R{i}", person=f"Person {i}", phone=f"+1 716-634-01{i:02d}",
                     arrival="2026-11-23") for i in (1, 2, 3)]))
    filed = kit.cli("manifest", str(orders), "--trip", str(EXAMPLES / "trip.yaml"), "--out",
                    str(tmp_path / "out"), "--filed-at", "2026-11-23T12:00:00-05:00",
                    "--db", db_url, "--format", "json")
    assert filed.exit_code == 0, filed.output
    response = EXAMPLES / "responses" / name
    first = kit.cli("responses", "import", str(response), "--db", db_url, "--json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["errors"] == 0 and document["messages"]
    shown = json.loads(kit.cli("trips", "show", "MAPL20261123A", "--json", "--db",
                               db_url).stdout)
    assert shown["status"] in ("ACCEPTED", "ARRIVED", "RELEASED")
    again = kit.cli("responses", "import", str(response), "--db", db_url)
    assert again.exit_code == 0 and "already imported" in again.stdout


def test_migration_keeps_numbers_issued_twice_and_shares_the_sequences(fresh_db_url, kit):
    from ace321.storage import Database
    from ace321.storage.database import create_db_engine, upgrade

    engine = create_db_engine(fresh_db_url)
    upgrade(engine, "0005")
    columns = ("tenant_id, trip_number, carrier_scac, port_of_arrival, estimated_arrival, "
               "arrival_date, status, control_number, production, filed_at, rules_version, "
               "trip_json, actor, created_at, updated_at")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES "
                                "(2, 'broker', :t)"), {"t": NOW})
        for tenant in (1, 2):
            connection.execute(text(
                f"INSERT INTO trips ({columns}) VALUES (:tenant, 'MAPL20261123001', 'MAPL', "
                "'0901', :t, :d, 'OPEN', 1, FALSE, :t, 'r', '{}', 'old', :t, :t)"),
                {"tenant": tenant, "t": NOW, "d": NOW.date()})
            connection.execute(text(
                "INSERT INTO scn_registry (tenant_id, scn, issued_at, active) VALUES "
                "(:tenant, 'MAPL000000000001', :t, TRUE)"), {"tenant": tenant, "t": NOW})
            connection.execute(text(
                "INSERT INTO counters (tenant_id, name, value) VALUES (:tenant, "
                "'trip:MAPL:20261123', :v), (:tenant, 'scn', :v)"),
                {"tenant": tenant, "v": tenant})
    engine.dispose()
    database = Database.open(fresh_db_url)
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT tenant_id, legacy_duplicate FROM trips ORDER BY id")).all() == [
                (1, False), (2, True)]
            assert connection.execute(text(
                "SELECT tenant_id, legacy_duplicate FROM scn_registry ORDER BY id")).all() == [
                (1, False), (2, True)]
            assert dict(connection.execute(text(
                "SELECT name, value FROM counters WHERE tenant_id = 0")).all()) == {
                "trip:MAPL:20261123": 2, "scn": 2}
        report = _import(database, _response("MAPL20261123001"))
        assert report.errors and "ambiguous" in report.errors[0].outcome
    finally:
        database.close()


@pytest.mark.parametrize("trip_number", [None, "MAPL20261123X"])
def test_two_tenants_filing_at_once_never_share_a_number(db, kit, tmp_path, trip_number):
    """Generated numbers come from the SCAC's shared sequence; a number given by hand is
    locked, so the second filing is refused by name (never a unique-index error)."""
    from concurrent.futures import ThreadPoolExecutor

    from ace321.app.filing_checks import ManifestRefused

    _tenant(db, "broker")

    def file(tenant: str) -> Any:
        try:
            return _file(kit, db, tmp_path, tenant, [f"{tenant[:1].upper()}1"],
                         trip_number=trip_number)
        except ManifestRefused as refused:
            return refused

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(file, ["default", "broker"]))
    numbers = [t[1] for t in _trips(db)]
    assert len(numbers) == len(set(numbers))
    if trip_number is None:
        assert len(numbers) == 2
    else:
        assert numbers == [trip_number]
        (refused,) = [r for r in results if isinstance(r, ManifestRefused)]
        assert {p["code"] for p in refused.problems} == {"DUPLICATE_TRIP_NUMBER"}
