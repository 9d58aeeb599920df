"""Sign in and out in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import re

import pytest

# Also over PostgreSQL (the run's schema, emptied): see ``live_db`` in conftest.py.
BOTH_DATABASES = pytest.mark.parametrize("live_db", ["sqlite", "postgresql"], indirect=True)


@BOTH_DATABASES
def test_sign_in_and_sign_out(page, web, shot):
    page.goto("/")
    assert page.url.endswith("/sign-in")
    shot(page, "01_sign_in")
    page.get_by_label("Email").fill("clerk@acme.example")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("The email or the password")
    web.sign_in(page, "clerk@acme.example")
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["ace321_session"]
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # HTTP-only: no script can read it
    shot(page, "02_dashboard")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in$"))
    page.goto("/")
    assert page.url.endswith("/sign-in")


def test_audit_verify_chain_and_admin_pages(page, web, shot):
    web.sign_in(page, "admin@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    page.get_by_label("User").fill("admin@acme.example")
    page.get_by_role("button", name="Filter").click()
    actions = page.locator("table tbody td:nth-child(4)").all_inner_texts()
    assert actions == ["sign_in"]
    page.get_by_role("button", name="Verify chain").click()
    assert page.get_by_role("status").inner_text().startswith("✓ Chain intact")
    shot(page, "12_audit")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    emails = page.locator("table").first.locator("tbody td:first-child").all_inner_texts()
    assert emails == ["admin@acme.example", "clerk@acme.example", "viewer@acme.example"]
    shot(page, "13_admin")
