"""Migration 0012 (issue 14 item 20): an INVALID shipment stores NULL as its ACE shipment type,
and databases that hold the old ``PAPS`` placeholder are fixed, on SQLite (a table rebuild under
foreign keys) and PostgreSQL. Downgrade and upgrade round-trip with the data kept."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

TABLES = ("shipments", "decisions")


def _types(db, table):
    column = "shipment_id" if table == "shipments" else "shipment_pk"
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            f"SELECT {column}, decision, ace_shipment_type FROM {table}")).all()
    if table == "decisions":  # decisions name their shipment by key: map it to its id
        with db.engine.connect() as connection:
            ids = dict(connection.execute(text("SELECT id, shipment_id FROM shipments")).all())
        rows = [(ids[pk], decision, kind) for pk, decision, kind in rows]
    return sorted((str(a), b, c) for a, b, c in rows)


def _counts(db):
    from ace321.storage.models import Base

    with db.engine.connect() as connection:
        return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in Base.metadata.tables}


def _nullable(db, table):
    return {c["name"]: c["nullable"] for c in inspect(db.engine).get_columns(table)}[
        "ace_shipment_type"]


def _stored(kit, db):
    kit.ingest(db, [kit.shipment("OK1"),
                    kit.shipment("BIG1", person="Cy Roe", phone="+1 716-634-0103",
                                 lines=[{"unit_price": "1500.00"}]),
                    kit.shipment("BAD1", person="Bo Day", phone="+1 716-634-0102",
                                 lines=[{"hts_code": "12"}])])


def test_an_invalid_shipment_is_stored_with_no_ace_type(kit, db):
    _stored(kit, db)
    for table in TABLES:
        assert _types(db, table) == [("BAD1", "INVALID", None),
                                     ("BIG1", "INFORMAL_ENTRY", "PAPS"),
                                     ("OK1", "SECTION_321", "SECTION 321")]


def test_downgrade_puts_the_placeholder_back_and_upgrade_clears_it(kit, fresh_db_url):
    from ace321.storage import Database
    from ace321.storage.database import current_revision, downgrade, head_revision, upgrade

    db = Database.open(fresh_db_url)
    try:
        assert head_revision() == "0012"
        _stored(kit, db)
        counts = _counts(db)
        assert counts["decisions"] == 3 and counts["shipment_lines"] == 3
        assert downgrade(db.engine, "0011") == "0011"
        for table in TABLES:  # what the code before 0012 stored
            assert ("BAD1", "INVALID", "PAPS") in _types(db, table)
            assert _nullable(db, table) is False
        assert _counts(db) == counts
        with db.engine.connect() as connection, pytest.raises(Exception, match=r"(?i)null"):
            connection.execute(text("UPDATE shipments SET ace_shipment_type = NULL"))
        assert upgrade(db.engine) == "0012" == current_revision(db.engine)
        for table in TABLES:
            assert _types(db, table) == [("BAD1", "INVALID", None),
                                         ("BIG1", "INFORMAL_ENTRY", "PAPS"),
                                         ("OK1", "SECTION_321", "SECTION 321")]
            assert _nullable(db, table) is True
        assert _counts(db) == counts
        # The rebuilt tables keep their indexes, unique constraints and foreign keys.
        inspector = inspect(db.engine)
        assert {"ix_shipments_batch", "ix_shipments_tenant_status", "ix_shipments_order"} <= {
            i["name"] for i in inspector.get_indexes("shipments")}
        assert {tuple(u["column_names"]) for u in inspector.get_unique_constraints(
            "shipments")} >= {("tenant_id", "shipment_id")}
        assert {f["referred_table"] for f in inspector.get_foreign_keys("decisions")} == {
            "shipments"}
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                # Migrations turn enforcement off only for their own transaction.
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                with pytest.raises(Exception, match=r"(?i)foreign key"):
                    connection.execute(text("DELETE FROM shipments"))
        # The store still works on the rebuilt tables.
        kit.ingest(db, [kit.shipment("OK2", person="Di Fox", phone="+1 716-634-0104")])
        assert _counts(db)["shipments"] == 4
    finally:
        db.close()
