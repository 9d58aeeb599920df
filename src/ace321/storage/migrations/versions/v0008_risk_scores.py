"""Each stored shipment's risk score, band and signals (``ace321.risk``), kept up to date on
ingest like its decision.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("risk_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("risk_band", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("risk_signals", sa.Text(), nullable=True))
        batch.add_column(sa.Column("risk_version", sa.String(length=200), nullable=True))
    op.create_index("ix_shipments_risk_band", "shipments", ["tenant_id", "risk_band"])


def downgrade() -> None:
    op.drop_index("ix_shipments_risk_band", table_name="shipments")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("risk_version")
        batch.drop_column("risk_signals")
        batch.drop_column("risk_band")
        batch.drop_column("risk_score")
