"""Schema, migrations, money columns."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import inspect, text


def test_migrated_database_has_every_table_and_the_default_tenant(db, kit):
    from ace321.storage.database import current_revision, head_revision
    from ace321.storage.models import Base

    assert current_revision(db.engine) == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM tenants")).scalars().all() == ["default"]


def test_open_creates_and_migrates_on_first_use(fresh_db_url):
    from ace321.storage import Database
    from ace321.storage.database import current_revision, head_revision

    database = Database.open(fresh_db_url)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.close()


def test_db_upgrade_command(fresh_db_url, kit):
    from ace321.storage.database import head_revision

    result = kit.cli("db", "upgrade", "--db", fresh_db_url)
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in " ".join(result.output.split())
    again = kit.cli("db", "upgrade", "--db", fresh_db_url)
    assert again.exit_code == 0, again.output


def test_money_is_exact_decimal(db, kit):
    shipment = kit.shipment("M1", lines=[{"unit_price": "0.1"}, {"unit_price": "0.2"},
                                         {"unit_price": "123456.7891", "quantity": "3"}])
    kit.ingest(db, [shipment])
    stored = kit.stored(db, "M1")
    assert stored.value_usd == Decimal("370370.6673")
    assert isinstance(stored.value_usd, Decimal)
    with db.engine.connect() as connection:
        prices = connection.execute(text(
            "SELECT unit_price FROM shipment_lines ORDER BY line_no")).scalars().all()
    assert [Decimal(str(p)) for p in prices] == [Decimal("0.1"), Decimal("0.2"),
                                                  Decimal("123456.7891")]


def test_money_type_refuses_what_does_not_fit():
    from sqlalchemy.dialects import postgresql, sqlite

    from ace321.storage.types import Money, StorageValueError

    money = Money(18, 4)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(money.process_bind_param(Decimal("12.5"), dialect)) == "12.5"
        with pytest.raises(StorageValueError):
            money.process_bind_param(Decimal("1.23456"), dialect)
        with pytest.raises(StorageValueError):
            money.process_bind_param(Decimal("123456789012345"), dialect)


def test_url_resolution(monkeypatch):
    from ace321.storage.database import DEFAULT_URL, ENV_VAR, resolve_url

    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_url(None) == DEFAULT_URL
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://u@h/d")
    assert resolve_url(None) == "postgresql+psycopg://u@h/d"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"
    assert resolve_url("other.db") == "sqlite:///other.db"
