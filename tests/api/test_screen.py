"""POST /v1/screen: the decisions document of `ace321 check --format json`, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_same_document_as_the_cli(api, kit_cli):
    shipments = json.loads((EXAMPLES / "orders.json").read_text())
    cli = kit_cli("check", str(EXAMPLES / "orders.json"), "--arrival", "2025-06-02",
                  "--format", "json")
    response = api.post("/v1/screen", json={"shipments": shipments, "as_of": "2025-06-02"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(cli.stdout)
    assert api.count("shipments") == 0


def test_a_list_body_and_as_of_as_the_default_arrival(api):
    shipment = api.shipment("A1")
    del shipment["arrival_date"]
    no_date = api.post("/v1/screen", json=[shipment]).json()
    assert no_date["shipments"][0]["decision"] == "INVALID"
    assert {i["code"] for i in no_date["shipments"][0]["issues"]} == {"MISSING_FIELD"}
    dated = api.post("/v1/screen", json={"shipments": [shipment], "as_of": "2024-06-03"}).json()
    assert dated["shipments"][0]["decision"] == "SECTION_321"
    assert dated["shipments"][0]["arrival_date"] == "2024-06-03"
    reason = dated["shipments"][0]["reasons"][0]
    assert reason["code"] == "DEMINIMIS_OK" and reason["reference"]


def test_data_problems_are_issues_with_cli_codes_and_paths(api):
    shipment = api.shipment("B1", lines=[{}, {"hts_code": "12345", "quantity": "0"}])
    body = api.post("/v1/screen", json=[shipment]).json()
    issues = body["shipments"][0]["issues"]
    assert {(i["code"], i["field"], i["row"]) for i in issues} >= {
        ("INVALID_HTS", "lines[1].hts_code", 2), ("INVALID_QUANTITY", "lines[1].quantity", 2)}
    assert body["shipments"][0]["decision"] == "INVALID"


def test_nested_parties_and_numbers(api):
    shipment = api.shipment("C1", lines=[{"quantity": 2, "unit_price": 12.5}])
    for field in ("consignee_name", "consignee_phone"):
        shipment.pop(field)
    shipment["consignee"] = {"name": "Ann Lee", "phone": "+1 716-634-0101"}
    body = api.post("/v1/screen", json=[shipment]).json()
    row = body["shipments"][0]
    assert row["value_usd"] == "25.00"
    assert row["consignee_key"] == "annlee|14201"


def test_malformed_bodies_are_422_naming_the_field(api, helpers):
    body = helpers.problem(api.post("/v1/screen", json=[
        api.shipment("D1", lines=[{"quantity": {"n": 1}}])]), 422)
    assert body["issues"][0]["field"] == "shipments[0].lines[0].quantity"
    body = helpers.problem(api.post("/v1/screen", json={"shipments": [
        {**api.shipment("D2"), "lines": []}], "as_of": "2024-13-01"}), 422)
    assert {i["field"] for i in body["issues"]} == {"shipments[0].lines", "as_of"}
    body = helpers.problem(api.post("/v1/screen", content=b'[{"lines": [}]',
                                    headers={"content-type": "application/json"}), 422)
    assert body["issues"][0]["code"] == "INVALID_JSON"
    assert body["issues"][0]["field"] == "body"
    helpers.problem(api.post("/v1/screen", json={"as_of": "2024-06-03"}), 422)
    helpers.problem(api.post("/v1/screen", json=[]), 422)
