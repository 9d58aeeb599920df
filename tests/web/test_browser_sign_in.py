"""Sign in and out in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import re


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
