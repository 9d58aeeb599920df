"""Trips in a real browser: saved profiles with their ACE readiness, a new trip by batch,
validate, file, download the files and the cover sheet PDF, import a CBP response, cancel;
the keyboard alone is enough for the trip form."""

from __future__ import annotations

import io
import json
import re

import pytest

# Also over PostgreSQL (the run's schema, emptied): see ``live_db`` in conftest.py.
BOTH_DATABASES = pytest.mark.parametrize("live_db", ["sqlite", "postgresql"], indirect=True)

TRUCK = {"name": "Volvo 12", "number": "T12", "vin": "1FUJGLDR3CLBP8834", "plate": "AB12345",
         "plate_state": "ON", "plate_country": "CA"}
TRAILER = {"name": "Dry van 9", "number": "TR9", "type": "TL", "plate": "P1234X",
           "plate_state": "ON", "plate_country": "CA"}
DRIVER = {"name": "Ana", "first_name": "Ana", "last_name": "Silva", "gender": "F",
          "date_of_birth": "1985-04-12", "citizenship_country": "CA",
          "fast_card_number": "42705555555501"}


def _save_profiles(page):
    page.goto("/trips/profiles")
    labels = {"truck": {"name": "Truck name", "number": "Truck number", "vin": "VIN",
                        "plate": "Licence plate", "plate_state": "Plate state or province",
                        "plate_country": "Plate country"},
              "trailer": {"name": "Trailer name", "number": "Trailer number",
                          "type": "Trailer type", "plate": "Trailer licence plate",
                          "plate_state": "Trailer plate state or province",
                          "plate_country": "Trailer plate country"},
              "driver": {"name": "Driver name (profile)", "first_name": "First name",
                         "last_name": "Last name", "gender": "Gender (M or F)",
                         "date_of_birth": "Date of birth",
                         "citizenship_country": "Citizenship country",
                         "fast_card_number": "FAST card number"}}
    for kind, values in (("truck", TRUCK), ("trailer", TRAILER), ("driver", DRIVER)):
        for key, value in values.items():
            page.get_by_label(labels[kind][key], exact=True).fill(value)
        page.get_by_role("button", name=f"Save {kind}").click()
        page.wait_for_url(re.compile(rf"done={kind}"))


def _upload(page, web, arrival):
    page.goto("/upload")
    page.get_by_label("Order file").set_input_files(str(web.EXAMPLES / "orders.csv"))
    page.get_by_label("Arrival date").fill(arrival)
    page.get_by_role("button", name="Screen and store").click()
    page.wait_for_url(re.compile(r"/batches/"))


def test_profiles_show_whether_they_are_ready_for_ace(page, web, shot):
    web.sign_in(page, "clerk@acme.example")
    _save_profiles(page)
    page.get_by_label("Truck name", exact=True).fill("Bad VIN")
    page.get_by_label("Truck number", exact=True).fill("T13")
    page.get_by_label("VIN", exact=True).fill("1FUJGLDR3CLBP8835")
    page.get_by_role("button", name="Save truck").click()
    page.wait_for_url(re.compile(r"done=truck"))
    rows = page.locator("h2:has-text('Trucks') + table tbody tr")
    texts = {r.locator("td").first.inner_text(): r.locator("td").nth(2).inner_text()
             for r in rows.all()}
    assert texts["Volvo 12"].startswith("✓ Ready")
    assert texts["Bad VIN"].startswith("✗ Not ready") and "check digit" in texts["Bad VIN"]
    shot(page, "07_profiles")


@BOTH_DATABASES
def test_create_a_trip_from_saved_profiles_file_it_download_and_import_a_response(
        page, web, shot):
    from pypdf import PdfReader

    web.sign_in(page, "clerk@acme.example")
    _save_profiles(page)
    _upload(page, web, "2026-11-23")
    page.goto("/trips")
    page.get_by_role("link", name="New trip").click()
    page.get_by_label("Carrier SCAC").fill("MAPL")
    page.get_by_label("Port of arrival (code or city)").fill("Buffalo")
    page.get_by_label("Estimated arrival (the port's local time)").fill("2026-11-23T14:30")
    page.get_by_label("Truck", exact=True).select_option("Volvo 12")
    page.get_by_label("Trailer", exact=True).select_option("Dry van 9")
    page.get_by_label("Driver", exact=True).select_option("Ana")
    page.get_by_label("Batch", exact=True).select_option(index=1)
    page.get_by_role("button", name="Validate").click()
    assert page.get_by_role("status").inner_text().startswith("✓ No problems found")
    shot(page, "08_trip_new")
    page.get_by_role("button", name="File trip").click()
    page.wait_for_url(re.compile(r"/trips/MAPL[0-9A-Z]+\?done=filed"))
    number = page.url.split("/trips/")[1].split("?")[0]
    assert "Filed" in page.locator("h1 .badge").inner_text()
    shot(page, "09_trip")
    with page.expect_download() as download:
        page.get_by_role("link", name="ace_trip.json").click()
    document = json.loads(download.value.path().read_text())
    assert document["tripNumber"] == number
    pdf = page.request.get(f"/trips/{number}/files/cover_sheet.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert number in text
    scns = page.locator("table tbody td:nth-child(2) code").all_inner_texts()
    assert scns
    response = {"data": "ACE_RESPONSE", "sendId": "001", "tripNumber": number,
                "processingResponse": {"shipmentsAccepted": len(scns), "shipmentsRejected": 0,
                                       "message": "accepted"},
                "validationResponses": [],
                "shipments": [{"shipmentControlNumber": s, "status": "ACCEPTED"}
                              for s in sorted(set(scns))]}
    page.get_by_role("navigation", name="Main").get_by_role("link", name="CBP responses").click()
    page.get_by_label("Response file").set_input_files(files=[{
        "name": "response.json", "mimeType": "application/json",
        "buffer": json.dumps(response).encode()}])
    page.get_by_role("button", name="Import responses").click()
    assert "imported" in page.get_by_role("status").inner_text()
    shot(page, "10_responses")
    page.goto(f"/trips/{number}")
    assert "Accepted" in page.locator("h1 .badge").inner_text()
    statuses = set(page.locator("table tbody td:nth-child(6) .badge").all_inner_texts())
    assert statuses == {"✓ Accepted"}
    page.goto("/trips")
    shot(page, "11_trips")


def test_validate_shows_every_problem_at_once_and_cancel_needs_a_reason(page, web):
    web.sign_in(page, "clerk@acme.example")
    page.goto("/trips/new")
    page.get_by_label("Carrier SCAC").fill("MAPL")
    page.get_by_label("Port of arrival (code or city)").fill("Nowhere")
    page.get_by_label("Estimated arrival (the port's local time)").fill("2026-11-23T14:30")
    page.evaluate("for (const e of document.querySelectorAll('[required]')) e.required = false")
    page.get_by_role("button", name="Validate").click()
    fields = page.locator("table.problems tbody td:nth-child(2)").all_inner_texts()
    assert {"port_of_arrival", "truck", "drivers", "batch"} <= set(fields)


def test_keyboard_only_trip_form(page, web):
    web.sign_in(page, "clerk@acme.example")
    _save_profiles(page)
    _upload(page, web, "2026-11-23")
    page.goto("/trips/new")
    page.locator("body").focus()

    def tab_to(element_id):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    tab_to("carrier_scac")
    page.keyboard.type("MAPL")
    tab_to("port")
    page.keyboard.type("0901")
    tab_to("eta")
    page.keyboard.type("11232026")
    page.keyboard.press("Tab")
    page.keyboard.type("0230PM")
    for select in ("truck", "trailer", "driver", "batch"):
        tab_to(select)
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.getElementById('eta').value") == "2026-11-23T14:30"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "File trip":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/trips/MAPL[0-9A-Z]+\?done=filed"))
