"""Hostile inputs replayed through the console script and a live server on loopback, on SQLite
and PostgreSQL: never a 5xx, never a traceback, nothing stored from a refused batch, the
connection usable after every answer, and ``audit verify`` still right at the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DEEP_API = "[" * 100_000 + "]" * 100_000
DEEP_CLI = "[" * 10_000 + "]" * 10_000
BIG_INT = "[" + "9" * 5000 + "]"
JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}


def _shipment(shipment_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "order_id": shipment_id, "shipment_id": shipment_id, "arrival_date": "2024-06-03",
        "shipper_name": "Maple Leaf Apparel Inc.", "shipper_address": "200 Front St W",
        "shipper_city": "Toronto", "shipper_state": "ON", "shipper_postal_code": "M5V 3K2",
        "shipper_country": "CA", "consignee_name": "Ann Lee", "consignee_address": "12 Main St",
        "consignee_city": "Buffalo", "consignee_state": "NY", "consignee_postal_code": "14201",
        "consignee_country": "US", "consignee_phone": "+1 716-634-0101", **fields,
        "lines": [{"sku": "SKU-1", "description": "MENS COTTON T-SHIRT", "quantity": "1",
                   "unit_price": "10.00", "currency": "USD", "country_of_origin": "CA",
                   "hts_code": "6109.10.0012", "weight": "0.5", "weight_unit": "kg"}],
    }


def _json(shipments: list[dict[str, Any]]) -> str:
    return json.dumps(shipments)


SURROGATE = _json([_shipment("H-S1")]).replace('"Ann Lee"', '"\\ud800"')
HEADER = list(_shipment("x"))[:-1] + list(_shipment("x")["lines"][0])


def _csv(*rows: dict[str, Any]) -> bytes:
    lines = [",".join(HEADER)]
    for row in rows:
        flat = {**{k: v for k, v in row.items() if k != "lines"}, **row["lines"][0]}
        lines.append(",".join(str(flat[name]) for name in HEADER))
    return ("\n".join(lines) + "\n").encode()


BODY_ATTACKS: list[tuple[str, str, Any]] = [
    ("lone surrogate", "json", SURROGATE),
    ("nested 100,000 deep", "json", DEEP_API),
    ("5,000-digit integer", "json", BIG_INT),
    ("not UTF-8", "json", b'[{"order_id": "\xff"}]'),
    ("empty", "json", b""),
    ("null", "json", "null"),
    ("NUL in a name", "json", _json([_shipment("H-N1", consignee_name="Ann\u0000Lee")])),
    ("NUL in an id", "json", _json([_shipment("H-\u0000")])),
    ("a megabyte name", "json", _json([_shipment("H-L1", consignee_name="A" * 1_000_000)])),
    ("a Chinese name", "json", _json([_shipment("H-C1", consignee_name="张伟")])),
    ("formula cells", "json", _json([_shipment("H-F1", consignee_name="=HYPERLINK(\"x\")")])),
    ("UTF-16 CSV", "csv", _csv(_shipment("H-U1")).decode().encode("utf-16")),
    ("bare CR in a CSV", "csv", _csv(_shipment("H-R1"), _shipment("H-R2")).replace(
        b"\nH-R2", b"\rH-R2")),
    ("duplicated column", "csv", _csv(_shipment("H-D1")).replace(b"weight_unit\n",
                                                                 b"quantity\n", 1)),
    ("NUL in a CSV cell", "csv", _csv(_shipment("H-Z1", consignee_name="Ann\x00Lee"))),
]
PATH_ATTACKS = [
    "/v1/shipments/%00", "/v1/shipments/H%00X", "/v1/trips/%00", "/v1/batches/%00",
    "/v1/trips/%00/files/summary.json", "/v1/shipments?consignee=%00",
    "/v1/shipments?cursor=%00", "/v1/shipments?cursor=!!!", "/v1/shipments?limit=" + "9" * 40,
    "/v1/shipments?arrival_date=20261123", "/v1/rules?on=%2B2026-11-23",
    "/v1/shipments/" + "x" * 5000,
]


def _assert_answer(target: Any, response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), what
        body = response.json()
        assert body["status"] == response.status_code and body["detail"], what
    # The same keep-alive connection answers the next request.
    assert target.client.get("/v1/healthz").status_code == 200, what


def test_hostile_paths_and_queries(target):
    for path in PATH_ATTACKS:
        _assert_answer(target, target.request("GET", path), path)


@pytest.mark.parametrize("route", ["/v1/screen", "/v1/batches", "/v1/responses", "/v1/trips",
                                   "/v1/plan"])
def test_hostile_bodies_never_store_a_refused_batch(target, route):
    for label, kind, body in BODY_ATTACKS:
        data = body.encode() if isinstance(body, str) else body
        before = target.counts()
        response = target.request("POST", route, content=data,
                                  headers=CSV if kind == "csv" else JSON)
        _assert_answer(target, response, f"{route}: {label}")
        if (route == "/v1/batches" and response.status_code >= 400) or route != "/v1/batches":
            after = target.counts()
            stored = {k: after[k] - before[k] for k in after if k != "audit_events"}
            assert not any(stored.values()), (route, label, stored)


def test_hostile_reasons_and_overrides(target):
    stored = target.request("POST", "/v1/batches", json=[_shipment("H-O1")])
    assert stored.status_code in (201, 200), stored.text
    for reason in ("x\u0000y", "\u0000", "x" * 100_000, "\ud800"):
        body = json.dumps({"decision": "FORMAL_ENTRY", "reason": reason})
        response = target.request("POST", "/v1/shipments/H-O1/override", content=body,
                                  headers=JSON)
        _assert_answer(target, response, f"override reason {reason[:5]!r}")


def test_viewers_cannot_screen_on_the_live_server(target):
    response = target.request("POST", "/v1/screen", role="viewer", json=[_shipment("H-V1")])
    assert response.status_code == 403
    assert target.request("POST", "/v1/screen", role="operator",
                          json=[_shipment("H-V1")]).status_code == 200


def _files(folder: Path, examples: Any) -> dict[str, Path]:
    orders = examples.orders_json.read_text()
    first_name = json.loads(orders)[0]
    name = first_name.get("consignee_name") or first_name["consignee"]["name"]
    made = {
        "deep.json": DEEP_CLI, "surrogate.json": orders.replace(json.dumps(name), '"\\ud800"', 1),
        "bigint.json": BIG_INT,
        "nul.csv": _csv(_shipment("C-N1", consignee_name="Ann\x00Lee")).decode(),
        "utf16.csv": None, "mixed_cr.csv": None, "twice.csv": None,
    }
    files = {}
    for file_name, text in made.items():
        path = folder / file_name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        files[file_name] = path
    csv_text = examples.orders_csv.read_text().replace("\r\n", "\n")
    files["utf16.csv"].write_bytes(csv_text.encode("utf-16"))
    lines = csv_text.split("\n")
    lines[2] = lines[2].replace(",", "\r", 1)
    files["mixed_cr.csv"].write_text("\n".join(lines))
    files["twice.csv"].write_text(csv_text.replace("weight_unit", "quantity", 1))
    return files


def _assert_cli(result: Any, what: str, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    assert result.returncode in codes, (what, result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, \
        (what, result.stderr[-2000:])
    if result.returncode == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines and lines[0].startswith("error: "), (what, result.stderr)


def test_hostile_files_through_the_console_script(target, examples, tmp_path):
    files = _files(tmp_path, examples)
    before = target.counts()
    for name, path in files.items():
        check = target.cli("check", path, "--arrival", "2024-06-03", "--format", "json",
                           db=False)
        _assert_cli(check, f"check {name}", (1, 2))
        ingest = target.cli("ingest", path, "--arrival", "2024-06-03")
        _assert_cli(ingest, f"ingest {name}", (2,))
    assert target.counts() == before
    _assert_cli(target.cli("responses", "import", files["deep.json"]), "responses deep", (2,))
    _assert_cli(target.cli("check", examples.orders_csv, "--arrival", "2024-06-03", "--output",
                           tmp_path / "missing" / "x.csv", db=False), "output", (2,))
    _assert_cli(target.cli("check", examples.orders_csv, "--arrival", "2024-06-03", "--output",
                           tmp_path, db=False), "output onto a folder", (2,))
    trip = tmp_path / "trip.yaml"
    trip.write_text(examples.trip.read_text().replace(
        'estimated_arrival: "2026-11-23T14:30:00-05:00"', "estimated_arrival: 20261123"))
    manifest = target.cli("manifest", examples.orders_csv, "--trip", trip, "--out",
                          tmp_path / "out", "--rates", examples.rates, "--skip-invalid",
                          "--filed-at", "2026-11-23T12:00:00-05:00")
    _assert_cli(manifest, "manifest with a numeric arrival", (1,))
    assert not (tmp_path / "out" / "ace_trip.json").exists()


def test_audit_still_verifies_after_the_attacks(target):
    result = target.cli("audit", "verify")
    _assert_cli(result, "audit verify", (0,))
