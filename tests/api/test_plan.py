"""POST /v1/screen?costs=true, POST /v1/plan and GET /v1/trips/{number}/plan: the CLI's documents."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_screen_with_costs_is_check_costs(api, kit_cli):
    shipments = json.loads((EXAMPLES / "orders.json").read_text())
    cli = kit_cli("check", str(EXAMPLES / "orders.json"), "--arrival", "2026-11-23",
                  "--format", "json", "--costs")
    response = api.post("/v1/screen?costs=true", json={"shipments": shipments, "as_of": "2026-11-23"})
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(cli.stdout)
    assert all("costs" in s for s in response.json()["shipments"])
    plain = api.post("/v1/screen", json={"shipments": shipments, "as_of": "2026-11-23"}).json()
    assert all("costs" not in s for s in plain["shipments"])


def test_plan_is_the_cli_plan(api, kit_cli):
    shipments = json.loads((EXAMPLES / "orders.json").read_text())
    cli = kit_cli("plan", str(EXAMPLES / "orders.json"), "--arrival", "2026-11-23",
                  "--format", "json", "--entry-fee", "12.50")
    response = api.post("/v1/plan?entry_fee=12.50", json={"shipments": shipments, "as_of": "2026-11-23"})
    assert response.status_code == 200, response.text
    expected = json.loads(cli.stdout)
    assert response.json() == expected
    (conveyance,) = response.json()["conveyances"]
    assert {s["name"] for s in conveyance["strategies"]} == {"per_consignee", "broker_consolidated"}
    assert conveyance["strategies"][0]["fees_usd"] == f"{12.5 * conveyance['strategies'][0]['entries']:.2f}"


def test_bad_entry_fee_is_422(api, helpers):
    shipments = [api.shipment("A1")]
    body = helpers.problem(api.post("/v1/plan?entry_fee=-1", json=shipments), 422)
    assert body["issues"][0]["field"] == "entry_fee"


def test_unknown_trip_plan_is_404(api, helpers):
    helpers.problem(api.get("/v1/trips/NOPE123/plan"), 404)


def test_trip_plan_has_one_conveyance_with_the_trip_number(api):
    from ace321.api.schemas.trips import EXAMPLE_TRIP

    day = "2026-11-23"
    api.upload([api.shipment(f"P{n}", person=f"Person {n}", phone=f"+1 716-634-01{n:02d}",
                             arrival=day) for n in range(1, 4)])
    filed = api.post("/v1/trips", json={"trip": EXAMPLE_TRIP, "shipment_ids": ["P1", "P2", "P3"]},
                     role="operator")
    assert filed.status_code == 201, filed.text
    number = filed.json()["trip_number"]
    plan = api.get(f"/v1/trips/{number}/plan?entry_fee=2.00", role="viewer")
    assert plan.status_code == 200, plan.text
    (conveyance,) = plan.json()["conveyances"]
    assert conveyance["trip_number"] == number and conveyance["arrival_date"] == day
    assert sorted(i for e in conveyance["entries"] for i in e["shipment_ids"]) == ["P1", "P2", "P3"]
    per = conveyance["strategies"][0]
    assert per["entries"] == 3 and per["fees_usd"] == "6.00"


def test_plan_converts_with_the_tenants_rates_as_screen_does(api):
    # A CAD line needs a rate: without one the shipment is INVALID (not planned); with the
    # tenant's rate (0.72 USD per CAD) it is 10.00 CAD = 7.20 USD, an informal entry on a day
    # de minimis is suspended, in /v1/plan as in /v1/screen.
    day = "2026-11-23"
    cad = [api.shipment("C1", arrival=day, lines=[{"currency": "CAD"}])]
    assert api.post("/v1/plan", json=cad).json()["not_planned"] == {"INVALID": 1}
    put = api.request("PUT", "/v1/rates", json={"rates": [
        {"currency": "CAD", "date": day, "usd_per_unit": "0.72"}]})
    assert put.status_code == 200, put.text
    screened = api.post("/v1/screen", json=cad).json()["shipments"][0]
    assert (screened["decision"], screened["value_usd"]) == ("INFORMAL_ENTRY", "7.20")
    plan = api.post("/v1/plan", json=cad)
    assert plan.status_code == 200, plan.text
    (conveyance,) = plan.json()["conveyances"]
    (entry,) = conveyance["entries"]
    assert (entry["entry_type"], entry["shipment_ids"], entry["value_usd"]) == ("11", ["C1"], "7.20")
    assert plan.json()["not_planned"] == {}
    # Another tenant has no rates: its plan of the same shipment is unchanged.
    other = api.post("/v1/plan", json=cad, tenant="other").json()
    assert other["not_planned"] == {"INVALID": 1}
