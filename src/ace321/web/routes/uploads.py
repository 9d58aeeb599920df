"""Upload orders: screen and store a file (canonical CSV, Shopify export or JSON) and show the
batch's result.

The file goes through ``ace321.app.uploads.store_order_file``, as ``POST /v1/batches``: the
tenant's Shopify settings and exchange rates (set on the Admin page or through the API), one
transaction. A file that cannot be used stores nothing; its problems show file, row and field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ace321.api.problems import ApiProblem, app_problem
from ace321.app.errors import AppError
from ace321.app.settings import get_rates, get_shopify_settings
from ace321.app.uploads import OrderFile, store_order_file
from ace321.screening.result import DECISION_ORDER
from ace321.storage.lifecycle import STATUSES
from ace321.web import listing
from ace321.web.routes.shipments import page_number, table_context
from ace321.web.security import Clerk, Reader, WebError
from ace321.web.templating import is_htmx, render

router = APIRouter()
MAX_UPLOAD_FILES = 1


async def _form(request: Request, user: Any, context: dict[str, Any], status: int = 200
                ) -> Response:
    """The upload page, with the tenant's Shopify settings and exchange rates the file will be
    read and screened with."""
    db = request.app.state.db
    shopify, rates = await run_in_threadpool(
        lambda: (get_shopify_settings(db, tenant=user.tenant), get_rates(db, tenant=user.tenant)))
    return render(request, "upload.html", {"shopify": shopify, "rates": rates, **context},
                  status=status)


@router.get("/upload")
async def upload_form(request: Request, user: Reader) -> Response:
    return await _form(request, user, {"arrival": ""})


def _store(request: Request, user: Any, upload: OrderFile, replace_invalid: bool
           ) -> str | None:
    """The batch id (None when every shipment was stored already): ``POST /v1/batches``'s
    workflow, with the tenant's Shopify settings and exchange rates."""
    from ace321.api.services.orders import frame_from_json_bytes

    try:
        done = store_order_file(request.app.state.db, upload, rules=request.app.state.rules,
                                tenant=user.tenant, actor=user.actor,
                                now=request.app.state.web_clock(),
                                replace_invalid=replace_invalid,
                                read_json=frame_from_json_bytes,
                                risk_jobs=request.app.state.risk_jobs)
    except AppError as error:
        raise app_problem(error) from None
    return done.batch_id


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
        return await _form(request, user, {"problems": problems, "arrival": arrival_text},
                           status=422)
    assert isinstance(upload, UploadFile)
    data = await upload.read()
    filename = (upload.filename or "upload.csv")[:500]
    try:
        batch_id = await run_in_threadpool(_store, request, user,
                                           OrderFile(data, filename, as_of), replace_invalid)
    except ApiProblem as problem:
        return await _form(request, user, {
            "error": problem.detail, "problems": problem.issues, "arrival": arrival_text,
            "filename": filename}, status=422)
    if batch_id is None:
        return await _form(request, user, {
            "notice": f"{filename}: every shipment of this file is stored already; nothing new "
                      "was stored.", "arrival": arrival_text})
    return RedirectResponse(f"/batches/{batch_id}", status_code=303)


def _batch(request: Request, user: Any, batch_id: str) -> dict[str, Any]:
    from ace321.app.batches import batch_overview
    from ace321.app.errors import NotFound

    try:
        return batch_overview(request.app.state.db, tenant_pk=user.tenant_id,
                              batch_id=batch_id)
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
               "statuses": STATUSES,
               "risk_pending": request.app.state.risk_jobs.pending(batch["id"])}
    if is_htmx(request):
        return render(request, "_shipment_table.html", context)
    return render(request, "batch.html", context)


@router.get("/batches/{batch_id}/risk-status")
async def batch_risk_status(request: Request, batch_id: str, user: Reader) -> Response:
    """Polled by the batch page while its risk scores are computed; once they are stored, htmx
    reloads the page (``HX-Refresh``) so the table shows them."""
    batch = await run_in_threadpool(_batch, request, user, batch_id)
    if request.app.state.risk_jobs.pending(batch["id"]):
        return render(request, "_risk_pending.html", {"batch": batch})
    return Response("", headers={"HX-Refresh": "true"})


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
