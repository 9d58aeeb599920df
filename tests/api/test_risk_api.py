"""Risk through the API: `?risk=true` on POST /v1/screen, `risk_band` on GET /v1/shipments."""

from __future__ import annotations


def _bob(api, n):
    return [api.shipment(f"BOB-{i}", person="Bob Ray", phone="+1 716-634-0199",
                         arrival=f"2024-06-{3 + i % 5:02d}") for i in range(n)]


def test_screen_with_risk_adds_each_shipments_risk(api):
    shipments = [*_bob(api, 8), api.shipment("A1"),
                 api.shipment("V1", lines=[{"description": "Daily necessities"}])]
    plain = api.post("/v1/screen", json=shipments).json()
    assert "risk" not in plain["shipments"][0]
    response = api.post("/v1/screen?risk=true", json=shipments)
    assert response.status_code == 200, response.text
    document = response.json()
    by_id = {s["shipment_id"]: s for s in document["shipments"]}
    assert [s["decision"] for s in document["shipments"]] == [
        s["decision"] for s in plain["shipments"]]  # risk never changes a decision
    assert by_id["BOB-0"]["risk"]["band"] == "medium"
    assert by_id["BOB-0"]["risk"]["signals"][0]["code"] == "CONSIGNEE_VELOCITY"
    assert by_id["V1"]["risk"]["signals"][0]["code"] == "VAGUE_DESCRIPTION"
    assert by_id["A1"]["risk"] == {"score": 0, "band": "low", "signals": []}
    assert document["risk_summary"]["by_band"] == {"low": 1, "medium": 9, "high": 0}
    assert api.count("shipments") == 0


def test_shipments_filtered_by_risk_band(api):
    api.upload([*_bob(api, 8), api.shipment("A1")])
    medium = api.get("/v1/shipments?risk_band=medium").json()["items"]
    assert sorted(s["shipment_id"] for s in medium) == [f"BOB-{i}" for i in range(8)]
    assert all(s["risk_band"] == "medium" and s["risk_score"] == 25 for s in medium)
    low = api.get("/v1/shipments?risk_band=low").json()["items"]
    assert [s["shipment_id"] for s in low] == ["A1"]
    assert api.get("/v1/shipments?risk_band=urgent").status_code == 422
    detail = api.get("/v1/shipments/BOB-1").json()
    assert detail["risk"]["signals"][0]["code"] == "CONSIGNEE_VELOCITY"


def test_screen_with_costs_and_risk_has_both_as_each_alone(api):
    shipments = [*_bob(api, 3), api.shipment("A1", arrival="2026-11-23")]
    both = api.post("/v1/screen?costs=true&risk=true", json=shipments)
    assert both.status_code == 200, both.text
    costs = api.post("/v1/screen?costs=true", json=shipments).json()
    risk = api.post("/v1/screen?risk=true", json=shipments).json()
    document = both.json()
    assert document["summary"] == costs["summary"]
    assert document["risk_summary"] == risk["risk_summary"]
    for shipment, with_costs, with_risk in zip(document["shipments"], costs["shipments"],
                                               risk["shipments"], strict=True):
        assert shipment["costs"] == with_costs["costs"]
        assert shipment["risk"] == with_risk["risk"]
