"""Storage: shipments, decisions, lifecycle and a hash-chained audit trail in SQLite or PostgreSQL.

``Database.open(url)`` gives a migrated database (an SQLite file ``ace321.db`` in the working
directory by default, or ``--db`` / ``ACE321_DATABASE_URL``). ``ingest`` screens a canonical
frame with the stored history and stores it in one transaction; ``screen_with_history`` does the
same screening without storing.
"""

from ace321.storage.database import Database, StorageError, resolve_url, upgrade
from ace321.storage.history import HistoryScreening, screen_with_history
from ace321.storage.ingest import BatchInfo, IngestReport, ingest

__all__ = [
    "BatchInfo",
    "Database",
    "HistoryScreening",
    "IngestReport",
    "StorageError",
    "ingest",
    "resolve_url",
    "screen_with_history",
    "upgrade",
]
