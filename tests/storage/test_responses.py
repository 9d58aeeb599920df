"""``ace321 responses import``: CBP's 355 and 350, BorderConnect ACE_RESPONSE (both databases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ace321.exports.cbp_responses import CODES, Effect, parse_ace_response
from ace321.exports.x12.responses import parse_responses

EXAMPLES = Path(__file__).parents[2] / "examples"
TRIP = "MAPL20261123A"


def interchange(code: str, *segments: str) -> str:
    """An interchange holding one transaction set ``code`` with ``segments`` (no terminators)."""
    group = {"355": "AZ", "350": "AU"}[code]
    body = [f"ST*{code}*0001", *segments]
    body.append(f"SE*{len(body) + 1}*0001")
    isa = ("ISA*00*          *00*          *ZZ*CBP-ACE        *ZZ*MAPL           "
           "*261123*1300*^*00501*000000101*0*T*>")
    return "~".join([isa, f"GS*{group}*CBP-ACE*MAPL*20261123*1300*101*X*005010", *body,
                     "GE*1*101", "IEA*1*000000101"]) + "~"


def m10(trip: str = TRIP) -> str:
    return f"M10*MAPL*J*CA****{trip}"


def m11(scn: str) -> str:
    return f"M11*{scn[4:]}***********MAPL"


@pytest.fixture
def filed(kit: Any, db_url: str, tmp_path: Path) -> list[str]:
    """A trip of three shipments (R1, R2, R3) filed through the CLI; their SCNs in order."""
    shipments = [kit.shipment(f"R{i}", person=f"Person {i}", phone=f"+1 716-634-01{i:02d}",
                              arrival="2026-11-23") for i in (1, 2, 3)]
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps(shipments))
    result = kit.cli("manifest", str(orders), "--trip", str(EXAMPLES / "trip.yaml"), "--out",
                     str(tmp_path / "out"), "--filed-at", "2026-11-23T12:00:00-05:00",
                     "--db", db_url, "--format", "json")
    assert result.exit_code == 0, result.output
    return [s["scn"] for s in json.loads(result.stdout)["shipments"]]


def run(kit: Any, db_url: str, tmp_path: Path, content: str, name: str = "resp.x12") -> Any:
    path = tmp_path / name
    path.write_text(content)
    return kit.cli("responses", "import", str(path), "--format", "json", "--db", db_url)


def state(kit: Any, db_url: str) -> tuple[str, dict[str, str]]:
    shown = json.loads(kit.cli("trips", "show", TRIP, "--format", "json", "--db", db_url).stdout)
    return shown["status"], {s["shipment_id"]: s["status"] for s in shown["shipments"]}


def stored_responses(db_url: str) -> list[Any]:
    from ace321.storage import Database

    database = Database.open(db_url)
    try:
        with database.engine.connect() as connection:
            return list(connection.execute(text(
                "SELECT trip_id, scn, code, text, known, error, raw, source_file, message_type "
                "FROM cbp_responses ORDER BY id")))
    finally:
        database.close()


def test_355_acceptance(kit, db_url, tmp_path, filed):
    result = run(kit, db_url, tmp_path, interchange("355", m10(), "K1*081*MANIFEST TRANSMITTAL"))
    assert result.exit_code == 0, result.output
    assert state(kit, db_url) == ("ACCEPTED", {"R1": "ACCEPTED", "R2": "ACCEPTED",
                                               "R3": "ACCEPTED"})
    shown = kit.cli("shipments", "show", "R1", "--db", db_url)
    history = json.loads(shown.stdout)["status_history"]
    assert [h["to"] for h in history] == ["SCREENED", "MANIFESTED", "TRANSMITTED", "ACCEPTED"]
    rows = stored_responses(db_url)
    assert [(r.code, r.text, bool(r.known), r.message_type) for r in rows] == [
        ("081", "MANIFEST TRANSMITTAL", True, "355")]
    assert rows[0].raw == "K1*081*MANIFEST TRANSMITTAL~" and rows[0].trip_id is not None
    assert kit.cli("audit", "verify", "--db", db_url).exit_code == 0


def test_355_bill_rejected(kit, db_url, tmp_path, filed):
    content = interchange("355", m10(), "K1*081*MANIFEST TRANSMITTAL", "K1*511*MAN RETURNED TO "
                          "PRELIMINARY", "P4*0901*20261123*3", "LX*1", m11(filed[1]),
                          "K1*060*BILL REJECTED", "K1*005*INVALID N1 CONSIGNEE")
    result = run(kit, db_url, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert state(kit, db_url) == ("ACCEPTED", {"R1": "ACCEPTED", "R2": "REJECTED",
                                               "R3": "ACCEPTED"})
    messages = json.loads(result.stdout)["messages"]
    assert [(m["code"], m["scn"]) for m in messages] == [
        ("081", None), ("511", None), ("060", filed[1]), ("005", filed[1])]
    assert stored_responses(db_url)[2].raw == f"LX*1~{m11(filed[1])}~K1*060*BILL REJECTED~"


def test_355_duplicate_trip_number_rejects_the_trip(kit, db_url, tmp_path, filed):
    result = run(kit, db_url, tmp_path, interchange("355", m10(), "K1*418*DUPLICATE TRIP NUMBER"))
    assert result.exit_code == 0, result.output
    assert state(kit, db_url) == ("REJECTED", {f"R{i}": "REJECTED" for i in (1, 2, 3)})


def test_350_arrival_release_hold(kit, db_url, tmp_path, filed):
    run(kit, db_url, tmp_path, interchange("355", m10(), "K1*081*MANIFEST TRANSMITTAL"))
    content = interchange("350", m10(), "P4*0901*20261123*3", "V9*SN030*TRIP ARRIVED",
                          f"X4*{filed[0][4:]}**SN053", "K1*SHIPMENT RELEASED",
                          f"X4*{filed[1]}**SN050", "K1*SHIPMENT HOLD",
                          f"X4*{filed[2][4:]}**1C")
    result = run(kit, db_url, tmp_path, content, "status.x12")
    assert result.exit_code == 0, result.output
    assert state(kit, db_url) == ("ARRIVED", {"R1": "RELEASED", "R2": "HOLD", "R3": "RELEASED"})
    release = interchange("350", m10(), "V9*SN038*RELEASE TRIP", f"X4*{filed[1][4:]}**SN053")
    assert run(kit, db_url, tmp_path, release, "release.x12").exit_code == 0
    assert state(kit, db_url) == ("RELEASED", {"R1": "RELEASED", "R2": "RELEASED",
                                               "R3": "RELEASED"})
    # a release of a RELEASED shipment is a no-op, a hold of it is refused
    again = run(kit, db_url, tmp_path, interchange("350", m10(), f"X4*{filed[0][4:]}**SN050"),
                "again.x12")
    assert again.exit_code == 1 and "cannot become HOLD" in again.stderr


def test_release_of_a_manifested_shipment_implies_the_steps(kit, db_url, tmp_path, filed):
    result = run(kit, db_url, tmp_path, interchange("350", m10(), f"X4*{filed[0][4:]}**SN053"))
    assert result.exit_code == 0, result.output
    history = json.loads(kit.cli("shipments", "show", "R1", "--db", db_url).stdout)
    assert [h["to"] for h in history["status_history"]] == [
        "SCREENED", "MANIFESTED", "TRANSMITTED", "ACCEPTED", "ARRIVED", "RELEASED"]
    assert history["status_history"][-2]["cause"].startswith("implied by CBP 350 SN053")
    assert state(kit, db_url)[1] == {"R1": "RELEASED", "R2": "TRANSMITTED", "R3": "TRANSMITTED"}


def test_borderconnect_ace_response(kit, db_url, tmp_path, filed):
    document = {
        "data": "ACE_RESPONSE", "sendId": "001", "tripNumber": TRIP,
        "processingResponse": {"shipmentsAccepted": 2, "shipmentsRejected": 1,
                               "message": "Shipments Rejected [1], Shipments Accepted [2] for "
                                          "Complete Manifest"},
        "validationResponses": [{"code": "060", "message": "BILL REJECTED",
                                 "shipmentControlNumber": filed[2]}],
        "shipments": [{"shipmentControlNumber": filed[0], "status": "ACCEPTED"}],
        "tripStatus": "HTR",
    }
    result = run(kit, db_url, tmp_path, json.dumps(document), "resp.json")
    assert result.exit_code == 0, result.output
    assert state(kit, db_url) == ("ACCEPTED", {"R1": "ACCEPTED", "R2": "ACCEPTED",
                                               "R3": "REJECTED"})
    report = json.loads(result.stdout)
    assert report["unknown_codes"] == 1
    assert report["messages"][-1]["code"] == "HTR" and not report["messages"][-1]["known"]
    assert "unknown code 'HTR'" in result.stderr
    rows = stored_responses(db_url)
    assert {r.message_type for r in rows} == {"ACE_RESPONSE"} and len(rows) == 4
    assert json.loads(rows[-1].raw) == {"tripStatus": "HTR"}


def test_unknown_code_is_stored_and_reported(kit, db_url, tmp_path, filed):
    result = run(kit, db_url, tmp_path, interchange("355", m10(), "K1*Z42*SOMETHING NEW"))
    assert result.exit_code == 0, result.output
    assert "unknown code 'Z42'" in result.stderr
    row = stored_responses(db_url)[0]
    assert (row.code, row.text, bool(row.known), bool(row.error)) == ("Z42", "SOMETHING NEW",
                                                                      False, False)
    # the first response still tells that the trip was transmitted
    assert state(kit, db_url)[0] == "TRANSMITTED"


def test_unknown_scn_and_trip_are_errors_and_the_rest_is_applied(kit, db_url, tmp_path, filed):
    content = interchange("350", m10(), "V9*SN030*TRIP ARRIVED",
                          "X4*999999999999**SN053", f"X4*{filed[0][4:]}**SN050")
    result = run(kit, db_url, tmp_path, content)
    assert result.exit_code == 1
    assert "unknown SCN MAPL999999999999" in result.stderr
    assert state(kit, db_url)[1]["R1"] == "HOLD"
    other = run(kit, db_url, tmp_path, interchange("355", m10("MAPL20990101Z"), "K1*081*X"),
                "other.x12")
    assert other.exit_code == 1 and "unknown trip MAPL20990101Z" in other.stderr
    rows = stored_responses(db_url)
    assert [(r.code, bool(r.error)) for r in rows] == [
        ("SN030", False), ("SN053", True), ("SN050", False), ("081", True)]


def test_unreadable_files(kit, db_url, tmp_path):
    assert run(kit, db_url, tmp_path, "hello", "x.txt").exit_code == 2
    assert run(kit, db_url, tmp_path, '{"data": "ACE_TRIP"}', "x.json").exit_code == 2
    broken = interchange("355", m10(), "K1*081*X").replace("SE*4*0001", "SE*9*0001")
    result = run(kit, db_url, tmp_path, broken)
    assert result.exit_code == 2 and "SE01" in result.stderr


def test_parsers_and_code_table():
    messages = parse_responses(interchange("355", m10(), "K1*060 BILL REJECTED", "K1*MANIFEST "
                                           "TRANSMITTAL"))
    assert [(m.code, m.text) for m in messages] == [("060", "BILL REJECTED"),
                                                   ("081", "MANIFEST TRANSMITTAL")]
    assert CODES["SN030"].effect is Effect.TRIP_ARRIVED
    assert CODES["418"].effect is Effect.TRIP_REJECTED
    assert {"081", "060", "418", "511", "509", "SN030", "SN053", "SN050", "SN038", "1A", "1B",
            "1C"} <= set(CODES)
    only = parse_ace_response({"data": "ACE_RESPONSE", "trip": {"tripNumber": "T"},
                               "processingResponse": {"shipmentsAccepted": 0,
                                                      "shipmentsRejected": 2}})
    assert [(m.trip_number, m.code) for m in only] == [("T", "BC_REJECTED")]
