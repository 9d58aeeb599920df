"""Issue 14 on the API: lists of trips and batches (item 15), overrides refused on filed trips
(item 3), errors in the API's words (item 12), docs without internet (item 7)."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from ace321.api.schemas.trips import EXAMPLE_TRIP

DAY = "2026-11-23"  # EXAMPLE_TRIP arrives 2026-11-23 14:30 at Buffalo (0901)


def trip(number: str) -> dict[str, object]:
    document = copy.deepcopy(EXAMPLE_TRIP)
    document["trip_number"] = number
    return document


@pytest.fixture
def filed(api):
    """Trips MAPL20261123A (T1, T2) and MAPL20261123B (T3); A is then cancelled."""
    api.upload([api.shipment(f"T{n}", person=f"Person {n}", phone=f"+1 716-634-01{n:02d}",
                             arrival=DAY) for n in range(1, 5)])
    for number, ids in (("MAPL20261123A", ["T1", "T2"]), ("MAPL20261123B", ["T3"])):
        response = api.post("/v1/trips", json={"trip": trip(number), "shipment_ids": ids})
        assert response.status_code == 201, response.text
    assert api.post("/v1/trips/MAPL20261123A/cancel", json={"reason": "no truck"}
                    ).status_code == 200
    return ["MAPL20261123A", "MAPL20261123B"]


def test_trips_list_filters_and_pages(api, helpers, filed):
    everything = api.get("/v1/trips", role="viewer").json()
    assert [t["trip_number"] for t in everything["items"]] == filed
    assert everything["next_cursor"] is None
    assert everything["items"][1]["shipments"] == 1 and everything["items"][1]["scns"] == 1
    first = api.get("/v1/trips", params={"limit": 1}).json()
    assert [t["trip_number"] for t in first["items"]] == filed[:1]
    second = api.get("/v1/trips", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [t["trip_number"] for t in second["items"]] == filed[1:]
    assert second["next_cursor"] is None
    assert [t["trip_number"] for t in api.get("/v1/trips", params={"status": "OPEN"}).json()[
        "items"]] == ["MAPL20261123B"]
    assert api.get("/v1/trips", params={"arrival_date": "2026-11-24"}).json()["items"] == []
    assert len(api.get("/v1/trips", params={"arrival_from": DAY, "arrival_to": DAY}).json()[
        "items"]) == 2
    assert api.get("/v1/trips", tenant="other").json() == {"items": [], "next_cursor": None}
    bad = helpers.problem(api.get("/v1/trips", params={"cursor": "nope"}), 422)
    assert bad["issues"][0]["field"] == "cursor"
    helpers.problem(api.get("/v1/trips", params={"status": "BOGUS"}), 422)


def test_batches_list_newest_first_and_pages(api, helpers):
    first = api.upload([api.shipment("B1")], params={"name": "first.json"})
    second = api.upload([api.shipment("B2", person="Bo Ek", phone="+1 716-634-0202")],
                        params={"name": "second.json"})
    page = api.get("/v1/batches", role="viewer").json()
    assert {b["id"] for b in page["items"]} == {first["id"], second["id"]}
    one = api.get("/v1/batches", params={"limit": 1}).json()
    two = api.get("/v1/batches", params={"limit": 1, "cursor": one["next_cursor"]}).json()
    assert {one["items"][0]["id"], two["items"][0]["id"]} == {first["id"], second["id"]}
    assert two["next_cursor"] is None
    assert one["items"][0]["imported_at"].endswith("+00:00")
    assert api.get("/v1/batches", tenant="other").json()["items"] == []
    helpers.problem(api.get("/v1/batches", params={"cursor": "x"}), 422)


def test_override_of_a_shipment_on_a_filed_trip_is_refused(api, helpers, filed):
    # De minimis is suspended on 2026-11-23: the shipments are INFORMAL_ENTRY, filed as PAPS.
    assert api.get("/v1/shipments/T3").json()["decision"] == "INFORMAL_ENTRY"
    body = helpers.problem(api.post("/v1/shipments/T3/override", json={
        "decision": "FORMAL_ENTRY", "reason": "value doubtful"}), 409)
    assert "MAPL20261123B" in body["detail"] and "cancel" in body["detail"]
    assert body["issues"][0]["code"] == "SHIPMENT_ON_FILED_TRIP"
    assert api.get("/v1/shipments/T3").json()["decision"] == "INFORMAL_ENTRY"
    # T1 was on the cancelled trip: it may be overridden.
    done = api.post("/v1/shipments/T1/override", json={
        "decision": "FORMAL_ENTRY", "reason": "value doubtful"})
    assert done.status_code == 200, done.text
    assert done.json()["decision"] == "FORMAL_ENTRY"
    # Once the trip is cancelled, T3 may be overridden too.
    assert api.post("/v1/trips/MAPL20261123B/cancel", json={"reason": "redo"}).status_code == 200
    assert api.post("/v1/shipments/T3/override", json={
        "decision": "FORMAL_ENTRY", "reason": "value doubtful"}).status_code == 200


def test_csv_sent_to_screen_is_415_pointing_to_batches(api, helpers):
    body = helpers.problem(api.post("/v1/screen", content=api.csv(1),
                                    headers={"Content-Type": "text/csv"}), 415)
    assert "/v1/batches" in body["detail"]
    assert body["issues"][0]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_errors_name_the_field_in_the_apis_words(api, helpers, filed):
    body = helpers.problem(api.post("/v1/trips/MAPL20261123B/cancel"), 422)
    assert [i["field"] for i in body["issues"]] == ["reason"]
    assert "Field required" not in body["detail"] and "body" not in body["detail"].split(":")[0]
    assert body["detail"].startswith("reason: required")
    empty = helpers.problem(api.post("/v1/trips/MAPL20261123B/cancel", json={}), 422)
    assert empty["issues"][0] == {"code": "INVALID_REQUEST", "severity": "error",
                                  "field": "reason", "row": None, "message": "reason: required"}
    override = helpers.problem(api.post("/v1/shipments/T4/override", json={
        "reason": "x"}), 422)
    assert override["detail"] == "decision: required"


def test_docs_work_without_internet(api):
    page = api.client.get("/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text.split("<body>")[1]
    assets = Path(__file__).parents[2] / "src/ace321/api/static/swagger-ui"
    for name, digest in (
            ("swagger-ui-bundle.js",
             "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2"),
            ("swagger-ui.css", "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d")):
        assert f"/v1/assets/swagger-ui/{name}" in page.text
        served = api.client.get(f"/v1/assets/swagger-ui/{name}")
        assert served.status_code == 200
        assert hashlib.sha256(served.content).hexdigest() == digest
        assert hashlib.sha256((assets / name).read_bytes()).hexdigest() == digest
    assert api.client.get("/v1/openapi.json").json()["info"]["title"] == "ace321"
    home = api.client.get("/", follow_redirects=False)
    # "/" is the web workspace: signed out, it sends the browser to its sign-in page.
    assert home.status_code == 303 and home.headers["location"] == "/sign-in"
