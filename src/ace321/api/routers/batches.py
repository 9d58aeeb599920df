"""``POST /v1/batches`` (upload, screen with history, store) and ``GET /v1/batches/{id}``."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ace321.api.deps import (
    DbDep,
    MetricsDep,
    NowDep,
    Operator,
    RulesDep,
    SettingsDep,
    Viewer,
)
from ace321.api.problems import (
    PROBLEM_MEDIA_TYPE,
    ApiProblem,
    app_problem,
    problem_response,
)
from ace321.api.responses import problems
from ace321.api.schemas.batches import BatchPagePublic, BatchPublic
from ace321.api.schemas.screening import EXAMPLE_SHIPMENT
from ace321.api.services import idempotency
from ace321.api.services.orders import frame_from_json_bytes, order_upload
from ace321.app.batches import list_batches as batch_list
from ace321.app.batches import read_batch
from ace321.app.errors import AppError
from ace321.app.uploads import OrderFile, store_order_file
from ace321.validation.dates import StrictDate

router = APIRouter(tags=["batches"])
_EXAMPLE_CSV = (
    "order_id,shipment_id,arrival_date,shipper_name,shipper_address,shipper_city,shipper_state,"
    "shipper_postal_code,shipper_country,consignee_name,consignee_address,consignee_city,"
    "consignee_state,consignee_postal_code,consignee_country,consignee_phone,description,"
    "quantity,unit_price,currency,country_of_origin,hts_code,weight,weight_unit\n"
    "MF-1,MF-1,2024-06-03,Maple Fulfilment Inc.,2500 Dixie Rd,Mississauga,ON,L4Y 2A1,CA,"
    "Hailey Robinson,152 Bidwell Pkwy,Buffalo,NY,14222,US,716-886-3190,Cotton T-shirt,3,"
    "24.99,USD,CA,6109.10.00.12,0.6,kg\n")
_REQUEST_BODY = {
    "required": True,
    "description": "The order file: canonical order-line CSV (multipart field `file`, or a "
                   "`text/csv` body) or the JSON order input.",
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE_CSV},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "The CSV (or .json) order file."},
                "as_of": {"type": "string", "format": "date",
                          "description": "Arrival date of rows without one."}}}},
        "application/json": {
            "schema": {"anyOf": [
                {"type": "array", "minItems": 1,
                 "items": {"$ref": "#/components/schemas/ShipmentCreate"}},
                {"$ref": "#/components/schemas/ScreenCreate"}]},
            "example": {"shipments": [EXAMPLE_SHIPMENT], "as_of": "2024-06-03"}},
    },
}


def _replay(stored: idempotency.Stored) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if stored.status == 201:
        headers["Location"] = f"/v1/batches/{json.loads(stored.body)['id']}"
    return Response(stored.body, status_code=stored.status, headers=headers,
                    media_type="application/json" if stored.status < 400 else
                    PROBLEM_MEDIA_TYPE)


@router.post("/batches", status_code=201, response_model=BatchPublic,
             responses=problems(401, 403, 409, 413, 415, 422, 503),
             openapi_extra={"requestBody": _REQUEST_BODY}, summary="Upload and store a batch")
async def create_batch(
    request: Request, caller: Operator, db: DbDep, rules: RulesDep, settings: SettingsDep,
    metrics: MetricsDep, now: NowDep,
    name: Annotated[str | None, Query(max_length=500, description="File name to record "
                                                                  "(default: the upload's).")] = None,
    as_of: Annotated[StrictDate | None, Query(description="Arrival date (YYYY-MM-DD) of rows "
                                                       "without one.")] = None,
    idempotency_key: Annotated[str | None, Header(
        description="Makes the upload safe to retry: the same key with the same body returns "
                    "the first response; with another body, 409.")] = None,
) -> Response:
    """Screen the file with the stored history (person-day and order totals include stored
    shipments) and store it in one transaction. Earlier SCREENED shipments whose decision
    becomes stricter are re-screened. Returns the batch with counts, decisions and problems.
    Operators and admins only."""
    kind, data, filename, as_of = await order_upload(request, name, as_of)
    fingerprint = hashlib.sha256(b"\0".join([
        b"POST /v1/batches", kind.encode(), filename.encode(), str(as_of).encode(), data,
    ])).hexdigest()
    if idempotency_key is not None:
        stored = await run_in_threadpool(
            idempotency.begin, db, caller.tenant_id, idempotency_key, fingerprint, now,
            wait_seconds=settings.idempotency_wait_seconds)
        if stored is not None:
            return _replay(stored)
    try:
        try:
            stored = await run_in_threadpool(functools.partial(
                store_order_file, db, OrderFile(data, filename, as_of, kind), rules=rules,
                tenant=caller.tenant, actor=caller.actor, now=now,
                read_json=frame_from_json_bytes, risk_jobs=request.app.state.risk_jobs))
        except AppError as error:
            raise app_problem(error) from None
        document = stored.document()
    except ApiProblem as problem:
        if idempotency_key is not None:
            if problem.status >= 500:
                await run_in_threadpool(idempotency.abandon, db, caller.tenant_id,
                                        idempotency_key)
            else:
                response = problem_response(request, problem.status, problem.detail,
                                            code=problem.code, issues=problem.issues,
                                            title=problem.title)
                await run_in_threadpool(idempotency.finish, db, caller.tenant_id,
                                        idempotency_key, problem.status,
                                        bytes(response.body).decode())
        raise
    except BaseException:
        if idempotency_key is not None:
            await run_in_threadpool(idempotency.abandon, db, caller.tenant_id, idempotency_key)
        raise
    body = json.dumps(document, ensure_ascii=False, default=str)
    if idempotency_key is not None:
        await run_in_threadpool(idempotency.finish, db, caller.tenant_id, idempotency_key, 201,
                                body)
    metrics.count_decisions("batch", document["counts"]["by_decision"])
    return Response(body, status_code=201, media_type="application/json",
                    headers={"Location": f"/v1/batches/{document['id']}"})


@router.get("/batches", response_model=BatchPagePublic, responses=problems(401, 422),
            summary="List stored batches")
def list_batches(
    caller: Viewer, db: DbDep, settings: SettingsDep,
    cursor: Annotated[str | None, Query(
        max_length=2000, description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Page size (default 100).")
                     ] = None,
) -> JSONResponse:
    """The tenant's stored batches, newest first, one page at a time."""
    page = batch_list(db, tenant_pk=caller.tenant_id, cursor=cursor,
                      limit=min(limit or settings.page_size, settings.max_page_size))
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


@router.get("/batches/{batch_id}", response_model=BatchPublic, responses=problems(401, 404),
            summary="A stored batch")
def get_batch(batch_id: str, caller: Viewer, db: DbDep) -> JSONResponse:
    """The batch with its stored shipments, their decisions in effect and their problems."""
    return JSONResponse(read_batch(db, tenant_pk=caller.tenant_id, batch_id=batch_id))
