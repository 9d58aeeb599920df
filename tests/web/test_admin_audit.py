"""Audit page with "Verify chain", admin page (users and API keys of the tenant only), CBP
response upload errors, saved profiles per tenant (SQLite and PostgreSQL)."""

from __future__ import annotations


def test_audit_page_filters_by_user_and_verifies_the_chain(site, web):
    client = site.client("clerk@acme.example")
    page = client.get("/audit?actor=web:clerk@acme.example")
    assert "sign_in" in page.text and "user_create" not in page.text
    other = site.client("clerk@other.example")
    assert "clerk@acme.example" not in other.get("/audit").text  # another tenant's events
    verified = client.post("/audit/verify", data={"csrf_token": web.csrf_of(page.text)})
    assert verified.status_code == 200 and "Chain intact" in verified.text
    assert client.post("/audit/verify", data={}).status_code == 403
    bad = client.get("/audit?date_from=yesterday")
    assert "is not a date" in bad.text


def test_a_broken_chain_is_reported_with_the_event(site, web):
    from sqlalchemy import text

    client = site.client("clerk@acme.example")
    with site.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
    page = client.get("/audit")
    answer = client.post("/audit/verify", data={"csrf_token": web.csrf_of(page.text)})
    assert "Chain broken at event 2" in answer.text


def test_admin_sees_and_manages_only_their_tenants_users_and_keys(site, web):
    from ace321.storage.api_keys import create_key

    create_key(site.db, tenant="acme", role="viewer", name="acme-reader", actor="t", now=site.now)
    create_key(site.db, tenant="other", role="viewer", name="other-reader", actor="t",
               now=site.now)
    admin = site.client("admin@acme.example")
    page = admin.get("/admin")
    assert "viewer@acme.example" in page.text and "acme-reader" in page.text
    assert "other.example" not in page.text and "other-reader" not in page.text
    token = web.csrf_of(page.text)
    made = admin.post("/admin/users", data={"csrf_token": token, "email": "new@acme.example",
                                            "role": "viewer", "password": "long enough pass"})
    assert made.status_code == 200 and "The user is created" in made.text
    refused = admin.post("/admin/users/disable", data={"csrf_token": token,
                                                       "email": "clerk@other.example"})
    assert refused.status_code == 422 and "no user" in refused.text
    done = admin.post("/admin/users/disable", data={"csrf_token": token,
                                                    "email": "viewer@acme.example"})
    assert "disabled" in done.text
    clerk = site.client("clerk@acme.example")
    assert clerk.get("/admin").status_code == 403
    assert clerk.post("/admin/users", data={
        "csrf_token": web.csrf_of(clerk.get("/").text), "email": "x@acme.example",
        "role": "admin", "password": "long enough pass"}).status_code == 403


def test_a_response_file_that_is_not_one_imports_nothing(site, web):
    client = site.client("clerk@acme.example")
    token = web.csrf_of(client.get("/responses").text)
    answer = client.post("/responses", data={"csrf_token": token},
                         files={"file": ("junk.txt", b"hello", "text/plain")})
    assert answer.status_code == 422 and "junk.txt: nothing imported" in answer.text


def test_profiles_are_the_tenants_own_and_show_readiness(site, web):
    client = site.client("clerk@acme.example")
    token = web.csrf_of(client.get("/trips/profiles").text)
    client.post("/trips/profiles", data={"csrf_token": token, "kind": "driver", "name": "Bo",
                                         "first_name": "Bo", "last_name": "Li",
                                         "fast_card_number": "123"})
    page = client.get("/trips/profiles").text
    assert "INVALID_FAST_CARD" in page and "Not ready" in page
    other = site.client("clerk@other.example")
    assert "Bo" not in other.get("/trips/profiles").text.split("<h2>Drivers</h2>")[1][:400]
    viewer = site.client("viewer@acme.example")
    refused = viewer.post("/trips/profiles", data={
        "csrf_token": web.csrf_of(viewer.get("/").text), "kind": "driver", "name": "X",
        "first_name": "X", "last_name": "Y"})
    assert refused.status_code == 403


def test_another_tenants_trip_answers_404(site, web):
    client = site.client("clerk@other.example")
    assert client.get("/trips/MAPL202611231").status_code == 404
    assert client.get("/trips/MAPL202611231/files/cover_sheet.pdf").status_code == 404


def test_admin_page_has_a_plain_title_and_each_settings_form_once(site, web):
    page = site.client("admin@acme.example").get("/admin")
    assert page.status_code == 200
    assert "<title>Admin · ace321</title>" in page.text
    for form in ('id="shopify-form"', 'id="rates-form"', 'id="rates-table"'):
        assert page.text.count(form) == 1, form
