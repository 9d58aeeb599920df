"""Fixtures of the adversarial suite: one live ``ace321 serve`` per backend (SQLite file, a
private PostgreSQL schema; the ``live_server`` fixture, tests/support/live_server.py), keys of
each role, and the console script.

PostgreSQL is skipped when unreachable, unless ``ACE321_TEST_POSTGRES=required``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

ACE321 = Path(sys.executable).with_name("ace321")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
TABLES = ("batches", "shipments", "parties", "shipment_lines", "decisions", "audit_events")


class Target:
    """A live server over one database, with its keys, and the CLI over the same database."""

    def __init__(self, base: str, url: str, env: dict[str, str], keys: dict[str, str]) -> None:
        self.base = base
        self.url = url
        self.env = env
        self.keys = keys
        self.client = httpx.Client(base_url=base, timeout=120)
        from sqlalchemy import create_engine

        self.engine = create_engine(url)

    def request(self, method: str, path: str, *, role: str = "admin", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[role]}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def cli(self, *args: Any, db: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        extra = ["--db", self.url] if db else []
        return subprocess.run([str(ACE321), *map(str, args), *extra], capture_output=True,
                              text=True, env=self.env, timeout=timeout, check=False)

    def counts(self) -> dict[str, int]:
        from sqlalchemy import text

        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES)
        with self.engine.connect() as connection:
            return {name: int(n) for name, n in connection.execute(text(query))}


def _keys(url: str) -> dict[str, str]:
    from ace321.storage import Database
    from ace321.storage.api_keys import create_key

    database = Database.open(url)
    try:
        return {role: create_key(database, tenant="hostile", role=role, actor="tests",
                                 now=NOW).key for role in ("viewer", "operator", "admin")}
    finally:
        database.close()


def _pg_url() -> str | None:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"postgresql://{user}@127.0.0.1:5432/test",
                                 connect_timeout=3) as connection:
                connection.execute("select 1")
            return f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        except Exception:
            continue
    return None


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           live_server: Any) -> Iterator[Target]:
    folder = tmp_path_factory.mktemp("hostile")
    env = {**os.environ, "HOME": str(folder), "COLUMNS": "120"}
    env.pop("ACE321_DATABASE_URL", None)
    cleanup = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'hostile.db'}"
    else:
        admin = _pg_url()
        if admin is None:
            if os.environ.get("ACE321_TEST_POSTGRES") == "required":
                pytest.fail("ACE321_TEST_POSTGRES=required but PostgreSQL is unreachable")
            pytest.skip("PostgreSQL unreachable at 127.0.0.1:5432")
        from sqlalchemy import create_engine, text

        schema = f"ace321_hostile_{uuid.uuid4().hex[:10]}"
        engine = create_engine(admin)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{admin}?options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

    from ace321.storage import Database

    Database.open(url).close()
    try:
        with live_server(url, env=env) as base:
            handle = Target(base, url, env, _keys(url))
            yield handle
            handle.client.close()
            handle.engine.dispose()
    finally:
        if cleanup is not None:
            cleanup()


@pytest.fixture(scope="session")
def examples() -> SimpleNamespace:
    return SimpleNamespace(orders_csv=EXAMPLES / "orders.csv", orders_json=EXAMPLES / "orders.json",
                           trip=EXAMPLES / "trip.yaml", rates=EXAMPLES / "rates.csv")
