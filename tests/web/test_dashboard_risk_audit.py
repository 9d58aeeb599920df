"""The dashboard's high-risk shipments and "Verify chain" scoped to the user's tenant (SQLite
and PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import text


def upload(client, web, name):
    token = web.csrf_of(client.get("/upload").text)
    answer = client.post("/upload", data={"csrf_token": token, "arrival_date": ""},
                         files={"file": (name, (web.EXAMPLES / name).read_bytes(), "text/csv")},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def high_risk_section(page: str) -> str:
    return page.split('id="risk-h"', 1)[1].split("</section>", 1)[0]


def test_dashboard_lists_the_tenants_high_risk_shipments_with_links(site, web):
    client = site.client("clerk@acme.example")
    assert "No high-risk shipment." in high_risk_section(client.get("/").text)
    upload(client, web, "risk_orders.csv")
    with site.db.reading() as session:
        stored = dict(session.execute(text(
            "SELECT shipment_id, risk_score FROM shipments WHERE risk_band = 'high'")).all())
    # examples/risk_orders.csv plants one undervalued shipment scored HIGH (ace321 risk).
    assert stored == {"RK-0025": 60}
    section = high_risk_section(client.get("/").text)
    rows = re.findall(r"<tr><td><a href=\"/shipments/([^\"]+)\">[^<]+</a></td>"
                      r"<td class=\"num\">(\d+)</td><td>([A-Z]+)</td><td>(.*?)</td>", section)
    assert [(r[0], int(r[1]), r[2]) for r in rows] == [("RK-0025", 60, "HIGH")]
    assert "UNDERVALUED" in rows[0][3]
    assert "1 shipment in band HIGH" in section
    # Medium ones (structuring, a reshipper's address) are not "high risk".
    assert "RK-0030" not in section and "RK-0035" not in section
    # Another tenant sees none of them.
    other = site.client("clerk@other.example")
    assert "No high-risk shipment." in high_risk_section(other.get("/").text)


def test_high_risk_is_ordered_by_score_then_latest_arrival(site, web):
    client = site.client("clerk@acme.example")
    upload(client, web, "risk_orders.csv")
    with site.db.engine.begin() as connection:
        # Raise two medium shipments to HIGH with known scores (what a later batch could do).
        connection.execute(text("UPDATE shipments SET risk_band = 'high', risk_score = 90 "
                                "WHERE shipment_id = 'RK-0030'"))
        connection.execute(text("UPDATE shipments SET risk_band = 'high', risk_score = 60, "
                                "arrival_date = '2025-12-01' WHERE shipment_id = 'RK-0031'"))
    section = high_risk_section(client.get("/").text)
    order = re.findall(r'<td><a href="/shipments/([^"]+)">', section)
    assert order == ["RK-0030", "RK-0031", "RK-0025"]
    assert "3 shipments in band HIGH" in section


def _verify(client, web):
    page = client.get("/audit")
    answer = client.post("/audit/verify", data={"csrf_token": web.csrf_of(page.text)})
    assert answer.status_code == 200
    return answer.text


def _events(site, tenant):
    with site.db.reading() as session:
        return session.execute(text(
            "SELECT count(*) FROM audit_events e JOIN tenants t ON t.id = e.tenant_id "
            "WHERE t.name = :name"), {"name": tenant}).scalar()


def test_verify_chain_counts_only_the_users_tenants_events(site, web):
    acme, other = site.client("clerk@acme.example"), site.client("clerk@other.example")
    upload(other, web, "risk_orders.csv")  # many events of the other tenant
    upload(acme, web, "orders.csv")
    acme_page = _verify(acme, web)
    # Counted after the posts: signing in and uploading write events too.
    acme_events, other_events = _events(site, "acme"), _events(site, "other")
    assert other_events > 0 and acme_events > 0
    found = re.search(r"your tenant's (\d+) events verified.*?its (\d+) shipments'", acme_page)
    assert found, acme_page
    with site.db.reading() as session:
        acme_shipments = session.execute(text(
            "SELECT count(*) FROM shipments s JOIN tenants t ON t.id = s.tenant_id "
            "WHERE t.name = 'acme'")).scalar()
    assert int(found.group(2)) == acme_shipments == 40
    # The verify post itself is not an event; the count is acme's events at that moment.
    assert int(found.group(1)) == acme_events
    other_page = _verify(other, web)
    counted = int(re.search(r"your tenant's (\d+) events", other_page).group(1))
    assert counted == _events(site, "other") != acme_events


def test_a_break_in_another_tenants_event_is_reported_without_its_details(site, web):
    acme, other = site.client("clerk@acme.example"), site.client("clerk@other.example")
    upload(other, web, "risk_orders.csv")
    with site.db.reading() as session:
        event, entity = session.execute(text(
            "SELECT e.id, e.entity_id FROM audit_events e JOIN tenants t ON t.id = e.tenant_id "
            "WHERE t.name = 'other' AND e.entity_type = 'shipment' ORDER BY e.id DESC")).first()
    with site.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"),
                           {"id": event})
    acme_page = _verify(acme, web)
    # The whole chain is still checked: acme learns it is broken, but not where or what.
    assert "Chain broken" in acme_page and "Chain intact" not in acme_page
    assert f"event {event}" not in acme_page and entity not in acme_page
    assert "outside your tenant" in acme_page
    other_page = _verify(other, web)
    assert f"Chain broken at event {event}" in other_page
