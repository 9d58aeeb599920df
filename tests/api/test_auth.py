"""Keys, roles and 401 without detail."""

from __future__ import annotations

import pytest


def test_healthz_needs_no_key(api):
    response = api.client.get("/v1/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ace321_00000000_secret",
    "bearer ace321__", "Bearer ace321_{prefix}_wrong-secret",
])
def test_missing_or_bad_keys_get_the_same_401(api, helpers, header):
    prefix = api.key().split("_")[1]
    headers = {} if header is None else {"Authorization": header.format(prefix=prefix)}
    response = api.client.get("/v1/shipments", headers=headers)
    body = helpers.problem(response, 401)
    assert body["detail"] == "a valid API key is required (Authorization: Bearer KEY)"
    assert body["issues"] == []
    assert response.headers["www-authenticate"] == "Bearer"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_revoked_key_is_401_within_the_key_cache_time(api, helpers, kit_cli):
    clock = FakeClock()
    cache = api.app.state.key_cache
    cache.clock = clock
    assert cache.ttl == 1.0  # the documented default
    key = api.key("acme", "viewer")
    assert api.get("/v1/shipments", role="viewer").status_code == 200
    result = kit_cli("apikey", "revoke", key.split("_")[1], "--db", api.url)
    assert result.exit_code == 0, result.output
    clock.now += 0.5  # verified half a second ago: still trusted, by design
    assert api.get("/v1/shipments", role="viewer").status_code == 200
    clock.now += 0.5
    helpers.problem(api.get("/v1/shipments", role="viewer"), 401)
    clock.now += 5  # and it stays refused (failures are not remembered as successes)
    helpers.problem(api.get("/v1/shipments", role="viewer"), 401)


def test_revoked_key_is_401_at_once_without_the_cache(make_api, helpers, kit_cli):
    api = make_api(key_cache_seconds=0)
    key = api.key("acme", "viewer")
    assert api.get("/v1/shipments", role="viewer").status_code == 200
    result = kit_cli("apikey", "revoke", key.split("_")[1], "--db", api.url)
    assert result.exit_code == 0, result.output
    helpers.problem(api.get("/v1/shipments", role="viewer"), 401)


def test_revocation_takes_effect_in_real_time(make_api, helpers):
    import datetime as dt
    import time

    from ace321.storage.api_keys import revoke_key

    api = make_api(key_cache_seconds=0.2)
    key = api.key("acme", "operator")
    assert api.post("/v1/screen", role="operator", json=[api.shipment("R1")]).status_code == 200
    revoke_key(api.db, key, actor="tests", now=dt.datetime.now(dt.UTC))
    time.sleep(0.25)
    helpers.problem(api.post("/v1/screen", role="operator", json=[api.shipment("R2")]), 401)


def test_a_verified_key_is_not_looked_up_again_within_the_cache_time(api):
    from sqlalchemy import event

    api.key("acme", "operator")
    assert api.post("/v1/screen", role="operator", json=[api.shipment("C1")]).status_code == 200
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(api.db.engine, "before_cursor_execute", record)
    try:
        assert api.post("/v1/screen", role="operator",
                        json=[api.shipment("C2")]).status_code == 200
    finally:
        event.remove(api.db.engine, "before_cursor_execute", record)
    assert statements == []


def test_the_key_cache_keeps_no_key_and_is_bounded():
    from ace321.api.auth import KeyCache
    from ace321.storage.api_keys import Principal

    clock = FakeClock()
    cache = KeyCache(1.0, clock=clock, max_entries=3)
    who = Principal(tenant_id=1, tenant="t", role="viewer", key_prefix="p", key_name="n")
    for n in range(5):
        cache.put(f"ace321_p_{n}", who)
    assert len(cache._entries) <= 3
    assert not any("ace321" in repr(k) for k in cache._entries)
    assert cache.get("ace321_p_4") == who
    assert cache.get("ace321_p_9") is None
    clock.now += 1.0
    assert cache.get("ace321_p_4") is None


def test_cli_creates_a_key_shown_once_and_stores_only_its_hash(api, kit_cli):
    result = kit_cli("apikey", "create", "--tenant", "newco", "--role", "viewer", "--db", api.url)
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("ace321_")
    response = api.client.get("/v1/shipments", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    from sqlalchemy import text

    with api.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT prefix, key_sha256, role FROM api_keys "
                                         "WHERE prefix = :p"), {"p": key.split("_")[1]}).one()
        tenants = connection.execute(text("SELECT name FROM tenants")).scalars().all()
    import hashlib

    assert stored.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(tuple(stored))
    assert "newco" in tenants
    listing = kit_cli("apikey", "list", "--db", api.url)
    assert key.split("_")[2] not in listing.stdout


def test_viewer_cannot_write(api, helpers):
    stored = api.upload([api.shipment("V1")])
    assert stored["counts"]["stored"] == 1
    body = helpers.problem(api.post("/v1/batches", role="viewer",
                                    json=[api.shipment("V2")]), 403)
    assert "operator" in body["detail"]
    helpers.problem(api.post("/v1/shipments/V1/override", role="viewer",
                             json={"decision": "FORMAL_ENTRY", "reason": "x"}), 403)
    helpers.problem(api.post("/v1/trips", role="viewer", json={}), 403)
    helpers.problem(api.post("/v1/responses", role="viewer", json={}), 403)
    # Screening needs the operator role too, as `apikey create --help` documents (issue 10.6).
    body = helpers.problem(api.post("/v1/screen", role="viewer", json=[api.shipment("V3")]), 403)
    assert "operator" in body["detail"]


def test_operators_and_admins_override_viewers_never(api, helpers):
    # The rule of ace321.app.permissions, the same as the web's (clerks and admins).
    api.upload([api.shipment("O1"), api.shipment("O3")])
    body = helpers.problem(api.post("/v1/shipments/O1/override", role="viewer",
                                    json={"decision": "FORMAL_ENTRY", "reason": "x"}), 403)
    assert "operator" in body["detail"]
    assert api.get("/v1/shipments/O1", role="viewer").json()["decision"] != "FORMAL_ENTRY"
    done = api.post("/v1/shipments/O1/override", role="operator",
                    json={"decision": "FORMAL_ENTRY", "reason": "broker asks"})
    assert done.status_code == 200, done.text
    assert done.json()["decision"] == "FORMAL_ENTRY"
    ok = api.post("/v1/shipments/O3/override", role="admin",
                  json={"decision": "INFORMAL_ENTRY", "reason": "broker asks"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["decision"] == "INFORMAL_ENTRY"


def test_metrics_need_an_admin_key(api, helpers):
    helpers.problem(api.client.get("/v1/metrics"), 401)
    helpers.problem(api.get("/v1/metrics", role="viewer"), 403)
    assert api.get("/v1/metrics").status_code == 200
