"""Database fixtures shared by every suite that touches storage (storage, manifests, API).

Each test gets a migrated, empty database: an SQLite file copied from a template, or the run's
PostgreSQL schema (127.0.0.1:5432, database ``test``), emptied. PostgreSQL parameters are skipped
when the server is unreachable, unless ``ACE321_TEST_POSTGRES=required``: then they fail loudly.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

PG_USERS = ("postgres", "root")
PG_HOST = "127.0.0.1:5432"
PG_DATABASE = "test"
SUPPORT = Path(__file__).parent / "support"


def _support(name: str) -> Any:
    """A module of tests/support (test modules cannot import each other by name)."""
    spec = importlib.util.spec_from_file_location(f"_ace321_support_{name}", SUPPORT / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_live_server = _support("live_server")


def pytest_configure(config: pytest.Config) -> None:
    """The audit key of the run lives in a temporary folder, never in the user's home."""
    os.environ.pop("ACE321_AUDIT_KEY", None)
    folder = tempfile.mkdtemp(prefix="ace321-test-key-")
    os.environ["ACE321_AUDIT_KEY_FILE"] = os.path.join(folder, "audit.key")


def _pg_admin_url() -> str | None:
    import psycopg

    for user in PG_USERS:
        try:
            with psycopg.connect(f"postgresql://{user}@{PG_HOST}/{PG_DATABASE}",
                                 connect_timeout=3) as connection:
                connection.execute("select 1")
            return f"postgresql+psycopg://{user}@{PG_HOST}/{PG_DATABASE}"
        except Exception:
            continue
    return None


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ace321.storage import Database

    path = tmp_path_factory.mktemp("template") / "template.db"
    Database.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def _pg_schema() -> Any:
    admin = _pg_admin_url()
    if admin is None:
        if os.environ.get("ACE321_TEST_POSTGRES") == "required":
            pytest.fail("ACE321_TEST_POSTGRES=required but PostgreSQL is unreachable at "
                        f"{PG_HOST} (users {', '.join(PG_USERS)}, database {PG_DATABASE})")
        pytest.skip(f"PostgreSQL unreachable at {PG_HOST}")
    from sqlalchemy import create_engine, text

    from ace321.storage import Database

    schema = f"ace321_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{admin}?options=-csearch_path%3D{schema}"
    Database.open(url).close()
    yield SimpleNamespace(admin=admin, schema=schema, url=url, engine=engine)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    from ace321.storage.models import Base

    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("INSERT INTO tenants (id, name, created_at) "
                                "VALUES (1, 'default', now())"))
        # The row above was given its id: the next tenant created must get 2, not 1 again.
        connection.execute(text("SELECT setval(pg_get_serial_sequence('tenants', 'id'), 1)"))
        connection.execute(text("INSERT INTO audit_head (id, last_id, last_hash) "
                                f"VALUES (1, 0, '{'0' * 64}')"))
    from sqlalchemy.orm import Session

    from ace321.storage.audit_verify import seal_legacy

    with Session(engine) as session, session.begin():
        seal_legacy(session, dt.datetime.now(dt.UTC))
    engine.dispose()


@pytest.fixture
def pg_url(_pg_schema: Any) -> str:
    """The run's PostgreSQL schema, emptied: for fixtures that choose their database by their
    own parameter (the browser tests' ``live_db``)."""
    _reset_pg(_pg_schema.url)
    return str(_pg_schema.url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: an SQLite file, or the run's PostgreSQL schema (emptied)."""
    if request.param == "sqlite":
        path = tmp_path / "ace321.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    pg = request.getfixturevalue("_pg_schema")
    _reset_pg(pg.url)
    return pg.url




@pytest.fixture(scope="session")
def live_server() -> Any:
    """``with live_server(db_url, *serve_args, env=...) as base:`` a real ``ace321 serve``
    (tests/support/live_server.py)."""
    return _live_server.serving
