"""Pages through HTTP (SQLite and PostgreSQL): upload, result, filters, shipment, override,
tenant isolation and roles."""

from __future__ import annotations

import csv
import io
import re


def upload(client, web, path="orders.csv", arrival="2024-06-03", data=None, **extra):
    page = client.get("/upload")
    token = web.csrf_of(page.text)
    content = data if data is not None else (web.EXAMPLES / path).read_bytes()
    return client.post("/upload", data={"csrf_token": token, "arrival_date": arrival, **extra},
                       files={"file": (path, content, "text/csv")}, follow_redirects=False)


def test_upload_stores_the_file_and_shows_every_decision(site, web):
    client = site.client("clerk@acme.example")
    answer = upload(client, web)
    assert answer.status_code == 303, answer.text
    result = client.get(answer.headers["location"])
    assert result.status_code == 200
    table = result.text.split('id="shipment-table"', 1)[1]
    # Every decision of the example file on 2024-06-03, each as a badge in the table.
    counts = {code: len(re.findall(rf'class="badge d-{code}">', table))
              for code in ("section_321", "gift", "informal_entry", "formal_entry", "invalid")}
    assert counts == {"section_321": 20, "gift": 1, "informal_entry": 12, "formal_entry": 1,
                      "invalid": 6}
    assert '<th scope="col">Shipment</th>' in result.text
    assert '<th scope="col">Decision</th>' in result.text
    # Problems are named by row and field.
    assert re.search(r"<td>\d+</td><td><code>[a-z_\[\]0-9.]+</code></td>", result.text)


def test_result_csv_has_every_shipment_of_the_batch_with_its_decision(site, web):
    client = site.client("clerk@acme.example")
    location = upload(client, web).headers["location"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"{location}/result.csv").text)))
    with site.db.reading() as session:
        from sqlalchemy import text

        stored = dict(session.execute(text("SELECT shipment_id, decision FROM shipments")).all())
    assert {r["shipment_id"]: r["decision"] for r in rows} == stored
    invalid = client.get(f"{location}/result.csv?decision=INVALID").text
    assert all(r["decision"] == "INVALID" for r in csv.DictReader(io.StringIO(invalid)))


def test_filters_narrow_the_table_and_htmx_gets_only_the_table(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    full = client.get("/shipments?decision=FORMAL_ENTRY")
    assert "<h1>Shipments</h1>" in full.text
    fragment = client.get("/shipments?decision=FORMAL_ENTRY", headers={"HX-Request": "true"})
    assert "<h1>" not in fragment.text and 'id="shipment-table"' in fragment.text
    decisions = set(re.findall(r'class="badge d-([a-z_0-9]+)"', fragment.text))
    assert decisions == {"formal_entry"}
    bad = client.get("/shipments?decision=FREE&arrival_date=tomorrow")
    assert "is not a decision" in bad.text and "is not a date" in bad.text


def test_problem_code_filter_finds_the_shipments_with_that_issue(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    rows = list(csv.DictReader(io.StringIO(client.get("/shipments.csv").text)))
    coded = {r["shipment_id"] for r in rows if "INVALID_HTS@" in r["issues"]}
    assert coded, "the example file has a line with an invalid HTS code"
    found = list(csv.DictReader(io.StringIO(client.get("/shipments.csv?problem=INVALID_HTS").text)))
    assert {r["shipment_id"] for r in found} == coded


def test_paging_walks_every_shipment_once(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    site.app.state.web_settings.page_size = 7
    seen, number = [], 1
    while True:
        text = client.get(f"/shipments?page={number}", headers={"HX-Request": "true"}).text
        seen += re.findall(r'<td><a href="/shipments/([^"]+)">', text)
        if "Next page" not in text:
            break
        number += 1
    total = len(list(csv.DictReader(io.StringIO(client.get("/shipments.csv").text))))
    assert len(seen) == len(set(seen)) == total and number == -(-total // 7)


def test_bad_file_stores_nothing_and_names_the_problem(site, web):
    client = site.client("clerk@acme.example")
    answer = upload(client, web, path="broken.csv", data=b"order_id,quantity\nA,1\n")
    assert answer.status_code == 422
    assert "broken.csv" in answer.text and "missing" in answer.text.lower()
    with site.db.reading() as session:
        from sqlalchemy import text

        assert session.execute(text("SELECT count(*) FROM shipments")).scalar() == 0
    bad_date = upload(client, web, arrival="23/11/2026")
    assert bad_date.status_code == 422 and "arrival_date" in bad_date.text


def test_shipment_page_shows_reasons_with_legal_references(site, web):
    client = site.client("viewer@acme.example")
    clerk = site.client("clerk@acme.example")
    upload(clerk, web)
    rows = list(csv.DictReader(io.StringIO(client.get("/shipments.csv?decision=SECTION_321").text)))
    shipment = rows[0]["shipment_id"]
    detail = client.get(f"/shipments/{shipment}").text
    assert "DEMINIMIS_OK" in detail and "19 CFR 10.151" in detail and "TFTEA" in detail
    assert "Parties" in detail and "Lines" in detail and "Audit events" in detail


def test_override_goes_stricter_with_the_users_name_in_the_audit_trail(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web)
    rows = list(csv.DictReader(io.StringIO(client.get("/shipments.csv?decision=SECTION_321").text)))
    shipment = rows[0]["shipment_id"]
    token = web.csrf_of(client.get(f"/shipments/{shipment}").text)
    done = client.post(f"/shipments/{shipment}/override", data={
        "csrf_token": token, "decision": "FORMAL_ENTRY", "reason": "valuation doubt"})
    assert done.status_code == 200 and "The override is stored" in done.text
    assert "web:clerk@acme.example" in done.text and "valuation doubt" in done.text
    again = client.post(f"/shipments/{shipment}/override", data={
        "csrf_token": token, "decision": "INFORMAL_ENTRY", "reason": "less strict"})
    assert again.status_code == 409 and "not stricter" in again.text


def test_viewer_cannot_change_anything(site, web):
    clerk = site.client("clerk@acme.example")
    upload(clerk, web)
    viewer = site.client("viewer@acme.example")
    token = web.csrf_of(viewer.get("/").text)
    assert "Screen and store" not in viewer.get("/upload").text
    refused = upload(viewer, web)
    assert refused.status_code == 403 and "cannot do this" in refused.text
    rows = list(csv.DictReader(io.StringIO(viewer.get("/shipments.csv").text)))
    shipment = rows[0]["shipment_id"]
    assert ">Override<" not in viewer.get(f"/shipments/{shipment}").text
    answer = viewer.post(f"/shipments/{shipment}/override", data={
        "csrf_token": token, "decision": "FORMAL_ENTRY", "reason": "x"})
    assert answer.status_code == 403
    after = list(csv.DictReader(io.StringIO(viewer.get("/shipments.csv").text)))
    assert after == rows


def test_another_tenants_shipment_and_batch_answer_404(site, web):
    clerk = site.client("clerk@acme.example")
    location = upload(clerk, web).headers["location"]
    shipment = next(iter(csv.DictReader(io.StringIO(clerk.get("/shipments.csv").text))))[
        "shipment_id"]
    other = site.client("clerk@other.example")
    assert other.get(f"/shipments/{shipment}").status_code == 404
    assert other.get(location).status_code == 404
    assert other.get(f"{location}/result.csv").status_code == 404
    token = web.csrf_of(other.get("/").text)
    assert other.post(f"/shipments/{shipment}/override", data={
        "csrf_token": token, "decision": "FORMAL_ENTRY", "reason": "x"}).status_code == 404
    assert "0 shipments" in other.get("/shipments").text
