"""Entry costs: the special program claimed and the quantity in the rate's unit on stored lines,
and each stored shipment's estimated costs at ingest (``shipment_costs``).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ace321.storage.types import Money

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipment_lines") as batch:
        batch.add_column(sa.Column("spi", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("hts_quantity", sa.String(length=50), nullable=True))
    op.create_table(
        "shipment_costs",
        sa.Column("shipment_pk", sa.Uuid(), sa.ForeignKey("shipments.id"), primary_key=True),
        sa.Column("hts_revision", sa.String(length=100), nullable=False),
        sa.Column("rules_version", sa.String(length=100), nullable=False),
        sa.Column("entry_type", sa.String(length=2), nullable=True),
        sa.Column("duty_usd", Money(18, 2), nullable=True),
        sa.Column("mpf_usd", Money(18, 2), nullable=True),
        sa.Column("total_usd", Money(18, 2), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shipment_costs")
    with op.batch_alter_table("shipment_lines") as batch:
        batch.drop_column("hts_quantity")
        batch.drop_column("spi")
