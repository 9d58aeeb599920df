"""Saved truck, trailer and driver profiles of the web workspace, and the indexes its
shipment tables and dashboard count and page with (by decision, by status): without them a
filtered page of 300,000 stored shipments read the whole table (seconds on SQLite).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "equipment_profiles",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "kind", "name",
                            name="uq_equipment_profiles_tenant_kind_name"),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_tenant_decision",
                              ["tenant_id", "decision", "shipment_id"], unique=False)
        batch_op.create_index("ix_shipments_tenant_status",
                              ["tenant_id", "status", "shipment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_tenant_status")
        batch_op.drop_index("ix_shipments_tenant_decision")
    op.drop_table("equipment_profiles")
