"""Verified API keys remembered for a short time, so a request does not cost a query and a hash.

A key is revoked in the database, possibly by another process (``ace321 apikey revoke``) or
another server, which this process cannot hear about. So an entry lives ``ttl`` seconds at most
(``ACE321_API_KEY_CACHE_SECONDS``, default 1): a revoked key stops working within that time on
every worker. ``ttl`` 0 looks every request up. Only valid keys are remembered: an unknown key
is looked up every time, so a key created a moment ago works at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from ace321.storage.api_keys import Principal

MAX_ENTRIES = 10_000


class KeyCache:
    """``digest of the key -> (principal, expiry)``; the key itself is never kept."""

    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.sha256(key.encode("utf-8")).digest()

    def get(self, key: str) -> Principal | None:
        """The principal of ``key`` if verified less than ``ttl`` seconds ago."""
        if self.ttl <= 0:
            return None
        digest = self._digest(key)
        found = self._entries.get(digest)
        if found is None:
            return None
        principal, expiry = found
        if self.clock() >= expiry:
            self._entries.pop(digest, None)
            return None
        return principal

    def put(self, key: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                # Many distinct keys at once: start over rather than track recency per hit.
                self._entries.clear()
            self._entries[self._digest(key)] = (principal, self.clock() + self.ttl)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
