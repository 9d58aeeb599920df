"""The dashboard's high-risk shipments and the shipment page's costs and override, in a real
browser; screenshots of both screens with data in them."""

from __future__ import annotations

import re


def _upload(page, web, name, arrival=""):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload orders").click()
    page.get_by_label("Order file").set_input_files(str(web.EXAMPLES / name))
    page.get_by_label("Arrival date").fill(arrival)
    page.get_by_role("button", name="Screen and store").click()
    page.wait_for_url(re.compile(r"/batches/[0-9a-f-]+$"))


def test_dashboard_shows_the_high_risk_shipment_and_links_to_it(page, web, shot):
    web.sign_in(page, "clerk@acme.example")
    _upload(page, web, "risk_orders.csv")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    table = page.locator("section[aria-labelledby='risk-h'] table")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Shipment", "Score", "Band", "Signals", "Arrival date", "Decision",
                       "Status"]
    rows = table.locator("tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    # The band is written out, not only coloured.
    assert cells[:3] == ["RK-0025", "60", "HIGH"] and "UNDERVALUED" in cells[3]
    shot(page, "14_dashboard_high_risk")
    rows.first.get_by_role("link", name="RK-0025").click()
    page.wait_for_url(re.compile(r"/shipments/RK-0025$"))
    risk = page.locator("section[aria-labelledby='risk-h']")
    assert "band HIGH" in risk.inner_text()
    assert "UNDERVALUED" in risk.locator("tbody td:first-child").all_inner_texts()


def test_shipment_costs_and_an_override_offering_only_stricter_paths(page, web, shot):
    web.sign_in(page, "clerk@acme.example")
    _upload(page, web, "orders.csv", arrival="2026-11-23")
    page.goto("/shipments/MF-100125-01")
    lines = page.get_by_role("table", name="Duty by line")
    assert lines.locator("thead th").all_inner_texts() == [
        "Line", "HTS code", "Description", "Value (USD)", "Duty rate", "Duty (USD)",
        "Section 301 and other measures"]
    first = lines.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[:4] == ["1", "8482.20.00.40", "Tapered roller bearing, cone and cup", "85.00"]
    assert first[5] == "4.93" and "SECTION_301" in first[6] and "21.25" in first[6]
    totals = page.get_by_role("table", name="Totals").locator("tbody tr")
    assert totals.last.inner_text().split() == ["Total", "28.87"]
    options = page.get_by_label("New decision").locator("option").all_inner_texts()
    assert options == ["Formal entry"]  # the shipment is an informal entry already
    shot(page, "15_shipment_costs")
    page.get_by_label("Reason").fill("valuation doubt")
    page.get_by_role("button", name="Override").click()
    page.wait_for_url(re.compile(r"done=override"))
    assert "stored" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("New decision").count() == 0
    assert "No override possible" in page.locator("#override-refused").inner_text()
