"""Issue 14 item 1 for ``POST /v1/screen``: an order file (multipart field ``file``) is screened
without storing anything, read as ``POST /v1/batches`` reads it (Shopify exports with the
tenant's Shopify settings, the tenant's rates); a ``text/csv`` body stays 415 (item 12).
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

EXAMPLES = Path(__file__).parents[2] / "examples"
SHOPIFY = (EXAMPLES / "shopify_orders.csv").read_bytes()
ARRIVAL = "2024-06-03"


def _settings(api):
    done = api.request("PUT", "/v1/settings/shopify", json={
        "catalog": (EXAMPLES / "catalog.csv").read_text(encoding="utf-8"),
        "shipper": yaml.safe_load((EXAMPLES / "shipper.yaml").read_text(encoding="utf-8"))})
    assert done.status_code == 200, done.text
    rates = api.request("PUT", "/v1/rates", content=(EXAMPLES / "rates.csv").read_bytes(),
                        headers={"Content-Type": "text/csv"})
    assert rates.status_code == 200, rates.text


def _rows(api):
    from ace321.storage.models import Base

    return {table: api.count(table) for table in Base.metadata.tables}


def _screen_file(api, name, content, as_of=ARRIVAL, **kw):
    return api.post("/v1/screen", files={"file": (name, content, "text/csv")},
                    data={"as_of": as_of} if as_of else {}, **kw)


def test_a_shopify_file_is_screened_as_the_cli_screens_it_and_nothing_is_stored(api, kit_cli):
    _settings(api)
    api.key(role="operator")  # created before counting: a key is a row and an audit event
    before = _rows(api)
    answer = _screen_file(api, "shopify_orders.csv", SHOPIFY, role="operator")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert _rows(api) == before  # no batch, shipment, decision or audit event
    cli = kit_cli("check", str(EXAMPLES / "shopify_orders.csv"), "--catalog",
                  str(EXAMPLES / "catalog.csv"), "--shipper", str(EXAMPLES / "shipper.yaml"),
                  "--rates", str(EXAMPLES / "rates.csv"), "--arrival", ARRIVAL,
                  "--format", "json")
    expected = json.loads(cli.stdout)
    assert [(s["shipment_id"], s["decision"], s["value_usd"], s["issues"])
            for s in document["shipments"]] == [
        (s["shipment_id"], s["decision"], s["value_usd"], s["issues"])
        for s in expected["shipments"]]
    assert document["summary"]["by_decision"] == expected["summary"]["by_decision"]
    # The CAD order #1003 is converted with the tenant's rate (0.73 on 2024-06-01).
    assert {s["shipment_id"]: s["decision"] for s in document["shipments"]}["#1003"] == (
        "SECTION_321")
    assert set(document) >= {"shipments", "summary", "rules_version"}


def test_the_file_screen_answers_as_the_json_screen(api):
    shipments = [api.shipment("S1"), api.shipment("S2", person="Bo Chan",
                                                   phone="+1 716-634-0102", arrival=None)]
    body = api.post("/v1/screen", json={"shipments": shipments, "as_of": ARRIVAL})
    assert body.status_code == 200, body.text
    as_file = _screen_file(api, "orders.json", json.dumps(shipments).encode())
    assert as_file.status_code == 200, as_file.text
    assert as_file.json() == body.json()
    csv = _screen_file(api, "orders.csv", api.csv(3), params={"costs": "true"})
    assert csv.status_code == 200, csv.text
    assert [s["decision"] for s in csv.json()["shipments"]] == ["SECTION_321"] * 3
    assert all("costs" in s for s in csv.json()["shipments"])


def test_text_csv_stays_415_and_bad_files_are_named(api, helpers):
    refused = helpers.problem(api.post("/v1/screen", content=api.csv(1),
                                       headers={"Content-Type": "text/csv"}), 415)
    assert "/v1/batches" in refused["detail"] and "multipart/form-data" in refused["detail"]
    missing = helpers.problem(_screen_file(api, "shopify_orders.csv", SHOPIFY), 422)
    assert missing["issues"][0]["code"] == "SHOPIFY_SETTINGS_MISSING"
    no_file = helpers.problem(api.post("/v1/screen", data={"as_of": ARRIVAL},
                                       files={"other": ("x.csv", b"a", "text/csv")}), 422)
    assert no_file["issues"][0]["field"] == "file"
    bad_date = helpers.problem(_screen_file(api, "orders.csv", api.csv(1), as_of="3/6/2024"),
                               422)
    assert bad_date["issues"][0]["field"] == "as_of"
    short = helpers.problem(_screen_file(api, "broken.csv", b"order_id,quantity\nA,1\n"), 422)
    assert short["issues"][0]["code"] == "UNUSABLE_INPUT"
    helpers.problem(_screen_file(api, "orders.csv", api.csv(1), role="viewer"), 403)
    helpers.problem(api.client.post("/v1/screen", files={"file": ("o.csv", api.csv(1))}), 401)


def test_the_openapi_documents_both_bodies(api):
    screen = api.get("/v1/openapi.json").json()["paths"]["/v1/screen"]["post"]
    content = screen["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["application/json"]["examples"]
    assert content["multipart/form-data"]["schema"]["required"] == ["file"]
    assert "415" in screen["responses"]
