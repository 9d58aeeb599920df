"""Trips, their shipments and files, SCN and control-number sequences, CBP responses.

- ``trips``, ``trip_files``, ``trip_shipments``, ``counters``, ``cbp_responses`` (see
  ``ace321.storage.trip_models``);
- ``scn_registry`` gains ``actor``, ``rules_version`` and ``trip_id`` (nullable: rows of 0001
  have none);
- PostgreSQL only: the sequences ``scn_seq`` (SCN numbers, 12 digits, never cycling) and
  ``x12_control_seq`` (ISA13, 1..999,999,999, cycling). SQLite has no sequences: there the
  ``counters`` rows ``scn`` and ``x12_control`` are incremented inside the write transaction.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trips",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("trip_number", sa.String(length=25), nullable=False),
        sa.Column("carrier_scac", sa.String(length=4), nullable=False),
        sa.Column("port_of_arrival", sa.String(length=4), nullable=False),
        sa.Column("estimated_arrival", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("control_number", sa.BigInteger(), nullable=False),
        sa.Column("production", sa.Boolean(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rules_version", sa.String(length=100), nullable=False),
        sa.Column("trip_json", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "trip_number", name="uq_trips_tenant_trip_number"),
    )
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.create_index("ix_trips_tenant_status", ["tenant_id", "status"], unique=False)

    op.create_table(
        "trip_files",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("trip_id", _BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["trip_id"], ["trips.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trip_id", "name", name="uq_trip_files_trip_name"),
    )
    op.create_table(
        "trip_shipments",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("trip_id", _BIG_ID, nullable=False),
        sa.Column("shipment_pk", sa.Uuid(), nullable=False),
        sa.Column("scn", sa.String(length=16), nullable=False),
        sa.Column("ace_type", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["trip_id"], ["trips.id"]),
        sa.ForeignKeyConstraint(["shipment_pk"], ["shipments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trip_id", "shipment_pk", name="uq_trip_shipments_trip_shipment"),
    )
    with op.batch_alter_table("trip_shipments", schema=None) as batch_op:
        batch_op.create_index("ix_trip_shipments_shipment", ["shipment_pk"], unique=False)
        batch_op.create_index("ix_trip_shipments_scn", ["scn"], unique=False)

    op.create_table(
        "counters",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name"),
    )
    op.create_table(
        "cbp_responses",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", _BIG_ID, nullable=True),
        sa.Column("trip_number", sa.String(length=50), nullable=True),
        sa.Column("scn", sa.String(length=50), nullable=True),
        sa.Column("message_type", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("error", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["trip_id"], ["trips.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cbp_responses", schema=None) as batch_op:
        batch_op.create_index("ix_cbp_responses_trip", ["trip_id"], unique=False)
        batch_op.create_index("ix_cbp_responses_scn", ["tenant_id", "scn"], unique=False)

    with op.batch_alter_table("scn_registry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("rules_version", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("trip_id", _BIG_ID, nullable=True))
        batch_op.create_foreign_key("fk_scn_registry_trip", "trips", ["trip_id"], ["id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE scn_seq AS bigint MINVALUE 1 MAXVALUE 999999999999 NO CYCLE")
        op.execute("CREATE SEQUENCE x12_control_seq AS bigint MINVALUE 1 MAXVALUE 999999999 "
                   "CYCLE")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS x12_control_seq")
        op.execute("DROP SEQUENCE IF EXISTS scn_seq")
    with op.batch_alter_table("scn_registry", schema=None) as batch_op:
        batch_op.drop_constraint("fk_scn_registry_trip", type_="foreignkey")
        batch_op.drop_column("trip_id")
        batch_op.drop_column("rules_version")
        batch_op.drop_column("actor")
    with op.batch_alter_table("cbp_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_cbp_responses_scn")
        batch_op.drop_index("ix_cbp_responses_trip")
    op.drop_table("cbp_responses")
    op.drop_table("counters")
    with op.batch_alter_table("trip_shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_trip_shipments_scn")
        batch_op.drop_index("ix_trip_shipments_shipment")
    op.drop_table("trip_shipments")
    op.drop_table("trip_files")
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.drop_index("ix_trips_tenant_status")
    op.drop_table("trips")
