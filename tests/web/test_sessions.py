"""Users, sign-in sessions, cookies and CSRF, through HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import select


def test_sign_in_sets_a_secure_http_only_same_site_cookie_and_shows_the_dashboard(site, web):
    client = site.client()
    assert client.get("/", follow_redirects=False).headers["location"] == "/sign-in"
    page = client.get("/sign-in")
    assert 'for="email">Email<' in page.text and 'for="password">Password<' in page.text
    answer = client.post("/sign-in", data={"email": "Clerk@Acme.example", "password": web.PASSWORD,
                                           "csrf_token": web.csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("ace321_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    home = client.get("/")
    assert home.status_code == 200
    assert "clerk@acme.example" in home.text and "Dashboard" in home.text


def test_wrong_password_unknown_user_and_disabled_user_are_refused_alike(site, web):
    from ace321.storage.users import disable_user

    disable_user(site.db, "viewer@acme.example", actor="test", now=site.now)
    for email, password in [("clerk@acme.example", "not the password"),
                            ("nobody@acme.example", web.PASSWORD),
                            ("viewer@acme.example", web.PASSWORD)]:
        client = site.client()
        token = web.csrf_of(client.get("/sign-in").text)
        answer = client.post("/sign-in", data={"email": email, "password": password,
                                               "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 401
        assert "The email or the password is not right" in answer.text
        assert "ace321_session" not in client.cookies


def test_disabling_a_user_ends_their_open_sessions(site):
    from ace321.storage.users import disable_user

    client = site.client("clerk@acme.example")
    assert client.get("/").status_code == 200
    disable_user(site.db, "clerk@acme.example", actor="test", now=site.now)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_on_the_server(site, web):
    client = site.client("clerk@acme.example")
    token = client.cookies["ace321_session"]
    answer = client.post("/sign-out", data={"csrf_token": web.csrf_of(client.get("/").text)},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    # The old cookie, replayed, no longer works.
    replay = site.client()
    replay.cookies.set("ace321_session", token)
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_expired_session_sends_the_browser_back_to_sign_in(site):
    import datetime as dt

    client = site.client("clerk@acme.example")
    site.now = site.NOW + dt.timedelta(hours=13)
    answer = client.get("/shipments?decision=GIFT", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/shipments%3Fdecision%3DGIFT"


def test_a_post_without_the_csrf_token_is_refused(site, web):
    client = site.client("clerk@acme.example")
    assert client.post("/sign-out", data={}).status_code == 403
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    # The sign-in form itself needs its token (no login CSRF).
    fresh = site.client()
    fresh.get("/sign-in")
    answer = fresh.post("/sign-in", data={"email": "clerk@acme.example",
                                          "password": web.PASSWORD})
    assert answer.status_code == 403 and "Form refused" in answer.text
    # Still signed in: the refused sign-out changed nothing.
    assert client.get("/").status_code == 200


def test_a_post_from_another_origin_is_refused_even_with_the_token(site, web):
    client = site.client("clerk@acme.example")
    token = web.csrf_of(client.get("/").text)
    answer = client.post("/sign-out", data={"csrf_token": token},
                         headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert client.get("/").status_code == 200


def test_sign_in_never_redirects_to_another_site(site, web):
    client = site.client()
    token = web.csrf_of(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={"email": "clerk@acme.example",
                                           "password": web.PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"}, follow_redirects=False)
    assert answer.headers["location"] == "/"


def test_pages_carry_a_strict_content_policy_and_assets_are_local(site):
    client = site.client("clerk@acme.example")
    home = client.get("/")
    assert "default-src 'self'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY"
    for asset in ("/assets/htmx.min.js", "/assets/style.css"):
        assert client.get(asset).status_code == 200
    assert "http://" not in home.text.replace("http://www.w3.org", "")
    assert "https://" not in home.text


def test_committed_htmx_matches_its_recorded_checksum():
    import hashlib
    from pathlib import Path

    import ace321.web

    static = Path(ace321.web.__file__).parent / "static"
    recorded = (static / "htmx.VERSION").read_text()
    digest = hashlib.sha256((static / "htmx.min.js").read_bytes()).hexdigest()
    assert f"htmx.min.js:                             {digest}" in recorded
    assert "htmx 2.0." in recorded


def test_user_changes_and_sign_ins_are_in_the_audit_trail_with_the_users_name(site):
    from ace321.storage.audit import verify
    from ace321.storage.models import AuditEvent

    site.client("clerk@acme.example")
    with site.db.reading() as session:
        events = [(e.actor, e.action, e.entity_id) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "user").order_by(AuditEvent.id))]
        assert verify(session).ok
    assert ("test", "user_create", "clerk@acme.example") in events
    assert ("web:clerk@acme.example", "sign_in", "clerk@acme.example") in events


def test_user_commands_create_list_and_disable(db_url):
    from typer.testing import CliRunner

    from ace321.cli.app import app

    runner = CliRunner()
    made = runner.invoke(app, ["user", "create", "Dana@Example.com", "--tenant", "north",
                               "--role", "viewer", "--db", db_url],
                         input="a long enough password\n")
    assert made.exit_code == 0, made.output
    assert "user dana@example.com (viewer) of tenant north created" in made.output
    again = runner.invoke(app, ["user", "create", "dana@example.com", "--db", db_url],
                          input="a long enough password\n")
    assert again.exit_code == 1 and "exists already" in again.output
    short = runner.invoke(app, ["user", "create", "eve@example.com", "--db", db_url],
                          input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    listed = runner.invoke(app, ["user", "list", "--db", db_url])
    rows = json.loads(listed.stdout)
    assert [(r["email"], r["tenant"], r["role"], r["disabled_at"]) for r in rows] == [
        ("dana@example.com", "north", "viewer", None)]
    assert "hash" not in listed.stdout
    off = runner.invoke(app, ["user", "disable", "dana@example.com", "--db", db_url])
    assert off.exit_code == 0, off.output
    rows = json.loads(runner.invoke(app, ["user", "list", "--db", db_url]).stdout)
    assert rows[0]["disabled_at"] is not None
    unknown = runner.invoke(app, ["user", "disable", "who@example.com", "--db", db_url])
    assert unknown.exit_code == 1 and "no user" in unknown.output


def test_passwords_are_stored_as_argon2id_hashes_only(site):
    from ace321.storage.user_models import User

    with site.db.reading() as session:
        hashes = session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(site.PASSWORD not in h for h in hashes)
