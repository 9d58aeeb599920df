"""The FastAPI application: ``create_app(db_url)``.

One router per resource under ``/v1``; errors are problem documents; every request but
``/v1/healthz`` carries ``Authorization: Bearer KEY`` and is scoped to the key's tenant.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ace321 import __version__
from ace321.api import problems
from ace321.api.auth import KeyCache
from ace321.api.guards import RequestGuardMiddleware
from ace321.api.metrics import Metrics
from ace321.api.middleware import BodyLimitMiddleware, MetricsMiddleware
from ace321.api.rate_cache import RateCache
from ace321.api.routers import batches, docs, health, responses, screening, shipments, trips
from ace321.api.routers import plan as plan_routes
from ace321.api.routers import rules as rules_routes
from ace321.api.routers import settings as settings_routes
from ace321.api.services.coalescer import ScreenCoalescer
from ace321.api.settings import Settings
from ace321.app.risk_jobs import RiskJobs
from ace321.rules import RuleSet, load_rules
from ace321.storage import Database
from ace321.web import site as web

DESCRIPTION = """\
Screen US-bound truck shipments for Section 321 de minimis and entry paths, store them with
their history, and read decisions back with reasons and legal references.

Every request but `/v1/healthz` needs `Authorization: Bearer KEY` (create keys with
`ace321 apikey create --tenant NAME --role viewer|operator|admin`). Everything is scoped to the
key's tenant. Errors are RFC 9457 problem documents (`application/problem+json`) with `issues`
naming the field or row, with the codes of the CLI.
"""


def create_app(db_url: str | None = None, *, settings: Settings | None = None,
               rules: RuleSet | None = None, database: Database | None = None) -> FastAPI:
    """The application over the database ``db_url`` (migrated on first use)."""
    settings = settings or Settings()
    db = database or Database.open(db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.risk_jobs.close()
        if database is None:
            db.close()

    app = FastAPI(title="ace321", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, openapi_url="/v1/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.db = db
    app.state.rules = rules or load_rules()
    app.state.coalescer = ScreenCoalescer(app.state.rules)
    app.state.settings = settings
    app.state.key_cache = KeyCache(settings.key_cache_seconds)
    app.state.rate_cache = RateCache(settings.key_cache_seconds)
    app.state.metrics = Metrics()
    app.state.risk_jobs = RiskJobs()
    problems.install(app)
    for router in (screening.router, batches.router, shipments.router, trips.router,
                   responses.router, rules_routes.router, settings_routes.router,
                   health.router):
        app.include_router(router, prefix="/v1")
    app.include_router(plan_routes.router, prefix="/v1")
    app.add_api_route("/healthz", health.healthz, include_in_schema=False)
    docs.install(app)
    web.install(app)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and server workers: the database from
    ``ACE321_DATABASE_URL``, warmed up for serving."""
    app = create_app(os.environ.get("ACE321_DATABASE_URL"))
    warm_up(app)
    return app


def warm_up(app: FastAPI) -> None:
    """Screen one example shipment, then freeze what the process holds so far.

    The first screening imports and builds what later ones reuse, so no client pays for it.
    The process then holds hundreds of thousands of long-lived objects (Polars, pydantic
    schemas, the rules): a full garbage collection walking them all took 100 ms in the middle
    of the load benchmark, the worst latency of the run. Frozen, they are never walked again
    (full collections of what is left take a few ms).
    """
    from ace321.api.schemas.screening import EXAMPLE_SHIPMENT
    from ace321.api.services.orders import frame_from_rows, json_rows
    from ace321.screening import screen

    screen(frame_from_rows(json_rows([EXAMPLE_SHIPMENT])), rules=app.state.rules).to_document()
    gc.collect()
    gc.freeze()
