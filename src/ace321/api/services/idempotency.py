"""``Idempotency-Key`` on write requests: the first response is kept and replayed.

The record is inserted *before* the work (pending: no status yet) under the unique constraint
(tenant, key), so of two identical requests arriving together only one does the work; the other
waits for its response and replays it. The same key with another body is 409. A request that
fails with a server error removes its pending record, so it may be retried with the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ace321.api.problems import ApiProblem
from ace321.storage import Database
from ace321.storage.api_models import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Stored:
    status: int
    body: str


def request_hash(method: str, path: str, content_type: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method, path, content_type.split(";")[0].strip().lower(), query):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def begin(db: Database, tenant_id: int, key: str, fingerprint: str, now: dt.datetime, *,
          wait_seconds: float) -> Stored | None:
    """None: this request owns the key and does the work. Stored: replay this response."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiProblem(422, f"Idempotency-Key must have 1 to {MAX_KEY_LENGTH} characters",
                         code="INVALID_REQUEST")
    deadline = time.monotonic() + wait_seconds
    pause = 0.02
    while True:
        try:
            with db.transaction() as session:
                session.execute(insert(IdempotencyRecord).values(
                    tenant_id=tenant_id, key=key, request_sha256=fingerprint, status_code=None,
                    response_body=None, created_at=now))
            return None
        except IntegrityError:
            pass
        with db.reading() as session:
            row = session.execute(select(
                IdempotencyRecord.request_sha256, IdempotencyRecord.status_code,
                IdempotencyRecord.response_body).where(
                IdempotencyRecord.tenant_id == tenant_id,
                IdempotencyRecord.key == key)).one_or_none()
        if row is None:
            continue  # the first request failed and let the key go: try to own it
        if row.request_sha256 != fingerprint:
            raise ApiProblem(409, "this Idempotency-Key was used with another request",
                             code="IDEMPOTENCY_KEY_REUSED")
        if row.status_code is not None:
            return Stored(row.status_code, row.response_body or "")
        if time.monotonic() >= deadline:
            raise ApiProblem(409, "a request with this Idempotency-Key is still in progress; "
                                  "retry later", code="IDEMPOTENCY_KEY_IN_PROGRESS",
                             headers={"Retry-After": "5"})
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def finish(db: Database, tenant_id: int, key: str, status: int, body: str) -> None:
    with db.transaction() as session:
        session.execute(update(IdempotencyRecord).where(
            IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key).values(
            status_code=status, response_body=body))


def abandon(db: Database, tenant_id: int, key: str) -> None:
    with db.transaction() as session:
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key,
            IdempotencyRecord.status_code.is_(None)))
