"""Issue 14 items 1 and 2 on the API: per-tenant Shopify settings (catalog and shipper, the
formats of `--catalog` and `--shipper`) and dated exchange rates (the rule of `--rates`), used
by screen, batches and trips (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import yaml

from ace321.api.schemas.trips import EXAMPLE_TRIP

EXAMPLES = Path(__file__).parents[2] / "examples"
SHIPPER = yaml.safe_load((EXAMPLES / "shipper.yaml").read_text(encoding="utf-8"))
CATALOG = (EXAMPLES / "catalog.csv").read_text(encoding="utf-8")
SHOPIFY = (EXAMPLES / "shopify_orders.csv").read_bytes()


def put_shopify(api, **kw):
    return api.request("PUT", "/v1/settings/shopify", json={
        "catalog": CATALOG, "shipper": SHIPPER}, **kw)


def test_shopify_export_needs_the_settings_then_is_stored_as_the_cli_screens_it(
        api, helpers, kit_cli):
    missing = helpers.problem(api.post("/v1/batches", content=SHOPIFY, params={
        "name": "shopify_orders.csv", "as_of": "2024-06-03"},
        headers={"Content-Type": "text/csv"}), 422)
    assert missing["issues"][0]["code"] == "SHOPIFY_SETTINGS_MISSING"
    assert "PUT /v1/settings/shopify" in missing["detail"]
    assert "--catalog" not in missing["detail"] and "use the CLI" not in missing["detail"]
    assert api.get("/v1/settings/shopify").json()["catalog"] is None
    helpers.problem(put_shopify(api, role="operator"), 403)
    done = put_shopify(api)
    assert done.status_code == 200, done.text
    shown = api.get("/v1/settings/shopify", role="viewer").json()
    assert shown["shipper"] == {k: str(v) for k, v in SHIPPER.items()}
    assert shown["products"] == CATALOG.count("\n") - 1 and shown["catalog"] == CATALOG
    assert shown["updated_at"].endswith("+00:00")
    stored = api.post("/v1/batches", content=SHOPIFY, params={
        "name": "shopify_orders.csv", "as_of": "2024-06-03"},
        headers={"Content-Type": "text/csv"})
    assert stored.status_code == 201, stored.text
    batch = stored.json()
    assert not [p for p in batch["problems"] if p["field"] and "shipper" in p["field"]]
    # The same file screened by the CLI with --catalog and --shipper decides the same.
    cli = kit_cli("check", str(EXAMPLES / "shopify_orders.csv"), "--catalog",
                  str(EXAMPLES / "catalog.csv"), "--shipper", str(EXAMPLES / "shipper.yaml"),
                  "--arrival", "2024-06-03", "--format", "json")
    expected = {s["shipment_id"]: (s["decision"], s["value_usd"])
                for s in json.loads(cli.stdout)["shipments"]}
    assert {s["shipment_id"]: (s["decision"], s["value_usd"])
            for s in batch["shipments"]} == expected
    assert "INVALID" not in {d for d, _ in expected.values()} or batch["counts"]["by_decision"]
    # Another tenant has no settings.
    helpers.problem(api.post("/v1/batches", content=SHOPIFY, tenant="other",
                             headers={"Content-Type": "text/csv"}), 422)


def test_shopify_settings_are_checked_as_the_cli_checks_them(api, helpers):
    bad_catalog = helpers.problem(api.request("PUT", "/v1/settings/shopify", json={
        "catalog": "sku,country_of_origin\nA,CA\n", "shipper": SHIPPER}), 422)
    assert bad_catalog["issues"][0]["field"] == "catalog"
    assert "hts_code" in bad_catalog["detail"]
    bad_shipper = helpers.problem(api.request("PUT", "/v1/settings/shopify", json={
        "catalog": CATALOG, "shipper": {**SHIPPER, "colour": "red"}}), 422)
    assert bad_shipper["issues"][0]["field"] == "shipper.colour"
    no_shipper = helpers.problem(api.request("PUT", "/v1/settings/shopify", json={
        "catalog": CATALOG}), 422)
    assert [i["field"] for i in no_shipper["issues"]] == ["shipper"]
    assert api.get("/v1/settings/shopify").json()["catalog"] is None  # nothing stored


def cad_shipment(api, shipment_id: str, arrival: str, price: str = "100.00", **kw):
    return api.shipment(shipment_id, arrival=arrival, lines=[{"currency": "CAD",
                                                              "unit_price": price}], **kw)


def test_rates_follow_the_cli_rule_in_screen_and_batches(api, helpers):
    before = api.post("/v1/screen", json=[cad_shipment(api, "C0", "2025-06-02")]).json()
    assert before["shipments"][0]["decision"] == "INVALID"
    assert "NO_EXCHANGE_RATE" in {i["code"] for i in before["shipments"][0]["issues"]}
    put = api.request("PUT", "/v1/rates", content=(EXAMPLES / "rates.csv").read_bytes(),
                      headers={"Content-Type": "text/csv"})
    assert put.status_code == 200, put.text
    assert [(r["date"], r["usd_per_unit"]) for r in put.json()["rates"]] == [
        ("2024-06-01", "0.73"), ("2025-06-01", "0.72"), ("2026-11-20", "0.71")]
    assert api.get("/v1/rates", role="viewer").json()["rates"] == put.json()["rates"]
    # The latest rate dated on or before the arrival date: 2025-05-31 uses 2024-06-01's.
    screened = api.post("/v1/screen", json=[
        cad_shipment(api, "C1", "2025-05-31", person="A One", phone="+1 716-634-0001"),
        cad_shipment(api, "C2", "2025-06-01", person="B Two", phone="+1 716-634-0002"),
        cad_shipment(api, "C3", "2024-05-31", person="C Three", phone="+1 716-634-0003"),
    ]).json()
    values = {s["shipment_id"]: s["value_usd"] for s in screened["shipments"]}
    assert Decimal(values["C1"]) == Decimal("73.00")
    assert Decimal(values["C2"]) == Decimal("72.00")
    assert values["C3"] is None  # before the first rate
    batch = api.upload([cad_shipment(api, "C4", "2026-11-23")])
    assert Decimal(batch["shipments"][0]["value_usd"]) == Decimal("71.00")
    # Another tenant has no rates.
    other = api.post("/v1/screen", json=[cad_shipment(api, "C5", "2025-06-02")],
                     tenant="other").json()
    assert other["shipments"][0]["decision"] == "INVALID"


def test_rates_as_json_replace_the_stored_ones_and_are_checked(api, helpers):
    first = api.request("PUT", "/v1/rates", json={"rates": [
        {"date": "2026-01-01", "currency": "cad", "usd_per_unit": 0.7312},
        {"date": "2026-01-01", "currency": "EUR", "usd_per_unit": "1.08"}]})
    assert first.status_code == 200, first.text
    assert [(r["currency"], r["usd_per_unit"]) for r in first.json()["rates"]] == [
        ("CAD", "0.7312"), ("EUR", "1.08")]
    bad = helpers.problem(api.request("PUT", "/v1/rates", json={"rates": [
        {"date": "2026-13-01", "currency": "CAD", "usd_per_unit": "0.7"}]}), 422)
    assert "row 1, field date" in bad["detail"]
    helpers.problem(api.request("PUT", "/v1/rates", json={"rates": [
        {"date": "2026-01-01", "currency": "CAD", "usd_per_unit": "0"}]}), 422)
    helpers.problem(api.request("PUT", "/v1/rates", json={"rates": []}, role="operator"), 403)
    assert len(api.get("/v1/rates").json()["rates"]) == 2  # unchanged by the refusals
    api.request("PUT", "/v1/rates", json={"rates": [
        {"date": "2026-02-01", "currency": "GBP", "usd_per_unit": "1.27"}]})
    assert [r["currency"] for r in api.get("/v1/rates").json()["rates"]] == ["GBP"]


def test_a_trip_of_cad_shipments_is_filed_once_the_tenant_has_rates(api, helpers):
    api.upload([cad_shipment(api, "K1", "2026-11-23")])
    trip = copy.deepcopy(EXAMPLE_TRIP)
    refused = helpers.problem(api.post("/v1/trips", json={"trip": trip,
                                                          "shipment_ids": ["K1"]}), 422)
    assert "NO_EXCHANGE_RATE" in {i["code"] for i in refused["issues"]}
    api.request("PUT", "/v1/rates", content=b"date,currency,usd_per_unit\n2026-11-20,CAD,0.71\n",
                headers={"Content-Type": "text/csv"})
    filed = api.post("/v1/trips", json={"trip": trip, "shipment_ids": ["K1"]})
    assert filed.status_code == 201, filed.text
    assert [s["shipment_id"] for s in filed.json()["shipments"]] == ["K1"]


def test_settings_that_cannot_be_stored_are_refused(api, helpers):
    nul = helpers.problem(api.request("PUT", "/v1/settings/shopify", json={
        "catalog": CATALOG, "shipper": {**SHIPPER, "name": "Maple\x00"}}), 422)
    assert nul["issues"][0]["field"] == "shipper.name"
    helpers.problem(api.request("PUT", "/v1/rates", json={"rates": [
        {"date": "2026-01-01", "currency": "CAD\x00", "usd_per_unit": "0.7"}]}), 422)
    assert api.get("/v1/settings/shopify").json()["shipper"] is None
