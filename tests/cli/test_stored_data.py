"""Commands over stored data, through the installed console script, on SQLite and PostgreSQL:
tenants, recovering from a file without arrival dates, the ingest table, explain, paging, API
keys, and databases that do not exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ACE321 = Path(sys.executable).parent / "ace321"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDERS = EXAMPLES / "orders.csv"  # 40 shipments, no arrival dates
SHOPIFY = ("--catalog", EXAMPLES / "catalog.csv", "--shipper", EXAMPLES / "shipper.yaml",
           "--rates", EXAMPLES / "rates.csv")
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with")


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("ACE321_DATABASE_URL", "ACE321_TENANT")}
    environment.update({"COLUMNS": "400", **(env or {})})
    return subprocess.run([str(ACE321), *map(str, args)], capture_output=True, text=True,
                          timeout=180, env=environment, cwd=cwd)


def ids_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [row["shipment_id"] for row in json.loads(result.stdout)]


def test_forgetting_the_arrival_date_then_recovering(db_url: str) -> None:
    first = run("ingest", ORDERS, "--db", db_url)
    assert first.returncode == 1
    # The table says why each row is INVALID, and the batch id that `manifest --batch` needs.
    row = next(line for line in first.stdout.splitlines() if "MF-100101-01" in line)
    assert "INVALID" in row and "MISSING_FIELD arrival_date: arrival_date is required" in row
    batch_id = re.search(r"batch id ([0-9a-f-]{36})", first.stdout).group(1)
    assert f"ace321 manifest --batch {batch_id}" in first.stdout
    assert batch_id in first.stdout.splitlines()[0] + first.stdout  # in the table's title too
    assert "--arrival YYYY-MM-DD and --replace-invalid" in first.stderr

    again = run("ingest", ORDERS, "--arrival", "2024-06-03", "--db", db_url)
    assert again.returncode == 1
    assert "0 stored" in again.stdout and "40 duplicate(s)" in again.stdout
    assert "40 duplicate(s) are stored INVALID shipments" in again.stderr
    assert "--replace-invalid" in again.stderr
    assert "manifest --batch" not in again.stdout  # nothing stored to file

    fixed = run("ingest", ORDERS, "--arrival", "2024-06-03", "--replace-invalid", "--db", db_url,
                "--format", "json")
    document = json.loads(fixed.stdout)
    assert document["summary"]["replaced"] == 40
    assert document["batch_id"] and document["tenant"] == "default"
    assert "hint" not in fixed.stderr
    still = {s["shipment_id"] for s in document["shipments"] if s["decision"] == "INVALID"}
    assert "MF-100132-01" in still  # a real error, which no date fixes

    explained = run("shipments", "explain", "MF-100132-01", "--db", db_url)
    assert explained.returncode == 0, explained.stderr
    assert "error INVALID_HTS lines[0].hts_code" in explained.stdout
    as_json = json.loads(run("shipments", "explain", "MF-100132-01", "--db", db_url,
                             "-f", "json").stdout)
    assert [i["code"] for i in as_json["issues"] if i["severity"] == "error"] == ["INVALID_HTS"]


def test_cli_tenants_are_the_api_keys_tenants(db_url: str) -> None:
    acme = {"ACE321_TENANT": "acme"}
    stored = run("ingest", ORDERS, "--arrival", "2024-06-03", "--db", db_url, "-f", "summary",
                 env=acme)
    assert stored.returncode == 1  # some real errors
    assert "40 stored" in stored.stdout
    assert len(ids_of(run("shipments", "list", "--db", db_url, "-f", "json", env=acme))) == 40
    assert len(ids_of(run("shipments", "list", "--db", db_url, "--tenant", "acme",
                          "-f", "json"))) == 40
    assert ids_of(run("shipments", "list", "--db", db_url, "-f", "json")) == []
    unknown = run("shipments", "list", "--db", db_url, "--tenant", "acne")
    assert unknown.returncode == 2
    assert "tenant 'acne' does not exist" in unknown.stderr
    assert "acme, default" in unknown.stderr and "--tenant" in unknown.stderr
    assert run("shipments", "show", "MF-100101-01", "--db", db_url).returncode == 1
    assert run("shipments", "show", "MF-100101-01", "--db", db_url, env=acme).returncode == 0

    # An API key of the tenant sees what the CLI stored, and nothing of another tenant.
    key = run("apikey", "create", "--role", "viewer", "--db", db_url, env=acme).stdout.strip()
    other = run("apikey", "create", "--tenant", "brand2", "--db", db_url).stdout.strip()
    from fastapi.testclient import TestClient

    from ace321.api import create_app

    app = create_app(db_url)
    with TestClient(app) as client:
        def listed(token: str) -> list[str]:
            page = client.get("/v1/shipments", params={"limit": 1000},
                              headers={"Authorization": f"Bearer {token}"})
            assert page.status_code == 200, page.text
            return [s["shipment_id"] for s in page.json()["items"]]

        assert len(listed(key)) == 40
        assert listed(other) == []


def test_shopify_orders_are_stored_and_filed_with_catalog_and_shipper(db_url: str,
                                                                      tmp_path: Path) -> None:
    shopify = EXAMPLES / "shopify_orders.csv"
    refused = run("ingest", shopify, "--catalog", EXAMPLES / "catalog.csv", "--db", db_url)
    assert refused.returncode == 2 and "--shipper" in refused.stderr
    stored = run("ingest", shopify, *SHOPIFY, "--arrival", "2026-11-23", "--db", db_url,
                 "--tenant", "maple", "-f", "json")
    assert stored.returncode == 0, stored.stdout + stored.stderr
    document = json.loads(stored.stdout)
    assert document["summary"]["stored"] == 3
    assert {s["decision"] for s in document["shipments"]} == {"INFORMAL_ENTRY"}
    shown = json.loads(run("shipments", "show", "#1001", "--db", db_url, "--tenant",
                           "maple").stdout)
    assert shown["parties"]["shipper"]["name"] == "Maple Fulfilment Inc."
    filed = run("manifest", shopify, *SHOPIFY, "--trip", EXAMPLES / "trip.yaml", "--out",
                tmp_path / "out", "--filed-at", "2026-11-23T12:00:00-05:00", "--db", db_url,
                "--tenant", "maple", "-f", "json")
    assert filed.returncode == 0, filed.stdout + filed.stderr
    assert json.loads(filed.stdout)["by_type"] == {"PAPS": 3}
    trips = json.loads(run("trips", "list", "--db", db_url, "--tenant", "maple",
                           "-f", "json").stdout)
    assert [t["trip_number"] for t in trips] == ["MAPL20261123A"]
    assert json.loads(run("trips", "list", "--db", db_url, "-f", "json").stdout) == []


def test_skip_invalid_that_skips_everything_says_what_and_why(db_url: str, tmp_path: Path
                                                              ) -> None:
    import csv

    with ORDERS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:4]  # two shipments of two lines
    for row in rows:
        row["hts_code"] = "HTS?"
    orders = tmp_path / "bad.csv"
    with orders.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    args = ("manifest", orders, "--trip", EXAMPLES / "trip.yaml", "--out", tmp_path / "out",
            "--skip-invalid", "--filed-at", "2026-11-23T12:00:00-05:00", "--db", db_url)
    refused = run(*args)
    assert refused.returncode == 1
    assert "NO_SHIPMENTS" in refused.stderr
    assert "shipments[MF-100101-01].lines[0].hts_code" in refused.stderr
    assert "left out as INVALID: INVALID_HTS" in refused.stderr
    document = json.loads(run(*args, "--format", "json").stdout)
    assert document["skipped_invalid"] == ["MF-100101-01", "MF-100102-01"]
    left = [p for p in document["problems"] if p["code"] == "SKIPPED_INVALID"]
    assert {p["field"].split(".")[0] for p in left} == {"shipments[MF-100101-01]",
                                                        "shipments[MF-100102-01]"}
    assert all(p["severity"] == "warning" for p in left)
    assert not (tmp_path / "out").exists()


def test_shipments_list_pages(db_url: str) -> None:
    assert run("ingest", ORDERS, "--arrival", "2024-06-03", "--db", db_url,
               "-f", "summary").returncode == 1
    every = ids_of(run("shipments", "list", "--db", db_url, "-f", "json"))
    assert len(every) == 40 and every == sorted(every)
    seen: list[str] = []
    after: list[str] = []
    for _ in range(20):
        page = run("shipments", "list", "--db", db_url, "-f", "json", "--limit", "15", *after)
        seen += ids_of(page)
        found = re.search(r"--after (\S+)", page.stderr)
        if found is None:
            break
        assert found.group(1) == seen[-1]
        after = ["--after", found.group(1)]
    assert seen == every
    table = run("shipments", "list", "--db", db_url, "--limit", "2", "--decision", "invalid")
    assert "2 shipment(s) of tenant default" in table.stdout
    assert "more shipments follow: --after" in table.stdout
    assert run("shipments", "list", "--db", db_url, "--limit", "0").returncode == 2


def test_apikey_list_is_a_table_or_json(db_url: str) -> None:
    run("apikey", "create", "--tenant", "acme", "--name", "ops-key", "--db", db_url)
    run("apikey", "create", "--tenant", "brand2", "--db", db_url)
    table = run("apikey", "list", "--db", db_url)
    assert table.returncode == 0, table.stderr
    assert "2 API key(s)" in table.stdout and "ops-key" in table.stdout
    rows = json.loads(run("apikey", "list", "--db", db_url, "--format", "json").stdout)
    assert sorted(r["tenant"] for r in rows) == ["acme", "brand2"]
    only = json.loads(run("apikey", "list", "--tenant", "acme", "-f", "json", "--db",
                          db_url).stdout)
    assert [r["name"] for r in only] == ["ops-key"]


READERS = [
    ("shipments", "list"), ("shipments", "show", "X1"), ("shipments", "explain", "X1"),
    ("shipments", "status", "X1", "--to", "CANCELLED", "--reason", "r"),
    ("shipments", "override", "X1", "--decision", "FORMAL_ENTRY", "--reason", "r"),
    ("trips", "list"), ("trips", "show", "T1"), ("trips", "cancel", "T1", "--reason", "r"),
    ("trips", "plan", "T1"), ("audit", "verify"), ("audit", "export"), ("apikey", "list"),
    ("apikey", "revoke", "abc"),
]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_command_that_does_not_store_refuses_a_missing_sqlite_file(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run(*command, "--db", "acee321.db", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "database acee321.db does not exist" in result.stderr
    assert not (tmp_path / "acee321.db").exists()


def test_the_default_database_is_refused_too_when_missing(tmp_path: Path) -> None:
    result = run("shipments", "list", cwd=tmp_path)
    assert result.returncode == 2 and "database ace321.db does not exist" in result.stderr
    assert not (tmp_path / "ace321.db").exists()
    created = run("ingest", ORDERS, "--arrival", "2024-06-03", "-f", "summary", cwd=tmp_path)
    assert created.returncode == 1 and (tmp_path / "ace321.db").exists()
    assert len(ids_of(run("shipments", "list", "-f", "json", cwd=tmp_path))) == 40


@pytest.mark.parametrize("command", ["check", "plan", "risk"])
def test_screening_with_a_missing_database_creates_nothing(tmp_path: Path, command: str) -> None:
    result = run(command, ORDERS, "--arrival", "2026-11-23", "--db", tmp_path / "acee321.db")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "acee321.db").exists()


def test_a_reading_command_refuses_an_empty_postgresql_schema(request: pytest.FixtureRequest
                                                               ) -> None:
    from sqlalchemy import text

    pg = request.getfixturevalue("_pg_schema")
    schema = f"ace321_empty_{uuid.uuid4().hex[:10]}"
    with pg.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{pg.admin}?options=-csearch_path%3D{schema}"
        result = run("shipments", "list", "--db", url)
        assert result.returncode == 2
        assert "has no ace321 tables" in result.stderr
        with pg.engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema}).scalar_one()
        assert tables == 0
    finally:
        with pg.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
