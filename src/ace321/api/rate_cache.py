"""The tenants' exchange rates as screening needs them, kept a short while per process.

``POST /v1/screen`` is the hot path: one database read per request would cost more than the
screening of a small request. A rate table is reused for ``seconds`` (the API key cache's
window, ``ACE321_API_KEY_CACHE_SECONDS``); ``PUT /v1/rates`` forgets the tenant's table in the
process that served it, other workers see the new rates within the window.
"""

from __future__ import annotations

import time

import polars as pl
from fastapi.concurrency import run_in_threadpool

from ace321.app.settings import tenant_rates
from ace321.storage import Database


class RateCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._tables: dict[str, tuple[float, pl.DataFrame | None]] = {}

    async def get(self, db: Database, tenant: str) -> pl.DataFrame | None:
        found = self._tables.get(tenant)
        now = time.monotonic()
        if found is not None and found[0] > now:
            return found[1]
        table = await run_in_threadpool(lambda: tenant_rates(db, tenant=tenant))
        if self.seconds > 0:
            self._tables[tenant] = (now + self.seconds, table)
        return table

    def forget(self, tenant: str) -> None:
        self._tables.pop(tenant, None)
