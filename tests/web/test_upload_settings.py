"""The web upload reads and screens a file as ``POST /v1/batches`` does: with the tenant's
Shopify settings and exchange rates, set on the Admin page (the functions of
``PUT /v1/settings/shopify`` and ``PUT /v1/rates``). SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import yaml

ARRIVAL = "2024-06-03"


def _upload(client, web, name, content, arrival=ARRIVAL):
    token = web.csrf_of(client.get("/upload").text)
    return client.post("/upload", data={"csrf_token": token, "arrival_date": arrival},
                       files={"file": (name, content, "text/csv")}, follow_redirects=False)


def _save_shopify(admin, web, catalog=None, **shipper):
    token = web.csrf_of(admin.get("/admin").text)
    fields = shipper or yaml.safe_load((web.EXAMPLES / "shipper.yaml").read_text())
    files = {"catalog": ("catalog.csv", catalog if catalog is not None
                         else (web.EXAMPLES / "catalog.csv").read_bytes(), "text/csv")}
    return admin.post("/admin/shopify", data={"csrf_token": token, **{
        f"shipper_{k}": str(v) for k, v in fields.items()}}, files=files,
        follow_redirects=False)


def _save_rates(admin, web, content=None):
    token = web.csrf_of(admin.get("/admin").text)
    data = content if content is not None else (web.EXAMPLES / "rates.csv").read_bytes()
    return admin.post("/admin/rates", data={"csrf_token": token},
                      files={"rates": ("rates.csv", data, "text/csv")}, follow_redirects=False)


def _result(client, location):
    """Shipment id -> (decision, issue codes) of the stored batch (every stored shipment of the
    tenant with ``location`` None), from the result CSV."""
    text = client.get(f"{location}/result.csv" if location else "/shipments.csv").text
    return {row["shipment_id"]: (row["decision"], row["issues"])
            for row in csv.DictReader(io.StringIO(text))}


def _cli(*args):
    from typer.testing import CliRunner

    from ace321.cli.app import app

    done = CliRunner().invoke(app, [*args, "--format", "json"], catch_exceptions=False)
    return {s["shipment_id"]: s for s in json.loads(done.stdout)["shipments"]}


def test_a_shopify_export_needs_the_settings_and_the_page_says_where_to_set_them(site, web):
    clerk = site.client("clerk@acme.example")
    form = clerk.get("/upload").text
    assert "No Shopify settings" in form and "Admin" in form
    answer = _upload(clerk, web, "shopify_orders.csv",
                     (web.EXAMPLES / "shopify_orders.csv").read_bytes())
    assert answer.status_code == 422
    assert "SHOPIFY_SETTINGS_MISSING" in answer.text and "Admin page" in answer.text
    assert "0 shipments" in clerk.get("/shipments").text


def test_shopify_upload_uses_the_saved_settings_and_rates_and_decides_as_the_cli(site, web):
    admin = site.client("admin@acme.example")
    saved = _save_shopify(admin, web)
    assert saved.status_code == 303, saved.text
    assert _save_rates(admin, web).status_code == 303
    page = admin.get("/admin").text
    assert "Saved: catalog of 6 products, shipper Maple Fulfilment Inc." in page
    assert "0.73" in page and "2024-06-01" in page  # the rates table
    clerk = site.client("clerk@acme.example")
    form = clerk.get("/upload").text
    assert "Shopify exports use catalog: 6 products, shipper: Maple Fulfilment Inc." in form
    assert "3 dated rates (CAD)" in form
    answer = _upload(clerk, web, "shopify_orders.csv",
                     (web.EXAMPLES / "shopify_orders.csv").read_bytes())
    assert answer.status_code == 303, answer.text
    stored = _result(clerk, answer.headers["location"])
    expected = _cli("check", str(web.EXAMPLES / "shopify_orders.csv"), "--catalog",
                    str(web.EXAMPLES / "catalog.csv"), "--shipper",
                    str(web.EXAMPLES / "shipper.yaml"), "--rates",
                    str(web.EXAMPLES / "rates.csv"), "--arrival", ARRIVAL)
    assert {k: d for k, (d, _) in stored.items()} == {
        k: s["decision"] for k, s in expected.items()}
    assert len(stored) == 3 and "INVALID" not in {d for d, _ in stored.values()}


def test_cad_orders_get_no_exchange_rate_only_in_a_tenant_without_rates(site, web):
    content = (web.EXAMPLES / "orders.csv").read_bytes()
    admin = site.client("admin@acme.example")
    assert _save_rates(admin, web).status_code == 303
    other = site.client("clerk@other.example")  # a tenant without rates
    assert "No exchange rates" in other.get("/upload").text
    without = _result(other, _upload(other, web, "orders.csv", content).headers["location"])
    lacking = {k for k, (_, codes) in without.items() if "NO_EXCHANGE_RATE" in codes}
    assert lacking == {"MF-100110-01", "MF-100111-01", "MF-100135-01"}
    clerk = site.client("clerk@acme.example")
    with_rates = _result(clerk, _upload(clerk, web, "orders.csv", content).headers["location"])
    assert len(with_rates) == len(without) == 40
    # Only the EUR line of MF-100135-01 lacks a rate: examples/rates.csv has CAD only.
    assert [k for k, (_, codes) in with_rates.items() if "NO_EXCHANGE_RATE" in codes] == [
        "MF-100135-01"]
    expected = _cli("check", str(web.EXAMPLES / "orders.csv"), "--rates",
                    str(web.EXAMPLES / "rates.csv"), "--arrival", ARRIVAL)
    assert {k: d for k, (d, _) in with_rates.items()} == {
        k: s["decision"] for k, s in expected.items()}
    assert with_rates["MF-100110-01"][0] != "INVALID"


def test_admin_settings_are_checked_and_only_admins_change_them(site, web):
    admin = site.client("admin@acme.example")
    bad = _save_shopify(admin, web, catalog=b"sku,country_of_origin\nA,CA\n")
    assert bad.status_code == 422 and "hts_code" in bad.text
    assert "Not set: Shopify exports cannot be read yet." in bad.text
    unknown = _save_rates(admin, web, b"date,currency,usd_per_unit\n2024-06-01,CAD,abc\n")
    assert unknown.status_code == 422 and "No rates saved" in unknown.text
    clerk = site.client("clerk@acme.example")
    token = web.csrf_of(clerk.get("/upload").text)
    refused = clerk.post("/admin/rates", data={"csrf_token": token}, files={
        "rates": ("rates.csv", (web.EXAMPLES / "rates.csv").read_bytes(), "text/csv")})
    assert refused.status_code == 403
    assert "No rates saved" in admin.get("/admin").text
    # The shipper can be changed alone: the saved catalog is kept.
    assert _save_shopify(admin, web).status_code == 303
    token = web.csrf_of(admin.get("/admin").text)
    kept = admin.post("/admin/shopify", data={"csrf_token": token,
                                              "shipper_name": "Other Shipper Ltd."},
                      follow_redirects=False)
    assert kept.status_code == 303, kept.text
    page = admin.get("/admin").text
    assert "catalog of 6 products, shipper Other Shipper Ltd." in page
    # Another tenant sees none of it.
    other = site.client("clerk@other.example").get("/upload").text
    assert "No Shopify settings" in other and "No exchange rates" in other
