"""``GET /v1/healthz`` (no key) and ``GET /v1/metrics`` (Prometheus text)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from ace321.api.deps import Admin, DbDep, MetricsDep, RulesDep
from ace321.api.metrics import CONTENT_TYPE
from ace321.api.responses import problems
from ace321.storage import Database

router = APIRouter(tags=["operations"])


class HealthPublic(BaseModel):
    """Whether the server can answer."""

    status: str = Field(description="`ok`, or `unavailable` when the database does not answer.")
    database: str = Field(description="Database dialect: `sqlite` or `postgresql`.")
    rules_version: str = Field(description="Rules loaded.")


def _ping(db: Database) -> bool:
    try:
        with db.reading() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/healthz", response_model=HealthPublic,
            responses={503: {"model": HealthPublic, "description": "The database is down."}},
            summary="Health check (no key needed)")
async def healthz(db: DbDep, rules: RulesDep) -> JSONResponse:
    """200 when the database answers, else 503."""
    ok = await run_in_threadpool(_ping, db)
    return JSONResponse({"status": "ok" if ok else "unavailable", "database": db.dialect,
                         "rules_version": rules.version}, status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse, responses={
    200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
          "description": "Prometheus text exposition format."}, **problems(401, 403)},
    summary="Prometheus metrics (admins)")
def metrics_text(_caller: Admin, metrics: MetricsDep) -> PlainTextResponse:
    """Request counts, a latency histogram and decisions by code, of this server process."""
    return PlainTextResponse(metrics.render(), media_type=CONTENT_TYPE)
