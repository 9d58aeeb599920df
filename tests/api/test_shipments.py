"""GET /v1/shipments (filters, cursor pages), GET /v1/shipments/{id}, overrides."""

from __future__ import annotations


def test_pages_with_next_cursor(api):
    api.post("/v1/batches", content=api.csv(7), headers={"content-type": "text/csv"})
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/shipments", params=params).json()
        seen += [s["shipment_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["S1", "S2", "S3", "S4", "S5", "S6", "S7"]


def test_filters(api, helpers):
    api.upload([api.shipment("F1"), api.shipment("F2", person="Bob Roe", phone="+17166340199",
                                                 arrival="2025-09-02"),
                api.shipment("F3", lines=[{"hts_code": "x"}])])

    def ids(**params):
        return [s["shipment_id"] for s in api.get("/v1/shipments", params=params).json()["items"]]

    assert ids(decision="INFORMAL_ENTRY") == ["F2"]
    assert ids(decision="INVALID") == ["F3"]
    # The same vocabulary as the CLI's --decision: any case, and a bad value names the valid ones.
    assert ids(decision="invalid") == ["F3"]
    assert ids(status="screened") == ["F1", "F2", "F3"]
    bogus = api.get("/v1/shipments", params={"decision": "bogus"})
    assert bogus.status_code == 422
    assert "INFORMAL_ENTRY" in bogus.text
    assert ids(arrival_date="2025-09-02") == ["F2"]
    assert ids(consignee="bob") == ["F2"]
    assert ids(consignee="+17166340199") == ["F2"]
    assert ids(status="SCREENED") == ["F1", "F2", "F3"]
    assert ids(status="MANIFESTED") == []
    helpers.problem(api.get("/v1/shipments", params={"status": "NOPE"}), 422)
    helpers.problem(api.get("/v1/shipments", params={"cursor": "!!"}), 422)
    helpers.problem(api.get("/v1/shipments", params={"limit": 0}), 422)


def test_detail_has_lines_reasons_history_and_audit(api):
    api.upload([api.shipment("D1", lines=[{}, {"sku": "B", "unit_price": "5.00"}])])
    body = api.get("/v1/shipments/D1").json()
    assert body["decision"] == "SECTION_321"
    assert [line["sku"] for line in body["lines"]] == ["SKU-1", "B"]
    assert body["reasons"][0]["code"] == "DEMINIMIS_OK"
    assert "TFTEA" in body["reasons"][0]["reference"]
    assert body["status_history"][0]["to"] == "SCREENED"
    assert body["status_history"][0]["from"] is None
    assert [e["action"] for e in body["audit_events"]] == ["decision"]
    assert body["parties"]["consignee"]["name"] == "Ann Lee"
    assert body["decisions"][0]["cause"] == "IMPORT"


def test_override_records_decision_and_audit(api, helpers):
    api.upload([api.shipment("X1")])
    response = api.post("/v1/shipments/X1/override",
                        json={"decision": "INFORMAL_ENTRY", "reason": "broker asks"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decision"] == "INFORMAL_ENTRY" and body["override_decision"] == "INFORMAL_ENTRY"
    assert [d["cause"] for d in body["decisions"]] == ["IMPORT", "OVERRIDE"]
    assert body["audit_events"][-1]["action"] == "override"
    assert body["audit_events"][-1]["actor"].startswith("api:")
    # Not stricter: refused with the storage's reason.
    refused = helpers.problem(api.post("/v1/shipments/X1/override", json={
        "decision": "INFORMAL_ENTRY", "reason": "again"}), 409)
    assert "not stricter" in refused["detail"]
    helpers.problem(api.post("/v1/shipments/X1/override", json={
        "decision": "SECTION_321", "reason": "please"}), 422)
    helpers.problem(api.post("/v1/shipments/X1/override", json={
        "decision": "FORMAL_ENTRY", "reason": "  "}), 422)
    helpers.problem(api.post("/v1/shipments/NOPE/override", json={
        "decision": "FORMAL_ENTRY", "reason": "x"}), 404)


def test_unknown_shipment_is_404(api, helpers):
    body = helpers.problem(api.get("/v1/shipments/NOPE"), 404)
    assert body["detail"] == "no shipment 'NOPE'"
    assert body["instance"] == "/v1/shipments/NOPE"
