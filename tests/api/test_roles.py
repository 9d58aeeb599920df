"""Item 10.6: every route of the app, called with every role, answers as documented.

The documented matrix (``apikey create --help``, README "REST API"): a viewer reads (GET);
an operator also screens, uploads, overrides decisions to a stricter path, files, cancels and
imports responses (POST); an admin also changes the tenant's settings and reads the metrics. ``/v1/healthz``, the OpenAPI document and the docs
need no key. The test walks ``app.routes``, so a route added later is checked too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

ROLES = ("viewer", "operator", "admin")
RANK = {None: -1, "viewer": 0, "operator": 1, "admin": 2}
PUBLIC = {"/v1/healthz", "/healthz", "/v1/openapi.json", "/v1/docs", "/v1/docs/oauth2-redirect"}
# Exceptions to "GET needs viewer, POST needs operator".
ADMIN_ONLY = {("GET", "/v1/metrics")}


def required_role(method: str, path: str) -> str | None:
    if path in PUBLIC:
        return None
    if (method, path) in ADMIN_ONLY:
        return "admin"
    if method in ("PUT", "PATCH", "DELETE"):
        return "admin"  # the tenant's settings
    return "viewer" if method in ("GET", "HEAD") else "operator"


def test_the_documented_matrix_names_screening_as_an_operator_task():
    assert required_role("POST", "/v1/screen") == "operator"
    assert required_role("POST", "/v1/batches") == "operator"
    assert required_role("GET", "/v1/shipments") == "viewer"
    # One rule with the web (ace321.app.permissions): an override only makes a path stricter.
    assert required_role("POST", "/v1/shipments/{shipment_id}/override") == "operator"


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path): the OpenAPI document's operations, and the app's own routes
    (those outside the document, such as /healthz and the docs)."""
    found = {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
             for method in operations if method.upper() in ("GET", "POST", "PUT", "PATCH",
                                                            "DELETE")}
    for route in app.routes:
        path = getattr(route, "path", None)
        if path is not None and path.startswith(("/v1", "/healthz")):
            found |= {(method, path) for method in getattr(route, "methods", None) or ()
                      if method != "HEAD"}
    return sorted(found)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X-1", path).replace("/files/X-1", "/files/summary.json")


def test_every_route_with_every_role(api):
    routes = _routes(api.app)
    assert ("POST", "/v1/screen") in routes and len(routes) >= 12
    viewer_screen = api.post("/v1/screen", json=[api.shipment("S1")], role="viewer")
    assert viewer_screen.status_code == 403, viewer_screen.text
    assert viewer_screen.json()["issues"] == [] or viewer_screen.json()["status"] == 403
    for method, path in routes:
        need = required_role(method, path)
        url = _concrete(path)
        anonymous = api.client.request(method, url, json={})
        if need is None:
            assert anonymous.status_code < 400, (method, path, anonymous.status_code)
            continue
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        for role in ROLES:
            answer = api.request(method, url, role=role, json={})
            allowed = RANK[role] >= RANK[need]
            if allowed:
                assert answer.status_code not in (401, 403), (method, path, role, answer.text)
                assert answer.status_code < 500, (method, path, role, answer.text)
            else:
                assert answer.status_code == 403, (method, path, role, answer.text)
                assert need in answer.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_screening_by_role(api, role):
    answer = api.post("/v1/screen", json=[api.shipment("S1")], role=role)
    assert answer.status_code == (403 if role == "viewer" else 200), answer.text
