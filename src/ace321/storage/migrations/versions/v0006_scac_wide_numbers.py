"""Trip numbers and SCNs unique per carrier SCAC across every tenant; responses per message.

- ``trips``: the trip number is unique per ``carrier_scac`` (was: per tenant);
  ``scn_registry``: an SCN is unique (was: per tenant). Rows that already repeat a number of
  another tenant are kept and marked ``legacy_duplicate`` (the unique indexes skip them), so an
  upgrade never fails; ``responses import`` refuses a response that matches several of them.
- ``counters``: the trip-number sequences (``trip:SCAC:DAY``) and SQLite's SCN sequence
  (``scn``) move to ``tenant_id`` 0, shared by every tenant, starting above every tenant's.
- ``cbp_responses.position``: the message's place in its file (filled for the stored rows in
  file order), for importing a file again idempotently.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NOT_LEGACY = sa.text("NOT legacy_duplicate")


def upgrade() -> None:
    false = sa.false()
    with op.batch_alter_table("trips") as batch:
        batch.add_column(sa.Column("legacy_duplicate", sa.Boolean(), nullable=False,
                                   server_default=false))
        batch.drop_constraint("uq_trips_tenant_trip_number", type_="unique")
    with op.batch_alter_table("scn_registry") as batch:
        batch.add_column(sa.Column("legacy_duplicate", sa.Boolean(), nullable=False,
                                   server_default=false))
        batch.drop_constraint("uq_scn_registry_tenant_scn", type_="unique")
    with op.batch_alter_table("cbp_responses") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))
    op.execute("UPDATE trips SET legacy_duplicate = TRUE WHERE EXISTS (SELECT 1 FROM trips t2 "
               "WHERE t2.carrier_scac = trips.carrier_scac AND t2.trip_number = trips.trip_number"
               " AND t2.id < trips.id)")
    op.execute("UPDATE scn_registry SET legacy_duplicate = TRUE WHERE EXISTS (SELECT 1 FROM "
               "scn_registry r2 WHERE r2.scn = scn_registry.scn AND r2.id < scn_registry.id)")
    op.create_index("uq_trips_scac_trip_number", "trips", ["carrier_scac", "trip_number"],
                    unique=True, sqlite_where=_NOT_LEGACY, postgresql_where=_NOT_LEGACY)
    op.create_index("ix_trips_trip_number", "trips", ["trip_number"])
    op.create_index("uq_scn_registry_scn", "scn_registry", ["scn"], unique=True,
                    sqlite_where=_NOT_LEGACY, postgresql_where=_NOT_LEGACY)
    op.create_index("ix_cbp_responses_source", "cbp_responses", ["source_sha256"])
    op.execute("INSERT INTO counters (tenant_id, name, value) SELECT 0, name, max(value) FROM "
               "counters WHERE tenant_id <> 0 AND (name LIKE 'trip:%' OR name = 'scn') "
               "GROUP BY name")
    op.execute("UPDATE cbp_responses SET position = (SELECT count(*) FROM cbp_responses c2 "
               "WHERE c2.source_sha256 = cbp_responses.source_sha256 "
               "AND c2.tenant_id = cbp_responses.tenant_id AND c2.id < cbp_responses.id)")


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE tenant_id = 0")
    op.drop_index("ix_cbp_responses_source", table_name="cbp_responses")
    op.drop_index("uq_scn_registry_scn", table_name="scn_registry")
    op.drop_index("ix_trips_trip_number", table_name="trips")
    op.drop_index("uq_trips_scac_trip_number", table_name="trips")
    with op.batch_alter_table("cbp_responses") as batch:
        batch.drop_column("position")
    with op.batch_alter_table("scn_registry") as batch:
        batch.drop_column("legacy_duplicate")
        batch.create_unique_constraint("uq_scn_registry_tenant_scn", ["tenant_id", "scn"])
    with op.batch_alter_table("trips") as batch:
        batch.drop_column("legacy_duplicate")
        batch.create_unique_constraint("uq_trips_tenant_trip_number", ["tenant_id", "trip_number"])
