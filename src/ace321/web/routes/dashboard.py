"""The dashboard: arrivals, shipments by decision and status, high risk, trips, responses."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ace321.web import views
from ace321.web.security import Reader
from ace321.web.templating import render

router = APIRouter()


@router.get("/")
async def dashboard(request: Request, user: Reader) -> Response:
    today = request.app.state.web_clock().date()
    data = await run_in_threadpool(views.dashboard, request.app.state.db, user, today)
    return render(request, "dashboard.html", {"data": data, "today": today})
