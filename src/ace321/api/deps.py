"""Dependencies of the routes, as ``Annotated`` aliases: database, rules, clock, the caller.

They are ``async`` where they do not block: FastAPI runs a plain ``def`` dependency in the
thread pool, a hop that cost more than the dependency itself on every request.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ace321.api.auth import KeyCache
from ace321.api.metrics import Metrics
from ace321.api.problems import ApiProblem
from ace321.api.rate_cache import RateCache
from ace321.api.services.coalescer import ScreenCoalescer
from ace321.api.settings import Settings
from ace321.rules import RuleSet
from ace321.storage import Database
from ace321.storage.api_keys import Principal, authenticate

ROLE_RANK = {"viewer": 0, "operator": 1, "admin": 2}
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer "
                                                   "ace321_<prefix>_<secret>`.")


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_rules(request: Request) -> RuleSet:
    return request.app.state.rules  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


async def get_coalescer(request: Request) -> ScreenCoalescer:
    return request.app.state.coalescer  # type: ignore[no-any-return]


async def get_rate_cache(request: Request) -> RateCache:
    return request.app.state.rate_cache  # type: ignore[no-any-return]


async def get_now() -> dt.datetime:
    """The clock: read here, in the delivery layer, never in the storage or the engine."""
    return dt.datetime.now(dt.UTC)


DbDep = Annotated[Database, Depends(get_db)]
RulesDep = Annotated[RuleSet, Depends(get_rules)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
CoalescerDep = Annotated[ScreenCoalescer, Depends(get_coalescer)]
RateCacheDep = Annotated[RateCache, Depends(get_rate_cache)]


def unauthorized() -> ApiProblem:
    # One answer for a missing, malformed, unknown or revoked key: no hint which it was.
    return ApiProblem(401, "a valid API key is required (Authorization: Bearer KEY)",
                      code="UNAUTHORIZED", headers={"WWW-Authenticate": "Bearer"})


def _lookup(db: Database, key: str) -> Principal | None:
    with db.reading() as session:
        return authenticate(session, key)


async def get_principal(
    request: Request, db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    key = credentials.credentials
    cache: KeyCache = request.app.state.key_cache
    principal = cache.get(key)
    if principal is None:
        principal = await run_in_threadpool(_lookup, db, key)
        if principal is None:
            raise unauthorized()
        cache.put(key, principal)
    return principal


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency: the caller, who must have at least ``role``."""

    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if ROLE_RANK[principal.role] < ROLE_RANK[role]:
            raise ApiProblem(403, f"this needs the {role} role; the key's role is "
                                  f"{principal.role}", code="FORBIDDEN")
        return principal

    return check


Viewer = Annotated[Principal, Depends(get_principal)]
Operator = Annotated[Principal, Depends(require("operator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
