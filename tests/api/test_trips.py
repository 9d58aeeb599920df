"""Trips over HTTP: file stored shipments, read the trip and its files, cancel; responses."""

from __future__ import annotations

import copy
import json

import pytest

from ace321.api.schemas.trips import EXAMPLE_TRIP

DAY = "2026-11-23"  # EXAMPLE_TRIP arrives 2026-11-23 14:30 at Buffalo (0901)


@pytest.fixture
def stored(api):
    api.upload([api.shipment(f"R{n}", person=f"Person {n}", phone=f"+1 716-634-01{n:02d}",
                             arrival=DAY) for n in range(1, 4)])
    api.upload([api.shipment("BAD", arrival=DAY, lines=[{"hts_code": "12"}])])
    return ["R1", "R2", "R3"]


def test_file_read_and_cancel_a_trip(api, helpers, stored):
    response = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": stored},
                        role="operator")
    assert response.status_code == 201, response.text
    trip = response.json()
    number = trip["trip_number"]
    assert response.headers["location"] == f"/v1/trips/{number}"
    assert [s["shipment_id"] for s in trip["shipments"]] == stored
    assert {s["status"] for s in trip["shipments"]} == {"MANIFESTED"}
    assert {f["name"] for f in trip["files"]} >= {"ace_trip.json", "ace_shipments.csv",
                                                  "manifest.x12", "cover_sheet.pdf"}
    assert api.get(f"/v1/trips/{number}", role="viewer").json()["status"] == "OPEN"
    document = api.get(f"/v1/trips/{number}/files/ace_trip.json").json()
    assert document["data"] == "ACE_TRIP" or document
    pdf = api.get(f"/v1/trips/{number}/files/cover_sheet.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    x12 = api.get(f"/v1/trips/{number}/files/manifest.x12")
    assert x12.content.startswith(b"ISA")
    helpers.problem(api.get(f"/v1/trips/{number}/files/other.txt"), 422)
    assert api.get("/v1/shipments/R1").json()["status"] == "MANIFESTED"
    helpers.problem(api.post(f"/v1/trips/{number}/cancel", json={"reason": "x"},
                             role="viewer"), 403)
    cancelled = api.post(f"/v1/trips/{number}/cancel", json={"reason": "truck broke down"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert api.get("/v1/shipments/R1").json()["status"] == "SCREENED"
    again = helpers.problem(api.post(f"/v1/trips/{number}/cancel", json={"reason": "x"}), 409)
    assert "CANCELLED" in again["detail"]


def test_refused_trips_list_every_problem(api, helpers, stored):
    body = helpers.problem(api.post("/v1/trips", json={
        "trip": EXAMPLE_TRIP, "shipment_ids": ["R1", "BAD"]}), 422)
    assert body["issues"] and all(set(i) == {"code", "severity", "field", "row", "message"}
                                  for i in body["issues"])
    broken = copy.deepcopy(EXAMPLE_TRIP)
    del broken["truck"]
    body = helpers.problem(api.post("/v1/trips", json={"trip": broken, "shipment_ids": ["R1"]}),
                           422)
    assert any(i["field"].startswith("trip.truck") for i in body["issues"])
    helpers.problem(api.post("/v1/trips", json={"trip": EXAMPLE_TRIP}), 422)
    body = helpers.problem(api.post("/v1/trips", json={"trip": EXAMPLE_TRIP,
                                                       "shipment_ids": ["NOPE"]}), 404)
    assert body["issues"][0]["code"] == "UNKNOWN_SHIPMENT"
    assert api.count("trips") == 0
    assert api.get("/v1/shipments/R1").json()["status"] == "SCREENED"


def test_another_tenants_trip_is_not_found(api, helpers, stored):
    number = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": stored}).json()[
        "trip_number"]
    for path in (f"/v1/trips/{number}", f"/v1/trips/{number}/files/manifest.x12"):
        mine, missing = (api.get(p, tenant="rival") for p in (path, path.replace(number, "NO")))
        assert helpers.problem(mine, 404)["title"] == helpers.problem(missing, 404)["title"]
    helpers.problem(api.post(f"/v1/trips/{number}/cancel", json={"reason": "x"},
                             tenant="rival"), 404)
    # Filing acme's shipments from the rival tenant: they do not exist there.
    body = helpers.problem(api.post("/v1/trips", json={
        "trip": {**EXAMPLE_TRIP, "trip_number": "MAPL20261123Z"}, "shipment_ids": stored},
        tenant="rival"), 404)
    assert {i["code"] for i in body["issues"]} == {"UNKNOWN_SHIPMENT"}
    # A response naming acme's trip, sent by the rival, changes nothing of acme's.
    response = api.post("/v1/responses", tenant="rival", content=json.dumps({
        "data": "ACE_RESPONSE", "tripNumber": number,
        "processingResponse": {"shipmentsAccepted": 3, "shipmentsRejected": 0}}),
        headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == 1
    assert api.get(f"/v1/trips/{number}").json()["status"] == "OPEN"


def test_responses_are_stored_and_bad_documents_are_422(api, helpers, stored):
    number = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": stored}).json()[
        "trip_number"]
    response = api.post("/v1/responses", params={"name": "resp.json"}, content=json.dumps({
        "data": "ACE_RESPONSE", "tripNumber": number, "tripStatus": "HTR"}),
        headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source_file"] == "resp.json" and body["unknown_codes"] == 1
    assert api.get(f"/v1/trips/{number}").json()["responses"][0]["code"] == "HTR"
    helpers.problem(api.post("/v1/responses", content=b"hello",
                             headers={"content-type": "text/plain"}), 422)
    helpers.problem(api.post("/v1/responses", role="viewer", content=b"ISA",
                             headers={"content-type": "text/plain"}), 403)


def test_a_response_posted_twice_is_stored_once(api, helpers, stored):
    number = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": stored}).json()[
        "trip_number"]
    content = json.dumps({"data": "ACE_RESPONSE", "tripNumber": number,
                          "validationResponses": [{"code": "081", "message": ""}]})
    first = api.post("/v1/responses", content=content,
                     headers={"content-type": "application/json"}).json()
    assert first["errors"] == 0 and len(first["messages"]) == 1
    assert first["already_imported"] == 0
    again = api.post("/v1/responses", params={"name": "other-name.json"}, content=content,
                     headers={"content-type": "application/json"}).json()
    assert again["messages"] == [] and again["already_imported"] == 1
    assert len(api.get(f"/v1/trips/{number}").json()["responses"]) == 1


def test_another_tenant_cannot_take_a_trip_number_of_the_same_scac(api, helpers, stored):
    number = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": stored}).json()[
        "trip_number"]
    api.upload([api.shipment("Z1", person="Zed", phone="+1 716-634-0199", arrival=DAY)],
               tenant="rival")
    body = helpers.problem(api.post("/v1/trips", json={
        "trip": {**EXAMPLE_TRIP, "trip_number": number}, "shipment_ids": ["Z1"]},
        tenant="rival"), 422)
    issues = {i["code"]: i["message"] for i in body["issues"]}
    assert "another account" in issues["DUPLICATE_TRIP_NUMBER"]
