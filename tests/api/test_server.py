"""A real ``ace321 serve`` (the ``live_server`` fixture, tests/support/live_server.py), driven
over HTTP."""

from __future__ import annotations

import threading

import httpx
import pytest


def test_serve_answers_over_http(api_db_url, api_factory_key, live_server):
    key = api_factory_key(api_db_url, "acme", "operator")
    headers = {"Authorization": f"Bearer {key}"}
    with live_server(api_db_url) as base, httpx.Client(base_url=base, headers=headers,
                                                   timeout=30) as client:
        assert client.get("/v1/openapi.json").status_code == 200
        assert httpx.get(f"{base}/v1/shipments").status_code == 401
        upload = client.post("/v1/batches", content=_csv(3),
                             headers={"content-type": "text/csv"})
        assert upload.status_code == 201, upload.text
        assert client.get("/v1/shipments/S2").json()["decision"] == "SECTION_321"
        screened = client.post("/v1/screen", json={"shipments": [], "as_of": "2024-06-03"})
        assert screened.status_code == 422
        assert screened.headers["content-type"] == "application/problem+json"


def test_two_workers_keep_the_person_day_total(api_db_url, api_factory_key, live_server):
    if not api_db_url.startswith("postgresql"):
        pytest.skip("several workers are for PostgreSQL")
    key = api_factory_key(api_db_url, "acme", "operator")
    headers = {"Authorization": f"Bearer {key}"}
    rows = [_row(f"W{n}", "Ann Lee", "+1 716-634-0101", "500.00") for n in range(1, 5)]
    with live_server(api_db_url, "--workers", "2") as base:
        results: list[httpx.Response] = []

        def send(row: str) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                results.append(client.post("/v1/batches", content=_header() + row,
                                           headers={"content-type": "text/csv"}))

        threads = [threading.Thread(target=send, args=(row,)) for row in rows]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [r.status_code for r in results] == [201] * 4
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            page = client.get("/v1/shipments").json()["items"]
    # $2,000 for one person on one day: none of the four keeps de minimis.
    assert {s["decision"] for s in page} == {"INFORMAL_ENTRY"}


HEADER = ("order_id,shipment_id,arrival_date,shipper_name,shipper_address,shipper_city,"
          "shipper_state,shipper_postal_code,shipper_country,consignee_name,consignee_address,"
          "consignee_city,consignee_state,consignee_postal_code,consignee_country,"
          "consignee_phone,description,quantity,unit_price,currency,country_of_origin,hts_code,"
          "weight,weight_unit\n")


def _header() -> str:
    return HEADER


def _row(shipment: str, person: str, phone: str, price: str) -> str:
    return (f"{shipment},{shipment},2024-06-03,Maple Leaf Apparel Inc.,200 Front St W,Toronto,"
            f"ON,M5V 3K2,CA,{person},12 Main St,Buffalo,NY,14201,US,{phone},MENS COTTON T-SHIRT,"
            f"1,{price},USD,CA,6109.10.0012,0.5,kg\n")


def _csv(count: int) -> str:
    return HEADER + "".join(_row(f"S{n}", f"Person {n}", f"+1 716-634-{n:04d}", "10.00")
                            for n in range(1, count + 1))


def test_server_workers_warm_up_and_freeze_their_startup_objects(api_db_url, monkeypatch):
    import gc

    from ace321.api.app import app_from_env

    monkeypatch.setenv("ACE321_DATABASE_URL", api_db_url)
    before = gc.get_freeze_count()
    app = app_from_env()
    try:
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
        app.state.db.close()
