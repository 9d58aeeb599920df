"""Item 10.7: hostile requests answer a 4xx problem naming the cause, never a 500, on SQLite and
PostgreSQL; after a 500 the connection is closed explicitly."""

from __future__ import annotations

import json

import pytest

JSON = {"Content-Type": "application/json"}
DEEP = "[" * 100_000 + "]" * 100_000
BIG_INT = "[" + "9" * 5000 + "]"


@pytest.mark.parametrize("path", [
    "/v1/shipments/%00", "/v1/shipments/S%001", "/v1/trips/%00", "/v1/batches/%00",
    "/v1/trips/%00/files/summary.json", "/v1/shipments?consignee=%00",
    "/v1/shipments?cursor=%00", "/v1/shipments?consignee=a%01b"])
def test_control_characters_in_path_and_query(api, helpers, path):
    body = helpers.problem(api.get(path), 422 if "?" in path else 404)
    assert "control character (U+00" in body["detail"]


def test_nul_in_bodies_is_a_problem_naming_the_field(api, helpers):
    api.upload([api.shipment("S1")])
    body = helpers.problem(api.post("/v1/shipments/S1/override", json={
        "decision": "FORMAL_ENTRY", "reason": "x\u0000y"}), 422)
    assert body["issues"][0]["field"] == "reason"
    assert "U+0000" in body["issues"][0]["message"]
    trip = helpers.problem(api.post("/v1/trips", json={"trip": {}, "shipment_ids": ["S\u00001"]}),
                           422)
    assert trip["issues"][0]["field"].startswith("shipment_ids")


def test_nul_in_a_batch_refuses_it_with_row_and_field_and_stores_nothing(api, helpers):
    bad = api.shipment("S2", consignee_name="Ann\u0000Lee", person="x")
    bad["consignee_name"] = "Ann\u0000Lee"
    body = helpers.problem(api.post("/v1/batches", json=[api.shipment("S1"), bad]), 422)
    assert body["type"].endswith("/unstorable")
    first = body["issues"][0]
    assert (first["code"], first["field"], first["row"]) == ("CONTROL_CHARACTER",
                                                            "consignee.name", 2)
    assert api.count("shipments") == 0 and api.count("batches") == 0


def test_nul_in_a_screened_shipment_is_an_issue_not_an_error(api):
    shipment = api.shipment("S1")
    shipment["consignee_name"] = "Ann\u0000Lee"
    answer = api.post("/v1/screen", json=[shipment], role="operator")
    assert answer.status_code == 200
    document = answer.json()
    assert document["shipments"][0]["decision"] == "INVALID"
    assert document["shipments"][0]["issues"][0]["code"] == "CONTROL_CHARACTER"


@pytest.mark.parametrize("path", ["/v1/screen", "/v1/batches", "/v1/responses", "/v1/trips",
                                  "/v1/shipments/S1/override"])
def test_a_lone_surrogate_in_json(api, helpers, path):
    raw = json.dumps([api.shipment("S1")]).replace('"Ann Lee"', '"\\ud800"')
    body = helpers.problem(api.post(path, content=raw, headers=JSON), 422)
    assert "lone surrogate \\ud800" in body["detail"]


def test_a_surrogate_pair_and_an_escaped_backslash_are_fine(api):
    shipment = api.shipment("S1", person="Ann Lee")
    raw = json.dumps([shipment]).replace('"Ann Lee"', '"Ann \\ud83d\\ude00 \\\\ud800 Lee"')
    answer = api.post("/v1/screen", content=raw, headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["shipments"][0]["decision"] == "SECTION_321"


@pytest.mark.parametrize("path", ["/v1/screen", "/v1/batches", "/v1/responses", "/v1/trips"])
@pytest.mark.parametrize(("content", "cause"), [(DEEP, "nested too deeply"),
                                                (BIG_INT, "number too long")])
def test_deep_nesting_and_huge_numbers(api, helpers, path, content, cause):
    body = helpers.problem(api.post(path, content=content, headers=JSON), 422)
    assert cause in body["detail"], body
    assert "UTF-8" not in body["detail"]


def test_a_body_that_is_not_utf8_is_still_named_so(api, helpers):
    body = helpers.problem(api.post("/v1/screen", content=b"[\xff]", headers=JSON), 422)
    assert "not UTF-8" in body["detail"]


@pytest.mark.parametrize(("query", "value"), [("as_of", "20261123"), ("as_of", "2026-1-3"),
                                              ("as_of", "+2026-11-23")])
def test_dates_are_strictly_iso(api, helpers, query, value):
    helpers.problem(api.post("/v1/batches", params={query: value},
                             json=[api.shipment("S1")]), 422)
    helpers.problem(api.get("/v1/rules", params={"on": value}), 422)
    helpers.problem(api.get("/v1/shipments", params={"arrival_date": value}), 422)
    helpers.problem(api.post("/v1/screen", json={"shipments": [api.shipment("S1")],
                                                 "as_of": 1_700_006_400}), 422)


def test_a_500_says_connection_close(api):
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    api.app.include_router(router)
    answer = api.client.get("/v1/boom")
    assert answer.status_code == 500
    assert answer.headers["connection"] == "close"
    assert answer.headers["content-type"].startswith("application/problem+json")
