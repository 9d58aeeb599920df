"""Upload orders: screen and store a file (canonical CSV or JSON) and show the batch's result.

The file goes through the readers of the API (``api.services.orders``) and the storage's
``ingest`` (the same one transaction as ``ace321 ingest``): a file that cannot be used stores
nothing and its problems are shown with file, row and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ace321.api.problems import ApiProblem
from ace321.screening.result import DECISION_ORDER
from ace321.storage.lifecycle import STATUSES
from ace321.web import listing
from ace321.web.routes.shipments import page_number, table_context
from ace321.web.security import Clerk, Reader, WebError
from ace321.web.templating import is_htmx, render

router = APIRouter()
MAX_UPLOAD_FILES = 1


@router.get("/upload")
async def upload_form(request: Request, user: Reader) -> Response:
    return render(request, "upload.html", {"arrival": ""})


def _store(request: Request, user: Any, data: bytes, filename: str, as_of: dt.date | None,
           replace_invalid: bool) -> dict[str, Any]:
    from ace321.api.routers.batches import _json_frame
    from ace321.api.services.orders import frame_from_csv
    from ace321.app.errors import AppError
    from ace321.app.ingest import BatchInfo, ingest_batch

    if filename.lower().endswith(".json"):
        frame, as_of = _json_frame(data, as_of)
    else:
        frame = frame_from_csv(data, filename)
    try:
        done = ingest_batch(request.app.state.db, frame, rules=request.app.state.rules,
                            source=BatchInfo(filename, hashlib.sha256(data).hexdigest(),
                                             frame.height),
                            tenant=user.tenant, actor=user.actor,
                            now=request.app.state.web_clock(), as_of=as_of,
                            replace_invalid=replace_invalid)
    except AppError as error:
        raise ApiProblem(422, f"{filename}: nothing stored: {error.message}",
                         code=error.code, issues=error.problems) from None
    return {"batch_id": done.batch_id}


@router.post("/upload")
async def upload_submit(request: Request, user: Clerk) -> Response:
    form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=10)
    upload = form.get("file")
    arrival_text = form.get("arrival_date")
    arrival_text = arrival_text.strip() if isinstance(arrival_text, str) else ""
    replace_invalid = form.get("replace_invalid") == "on"
    problems: list[dict[str, Any]] = []
    as_of = None
    if arrival_text:
        try:
            as_of = dt.date.fromisoformat(arrival_text)
        except ValueError:
            problems.append({"code": "INVALID_DATE", "severity": "error", "row": None,
                             "field": "arrival_date",
                             "message": f"{arrival_text!r} is not a date (YYYY-MM-DD)"})
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems.append({"code": "MISSING_FIELD", "severity": "error", "row": None,
                         "field": "file", "message": "choose an order file to upload"})
    if problems:
        return render(request, "upload.html", {"problems": problems, "arrival": arrival_text},
                      status=422)
    assert isinstance(upload, UploadFile)
    data = await upload.read()
    filename = (upload.filename or "upload.csv")[:500]
    try:
        done = await run_in_threadpool(_store, request, user, data, filename, as_of,
                                       replace_invalid)
    except ApiProblem as problem:
        return render(request, "upload.html", {
            "error": problem.detail, "problems": problem.issues, "arrival": arrival_text,
            "filename": filename}, status=422)
    if done["batch_id"] is None:
        return render(request, "upload.html", {
            "notice": f"{filename}: every shipment of this file is stored already; nothing new "
                      "was stored.", "arrival": arrival_text})
    return RedirectResponse(f"/batches/{done['batch_id']}", status_code=303)


def _batch(request: Request, user: Any, batch_id: str) -> dict[str, Any]:
    from ace321.app.batches import read_batch
    from ace321.app.errors import NotFound

    try:
        return read_batch(request.app.state.db, tenant_pk=user.tenant_id, batch_id=batch_id)
    except NotFound:
        raise WebError(404, f"No batch {batch_id!r} in your tenant.", title="Not found") from None


@router.get("/batches/{batch_id}")
async def batch_page(request: Request, batch_id: str, user: Reader) -> Response:
    batch = await run_in_threadpool(_batch, request, user, batch_id)
    filters = listing.Filters.parse(request.query_params)
    filters.batch = uuid.UUID(batch["id"])
    base = f"/batches/{batch['id']}"
    data = await run_in_threadpool(listing.page, request.app.state.db, user, filters,
                                   page_number(request), request.app.state.web_settings.page_size)
    context = {**table_context(request, filters, data, base), "batch": batch,
               "csv_href": f"{base}/result.csv", "decisions": DECISION_ORDER,
               "statuses": STATUSES}
    if is_htmx(request):
        return render(request, "_shipment_table.html", context)
    return render(request, "batch.html", context)


@router.get("/batches/{batch_id}/result.csv")
async def batch_csv(request: Request, batch_id: str, user: Reader) -> Response:
    batch = await run_in_threadpool(_batch, request, user, batch_id)
    filters = listing.Filters.parse(request.query_params)
    filters.batch = uuid.UUID(batch["id"])
    text = await run_in_threadpool(listing.csv_text, request.app.state.db, user, filters)
    name = batch["name"].rsplit("/", 1)[-1].rsplit(".", 1)[0] or "batch"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{safe}-result.csv"'})
