"""Audit: the tenant's events filtered by entity, user and date; "Verify chain"."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ace321.web import views
from ace321.web.security import Checked, Reader
from ace321.web.templating import render

router = APIRouter()


def _filters(params: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    errors: list[str] = []
    found: dict[str, object] = {}
    for name in ("entity_type", "entity_id", "actor"):
        value = (params.get(name) or "").strip()[:200]
        if value:
            found[name] = value
    for name in ("date_from", "date_to"):
        value = (params.get(name) or "").strip()
        if value:
            try:
                found[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors.append(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
    return found, errors


async def _page(request: Request, user: Reader, **context: object) -> Response:
    filters, errors = _filters(dict(request.query_params))
    events = await run_in_threadpool(views.audit_events, request.app.state.db, user, filters)
    return render(request, "audit.html", {"events": events, "filters": filters,
                                          "errors": errors, **context})


@router.get("/audit")
async def audit_page(request: Request, user: Reader) -> Response:
    return await _page(request, user)


@router.post("/audit/verify")
async def audit_verify(request: Request, user: Checked) -> Response:
    # Verifying changes nothing: every role may ask (the CSRF check still applies to the form).
    result = await run_in_threadpool(views.verify_chain, request.app.state.db, user)
    return await _page(request, user, verification=result)
