"""Risk scoring after the commit, in one background thread of a server.

A server's upload stores its batch and answers; when the batch's risk history is large, its
scores follow a few seconds later (``app.risk.score_stored_batch``). One worker scores the
batches in the order they were stored, so a later batch's scores never come before an earlier
one's. A batch that fails to score keeps no score (shown as not scored) and the failure is
logged with the batch id; its decisions are stored either way.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from ace321.app.risk import score_stored_batch
from ace321.risk import RiskModel
from ace321.rules import RuleSet
from ace321.storage import Database

__all__ = ["RiskJobs"]

log = logging.getLogger(__name__)


class RiskJobs:
    """Batches waiting for their risk scores, scored one at a time by one thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ace321-risk")
        self._lock = threading.Lock()
        self._pending: dict[str, Future[int]] = {}  # batch id -> its job
        self._tenants: dict[str, int] = {}  # tenant -> batches pending

    def submit(self, db: Database, report: Any, *, tenant: str, rules: RuleSet,
               model: RiskModel | None = None) -> None:
        batch_id = str(report.batch_id)
        with self._lock:
            self._tenants[tenant] = self._tenants.get(tenant, 0) + 1
            self._pending[batch_id] = self._pool.submit(
                self._score, db, report, batch_id, tenant, rules, model)

    def _score(self, db: Database, report: Any, batch_id: str, tenant: str, rules: RuleSet,
               model: RiskModel | None) -> int:
        try:
            return score_stored_batch(db, report, tenant=tenant, rules=rules, model=model)
        except Exception:
            log.exception("risk scoring of batch %s failed; its shipments stay unscored",
                          batch_id)
            raise
        finally:
            with self._lock:
                self._pending.pop(batch_id, None)
                self._tenants[tenant] -= 1

    def pending(self, batch_id: str) -> bool:
        """True while the batch waits for, or is getting, its scores."""
        with self._lock:
            return batch_id in self._pending

    def busy(self, tenant: str) -> bool:
        """True while a batch of the tenant waits: later batches wait behind it."""
        with self._lock:
            return self._tenants.get(tenant, 0) > 0

    def wait_all(self, timeout: float | None = None) -> None:
        """Until every batch submitted so far is scored (or has failed)."""
        with self._lock:
            jobs = list(self._pending.values())
        wait(jobs, timeout=timeout)  # a failed job was logged; waiting is done either way

    def close(self) -> None:
        self._pool.shutdown(wait=True)
