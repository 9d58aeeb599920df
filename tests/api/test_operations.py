"""GET /v1/rules, /v1/metrics, /v1/healthz, the OpenAPI document, problem shapes."""

from __future__ import annotations


def test_rules_on_a_day_with_references(api, helpers):
    body = api.get("/v1/rules", params={"on": "2025-09-02"}).json()
    params = {p["name"]: p for p in body["parameters"]}
    suspended = params["deminimis.suspended_globally"]
    assert suspended["value"] is True and suspended["since"] == "2025-08-29"
    assert "14324" in suspended["reference"]
    assert all(p["reference"] for p in body["parameters"])
    assert api.get("/v1/rules", role="viewer").status_code == 200
    bad = helpers.problem(api.get("/v1/rules", params={"on": "1999-12-31"}), 422)
    assert bad["issues"][0]["field"] == "on"
    helpers.problem(api.get("/v1/rules", params={"on": "tomorrow"}), 422)


def test_metrics_count_requests_latency_and_decisions(api):
    api.post("/v1/screen", json=[api.shipment("M1")])
    api.upload([api.shipment("M2"), api.shipment("M3", lines=[{"hts_code": "x"}])])
    api.client.get("/v1/shipments")
    text = api.get("/v1/metrics").text
    assert 'ace321_http_requests_total{method="POST",route="/v1/screen",status="200"} 1' in text
    assert 'route="/v1/shipments",status="401"} 1' in text
    assert "# TYPE ace321_http_request_duration_seconds histogram" in text
    assert 'ace321_http_request_duration_seconds_bucket{method="POST",route="/v1/screen",le="+Inf"} 1' in text
    assert 'ace321_decisions_total{source="screen",decision="SECTION_321"} 1' in text
    assert 'ace321_decisions_total{source="batch",decision="INVALID"} 1' in text


def test_openapi_documents_every_route_with_described_fields(api):
    document = api.client.get("/v1/openapi.json").json()
    paths = document["paths"]
    for path in ("/v1/screen", "/v1/batches", "/v1/batches/{batch_id}", "/v1/shipments",
                 "/v1/shipments/{shipment_id}", "/v1/shipments/{shipment_id}/override",
                 "/v1/trips", "/v1/trips/{trip_number}",
                 "/v1/trips/{trip_number}/files/{name}",
                 "/v1/trips/{trip_number}/cancel", "/v1/responses", "/v1/rules", "/v1/healthz",
                 "/v1/metrics"):
        assert path in paths
    for name, schema in document["components"]["schemas"].items():
        if name.startswith(("HTTPValidation", "ValidationError")):
            continue
        for field, spec in schema.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    screen = paths["/v1/screen"]["post"]
    assert screen["requestBody"]["content"]["application/json"]["examples"]
    assert "application/problem+json" in screen["responses"]["422"]["content"]
    assert set(paths["/v1/batches"]["post"]["requestBody"]["content"]) == {
        "text/csv", "multipart/form-data", "application/json"}


def test_unknown_route_and_method_are_problems(api, helpers):
    helpers.problem(api.get("/v1/nothing"), 404)
    helpers.problem(api.client.delete("/v1/screen"), 405)
