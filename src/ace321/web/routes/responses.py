"""CBP responses: upload a response file (X12 355/350 or BorderConnect JSON); statuses change."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ace321.app.errors import AppError
from ace321.app.responses import import_response_file
from ace321.web import views
from ace321.web.security import Clerk, Reader
from ace321.web.templating import render

router = APIRouter()


async def _page(request: Request, user: Reader, status: int = 200, **context: object
                ) -> Response:
    recent = await run_in_threadpool(views.recent_responses, request.app.state.db, user, 100)
    return render(request, "responses.html", {"recent": recent, **context}, status=status)


@router.get("/responses")
async def responses_page(request: Request, user: Reader) -> Response:
    return await _page(request, user)


@router.post("/responses")
async def responses_upload(request: Request, user: Clerk) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, user, 422, error="file: choose a response file to import")
    data = await upload.read()
    name = upload.filename[:500]
    try:
        done = await run_in_threadpool(lambda: import_response_file(
            request.app.state.db, data, name=name, tenant=user.tenant, actor=user.actor,
            now=request.app.state.web_clock()))
    except AppError as error:
        return await _page(request, user, 422, error=f"{name}: nothing imported: "
                                                      f"{error.message}")
    return await _page(request, user, imported=done.document())
