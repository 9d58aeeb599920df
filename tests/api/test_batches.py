"""POST /v1/batches (CSV, multipart, JSON; idempotency; limits) and GET /v1/batches/{id}."""

from __future__ import annotations

import threading


def test_csv_body_is_screened_stored_and_read_back(api):
    response = api.post("/v1/batches", content=api.csv(3), params={"name": "day1.csv"},
                        headers={"content-type": "text/csv"})
    assert response.status_code == 201, response.text
    batch = response.json()
    assert response.headers["location"] == f"/v1/batches/{batch['id']}"
    assert batch["name"] == "day1.csv"
    assert batch["counts"]["stored"] == 3
    assert batch["counts"]["by_decision"]["SECTION_321"] == 3
    assert [s["storage"] for s in batch["shipments"]] == ["stored"] * 3
    assert api.count("shipments") == 3
    again = api.get(f"/v1/batches/{batch['id']}").json()
    assert again["counts"]["by_decision"] == batch["counts"]["by_decision"]
    assert [s["shipment_id"] for s in again["shipments"]] == ["S1", "S2", "S3"]
    assert again["shipments"][0]["reasons"][0]["reference"]


def test_multipart_upload_with_as_of(api):
    data = api.csv(2).replace(b",2024-06-03,", b",,")
    response = api.post("/v1/batches", files={"file": ("orders.csv", data, "text/csv")},
                        data={"as_of": "2025-09-02"})
    assert response.status_code == 201, response.text
    batch = response.json()
    assert batch["name"] == "orders.csv"
    assert {s["arrival_date"] for s in batch["shipments"]} == {"2025-09-02"}
    assert batch["counts"]["by_decision"]["INFORMAL_ENTRY"] == 2  # de minimis suspended


def test_json_upload_with_history_and_problems(api):
    first = api.upload([api.shipment("H1", lines=[{"unit_price": "500.00"}])])
    assert first["shipments"][0]["decision"] == "SECTION_321"
    second = api.upload([api.shipment("H2", lines=[{"unit_price": "400.00"}]),
                         api.shipment("H3", person="Bob Roe", phone="+1 716-634-0199",
                                      lines=[{"hts_code": "12345"}])])
    decisions = {s["shipment_id"]: s["decision"] for s in second["shipments"]}
    assert decisions == {"H2": "INFORMAL_ENTRY", "H3": "INVALID"}
    assert [r["shipment_id"] for r in second["rescreened"]] == ["H1"]
    assert {(p["shipment_id"], p["code"]) for p in second["problems"]} >= {("H3", "INVALID_HTS")}
    again = api.upload([api.shipment("H2", lines=[{"unit_price": "400.00"}])])
    assert again["counts"]["already_stored"] == 1 and again["counts"]["stored"] == 0


def test_unusable_csv_is_422_naming_the_row_or_column(api, helpers):
    body = helpers.problem(api.post("/v1/batches", content=b"order_id,sku\nA,1\n",
                                    headers={"content-type": "text/csv"}), 422)
    assert body["issues"][0]["code"] == "UNUSABLE_INPUT"
    assert body["issues"][0]["field"] == "shipper_name"
    broken = api.csv(3).replace(b"Person 2", b"Person \xff2")
    body = helpers.problem(api.post("/v1/batches", content=broken,
                                    headers={"content-type": "text/csv"}), 422)
    assert body["issues"][0]["row"] == 2
    assert "UTF-8" in body["detail"]
    ragged = api.csv(3).replace(b"Person 3,", b"Person 3,extra,")
    body = helpers.problem(api.post("/v1/batches", content=ragged,
                                    headers={"content-type": "text/csv"}), 422)
    assert body["issues"][0]["row"] == 3
    helpers.problem(api.post("/v1/batches", content=b"", headers={"content-type": "text/csv"}),
                    422)
    assert api.count("batches") == 0


def test_malformed_json_and_fields_are_422(api, helpers):
    body = helpers.problem(api.post("/v1/batches", content=b'{"shipments": [',
                                    headers={"content-type": "application/json"}), 422)
    assert body["issues"][0]["code"] == "INVALID_JSON"
    body = helpers.problem(api.post("/v1/batches", json={"shipments": [
        {**api.shipment("J1"), "lines": [{"weight": [1]}]}]}), 422)
    assert body["issues"][0]["field"] == "shipments[0].lines[0].weight"
    helpers.problem(api.post("/v1/batches", files={"other": ("a.csv", b"x")}), 422)
    helpers.problem(api.post("/v1/batches", content=b"x",
                             headers={"content-type": "application/xml"}), 415)


def test_body_over_the_limit_is_413_by_length_and_by_streamed_bytes(make_api, helpers):
    api = make_api(max_body_bytes=1000)
    helpers.problem(api.post("/v1/batches", content=api.csv(20),
                             headers={"content-type": "text/csv"}), 413)

    def chunks():
        for _ in range(20):
            yield b"x" * 100

    # No Content-Length (chunked): the bytes are counted as they arrive.
    helpers.problem(api.post("/v1/batches", content=chunks(),
                             headers={"content-type": "text/csv"}), 413)
    helpers.problem(api.post("/v1/screen", content=chunks(),
                             headers={"content-type": "application/json"}), 413)
    assert api.post("/v1/batches", content=api.csv(1),
                    headers={"content-type": "text/csv"}).status_code == 201


def test_idempotency_replays_the_first_response(api, helpers):
    key = {"Idempotency-Key": "upload-1"}
    first = api.post("/v1/batches", json=[api.shipment("I1")], headers=key)
    assert first.status_code == 201
    second = api.post("/v1/batches", json=[api.shipment("I1")], headers=key)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert api.count("batches") == 1
    body = helpers.problem(api.post("/v1/batches", json=[api.shipment("I2")], headers=key), 409)
    assert "another request" in body["detail"]
    # Keys are per tenant: the same key in another tenant is another request.
    other = api.post("/v1/batches", json=[api.shipment("I1")], headers=key, tenant="other")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_idempotent_failures_replay_too(api, helpers):
    key = {"Idempotency-Key": "bad-1"}
    first = helpers.problem(api.post("/v1/batches", content=b"order_id\n1\n", headers={
        **key, "content-type": "text/csv"}), 422)
    again = helpers.problem(api.post("/v1/batches", content=b"order_id\n1\n", headers={
        **key, "content-type": "text/csv"}), 422)
    assert again == first


def test_two_identical_concurrent_requests_ingest_once(api):
    body = [api.shipment(f"C{n}") for n in range(1, 30)]
    api.key()  # create the key before the threads start
    barrier = threading.Barrier(2)
    results: list = []

    def send() -> None:
        barrier.wait()
        results.append(api.post("/v1/batches", json=body, headers={"Idempotency-Key": "same"}))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json() == results[1].json()
    assert api.count("batches") == 1
    assert api.count("shipments") == 29


def test_unknown_batch_is_404(api, helpers):
    helpers.problem(api.get("/v1/batches/00000000-0000-0000-0000-000000000000"), 404)
    helpers.problem(api.get("/v1/batches/not-a-uuid"), 404)
