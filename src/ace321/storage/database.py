"""Engines, migrations and write transactions for SQLite (embedded default) and PostgreSQL.

Concurrency: on SQLite every transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time,
others wait up to ``SQLITE_BUSY_SECONDS``). On PostgreSQL writers take transaction-scoped advisory
locks (``pg_advisory_xact_lock``) on hashes of the person-days, orders and shipment ids they
touch, in sorted order, so that two batches for the same person-day run one after the other.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session

DEFAULT_URL = "sqlite:///ace321.db"
ENV_VAR = "ACE321_DATABASE_URL"
SQLITE_BUSY_SECONDS = 120
SQLITE_DEFAULT_CACHE = -2000  # KiB, SQLite's own default
MIGRATIONS = Path(__file__).parent / "migrations"
# Above this many keys a batch locks everything (one exclusive lock) instead of each key.
MAX_FINE_LOCKS = 2000
_GLOBAL_LOCK = "ace321:global"
_MIGRATION_LOCK = "ace321:migrations"


class StorageError(Exception):
    """A storage operation refused or failed; the message says why."""


class DatabaseMissing(StorageError):
    """``Database.open(..., create=False)`` of a database that does not exist (yet)."""


class UnstorableBatch(StorageError):
    """A batch with values no backend may store (control characters, over the column
    lengths): refused whole, before anything is written. ``issues`` are the screening's
    records of them (code, field, row, message, shipment_id)."""

    def __init__(self, issues: list[dict[str, object]]) -> None:
        first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"cannot store the batch: row {first['row']}, {first['field']}: "
                         f"{first['code']}: {first['message']}{more}")
        self.issues = issues


def resolve_url(db: str | None = None) -> str:
    """``--db`` first, then ``ACE321_DATABASE_URL``, then ``ace321.db`` in the working directory."""
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:  # a bare path means an SQLite file
        url = f"sqlite:///{url}"
    return url


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event emit BEGIN IMMEDIATE itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Write-ahead logging: a long read (a year of risk history, a large export) does not
            # hold up a writer's commit, nor a commit the pages being read. The mode is stored
            # in the file; SQLite keeps the default for a database in memory.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "checkin")
        def _checkin(dbapi_connection: Any, _record: Any) -> None:
            # A large ingest raises the page cache for its transaction; pooled connections go
            # back to SQLite's default so that they do not keep that memory.
            if dbapi_connection is not None:
                dbapi_connection.execute(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # Writers take the database's single write lock at once; readers do not.
            reading = connection.get_execution_options().get("ace321_read", False)
            connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_size=5, max_overflow=40, pool_pre_ping=True)
    return create_engine(parsed)


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for migrations.

    On SQLite foreign keys are off meanwhile: a migration that changes a column rebuilds its
    table (create, copy, drop, rename), and dropping a parent table with foreign keys enforced
    fails. That is SQLite's documented procedure (https://sqlite.org/lang_altertable.html,
    "other kinds of table schema changes"): the pragma is a no-op inside a transaction, so it is
    set before, and ``PRAGMA foreign_key_check`` must find nothing before the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # autocommit: no transaction is open yet
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                       {"k": lock_key(_MIGRATION_LOCK)})
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(f"migration left {len(broken)} broken foreign "
                                           f"key(s), e.g. {tuple(broken[0])}; nothing changed")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate the database to ``revision`` (in one transaction); returns the revision reached."""
    from alembic import command

    with _migrating(engine) as connection:
        command.upgrade(_alembic_config(connection), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Migrate the database back to ``revision`` (in one transaction)."""
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)
    return current_revision(engine)


class Database:
    """An engine on a migrated database."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None, *, migrate: bool = True, create: bool = True
             ) -> Database:
        """Open (and on first use create and migrate) the database ``db`` names.

        With ``create=False`` a database that does not exist is ``DatabaseMissing`` instead: an
        SQLite file that is not there (a mistyped path must not become a new empty database),
        or a database without ace321's tables. An older schema is still migrated.
        """
        url = resolve_url(db)
        if not create:
            _must_exist(url)
        engine = create_db_engine(url)
        try:
            revision = current_revision(engine)
            if not create and revision is None:
                raise DatabaseMissing(f"database {_shown(url)} has no ace321 tables (create it "
                                      "with `ace321 db upgrade` or by storing something)")
            if migrate and revision != head_revision():
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(url, engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (on SQLite it does not hold the write lock); rolled back."""
        bind = self.engine.execution_options(ace321_read=True)
        with Session(bind, expire_on_commit=False) as session:
            yield session  # closing the session rolls its transaction back

    def close(self) -> None:
        self.engine.dispose()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _must_exist(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return  # a server refuses a connection to a database it does not have
    path = parsed.database or ""
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    if not Path(path).is_file():
        raise DatabaseMissing(f"database {path} does not exist (check --db or "
                              f"{ENV_VAR}; `ace321 db upgrade --db {path}` creates it)")


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_names(session: Session, names: Iterable[str]) -> set[str]:
    """Take the advisory locks of ``names`` (PostgreSQL; on SQLite all are held) in sorted key order.

    Every writer first holds the global lock shared; a very large batch takes it exclusively.
    Returns the names locked (all of them, when the global lock is exclusive).
    """
    names = set(names)
    if session.get_bind().dialect.name != "postgresql":
        # SQLite's writers hold the database's one write lock (BEGIN IMMEDIATE): every name is
        # locked already, so a screening that finds more names never needs to start again.
        return names | {"*"}
    # Counted before hashing: a million-name batch takes the one global lock, and hashing
    # every name first would cost seconds for nothing.
    if len(names) > MAX_FINE_LOCKS or "*" in names:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(_GLOBAL_LOCK)})
        return names | {"*"}
    keys = sorted({lock_key(name) for name in names})
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": lock_key(_GLOBAL_LOCK)})
    for key in keys:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    return names
