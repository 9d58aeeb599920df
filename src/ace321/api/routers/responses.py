"""``POST /v1/responses``: CBP (X12 355/350) or BorderConnect (ACE_RESPONSE JSON) responses."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ace321.api.deps import DbDep, NowDep, Operator
from ace321.api.problems import app_problem
from ace321.api.responses import problems
from ace321.api.schemas.trips import ResponseImportPublic
from ace321.app.errors import AppError
from ace321.app.responses import import_response_file

router = APIRouter(tags=["responses"])
_BODY = {"required": True, "description": "An X12 interchange (355/350) or BorderConnect "
                                          "ACE_RESPONSE JSON, as received.",
         "content": {"application/edi-x12": {"schema": {"type": "string"}},
                     "text/plain": {"schema": {"type": "string"}},
                     "application/json": {"schema": {"type": "object"}}}}


@router.post("/responses", response_model=ResponseImportPublic,
             responses=problems(401, 403, 409, 413, 422), openapi_extra={"requestBody": _BODY},
             summary="Import CBP responses")
async def import_responses(
    request: Request, caller: Operator, db: DbDep, now: NowDep,
    name: Annotated[str, Query(max_length=500, description="Name to record for the document."
                               )] = "response",
) -> JSONResponse:
    """Store every message and move trips and shipments (accepted, rejected, ...). Messages that
    cannot be applied are counted in `errors`; unknown codes are stored without effect."""
    data = await request.body()
    try:
        imported = await run_in_threadpool(functools.partial(
            import_response_file, db, data, name=name, tenant=caller.tenant, actor=caller.actor,
            now=now))
    except AppError as error:
        raise app_problem(error, prefix=f"{name}: ") from None
    return JSONResponse(imported.document())
