"""A Shopify export uploaded in a real browser: an admin saves the catalog, the shipper and the
exchange rates on the Admin page, the upload page shows them, and the export is read with them."""

from __future__ import annotations

import re

import yaml


def test_shopify_upload_with_the_settings_saved_in_admin(page, web, shot):
    web.sign_in(page, "admin@acme.example")
    page.goto("/upload")
    assert "No Shopify settings" in page.locator("#shopify-status").inner_text()
    page.goto("/admin")
    page.get_by_label("Product catalog CSV").set_input_files(str(web.EXAMPLES / "catalog.csv"))
    shipper = yaml.safe_load((web.EXAMPLES / "shipper.yaml").read_text(encoding="utf-8"))
    for name, value in shipper.items():
        page.get_by_label(f"Shipper {name.replace('_', ' ')}", exact=True).fill(str(value))
    page.get_by_role("button", name="Save Shopify settings").click()
    page.wait_for_url(re.compile(r"done=shopify"))
    assert "catalog of 6 products" in page.locator("#shopify-saved").inner_text()
    page.get_by_label("Rates CSV").set_input_files(str(web.EXAMPLES / "rates.csv"))
    page.get_by_role("button", name="Replace exchange rates").click()
    page.wait_for_url(re.compile(r"done=rates"))
    assert page.locator("#rates-table tbody tr").count() == 3
    shot(page, "16_admin_shopify_rates")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload orders").click()
    status = page.locator("#shopify-status").inner_text()
    assert "Shopify exports use catalog: 6 products, shipper: Maple Fulfilment Inc." in status
    page.get_by_label("Order file").set_input_files(str(web.EXAMPLES / "shopify_orders.csv"))
    page.get_by_label("Arrival date").fill("2024-06-03")
    page.get_by_role("button", name="Screen and store").click()
    page.wait_for_url(re.compile(r"/batches/[0-9a-f-]+$"))
    table = page.locator("#shipment-table table")
    ids = table.locator("tbody td:nth-child(1)").all_inner_texts()
    decisions = table.locator("tbody td:nth-child(6) .badge").all_inner_texts()
    # As `ace321 check examples/shopify_orders.csv --catalog ... --shipper ... --rates ...`.
    assert sorted(i.strip() for i in ids) == ["#1001", "#1002", "#1003"]
    assert decisions == ["Section 321"] * 3
    shot(page, "17_shopify_batch")
