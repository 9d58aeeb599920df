"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every error the API returns has ``type``, ``title``, ``status``, ``detail``, ``instance`` and
``issues``: the same ``{code, severity, field, row, message}`` records the CLI reports.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ace321.api.schemas.common import IssuePublic, ProblemPublic
from ace321.app.errors import AppError

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://ace321.dev/problems/"
log = logging.getLogger("ace321.api")


class ApiProblem(Exception):
    """Raised anywhere below a route: becomes a problem response."""

    def __init__(self, status: int, detail: str, *, code: str | None = None,
                 issues: list[dict[str, Any]] | None = None, title: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or _default_code(status)
        self.issues = issues or []
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers


def _default_code(status: int) -> str:
    return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")


def issue(code: str, message: str, *, field: str | None = None, row: int | None = None,
          severity: str = "error") -> dict[str, Any]:
    return {"code": code, "severity": severity, "field": field, "row": row, "message": message}


def problem_response(request: Request | None, status: int, detail: str, *, code: str | None = None,
                     issues: list[dict[str, Any]] | None = None, title: str | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    code = code or _default_code(status)
    body = ProblemPublic(
        type=TYPE_BASE + code.lower().replace("_", "-"),
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=str(request.url.path) if request is not None else None,
        issues=[IssuePublic(**i) for i in (issues or [])],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "shipments", 0, "lines", 1, "quantity")`` -> ``shipments[0].lines[1].quantity``."""
    parts = [p for p in location if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "body"


_SCALAR_TAGS = ("str", "int", "float", "bool")
# Pydantic's phrases for a field that is missing or unknown, in the API's words.
_API_WORDS = {"missing": "required", "extra_forbidden": "not a field of this request"}
_JSON_MEDIA = ("application/json",)


def validation_issues(errors: Any, body: Any, *, in_body: bool = True) -> list[dict[str, Any]]:
    """Pydantic errors as issues with CLI-style field paths (``shipments[0].lines[1].quantity``).

    The shipments body is a list or an object: only the errors of the form sent are kept, and
    the alternatives of a scalar field (text, number, boolean) are reported once.
    """
    found: dict[str, dict[str, Any]] = {}
    for item in errors:
        location = list(item.get("loc", ()))
        if in_body and location[:1] != ["body"] and location[:1] not in (
                ["query"], ["path"], ["header"]):
            location = ["body", *location]
        if len(location) > 1 and location[0] == "body" and isinstance(location[1], str) and (
                location[1].startswith("list[") or location[1] == "ScreenCreate"):
            branch = location[1]
            if isinstance(body, list) != branch.startswith("list["):
                continue  # the error of the form not sent
            location = ["body", *location[2:]]
            if branch.startswith("list["):
                location = ["body", "shipments", *location[1:]]
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "json_invalid":
            reason = (item.get("ctx") or {}).get("error", "malformed")
            position = location[1] if len(location) > 1 else "?"
            where = "body"
            found.setdefault(where, issue("INVALID_JSON", f"body: not valid JSON ({reason} at "
                                          f"character {position})", field=where))
            continue
        if location and location[-1] in _SCALAR_TAGS:
            location = location[:-1]
            message = "Input should be text, a number or a boolean"
        message = _API_WORDS.get(str(item.get("type")), message)
        where = field_path(location)
        found.setdefault(where, issue("INVALID_REQUEST", f"{where}: {message}", field=where))
    if not found:
        return [issue("INVALID_REQUEST", "body: expected a list of shipments or an object "
                      '{"shipments": [...], "as_of": "YYYY-MM-DD"}', field="body")]
    return list(found.values())


def unsupported_media(request: Request, media: str) -> JSONResponse:
    """415 for a body that is not JSON on a route that takes JSON; an order file in CSV is
    pointed to ``POST /v1/batches``, which takes CSV."""
    detail = f"Content-Type {media!r} is not accepted here: send application/json"
    if media in ("text/csv", "application/csv", "text/plain", "multipart/form-data"):
        detail += "; to screen and store an order file in CSV, POST it to /v1/batches"
        if request.url.path == "/v1/screen":
            detail += ("; to screen it without storing, send it here as multipart/form-data "
                       "(field `file`)")
    return problem_response(request, 415, detail, code="UNSUPPORTED_MEDIA_TYPE", issues=[
        issue("UNSUPPORTED_MEDIA_TYPE", detail, field="Content-Type")])


def _missing_body(request: Request) -> list[dict[str, Any]]:
    """A request without a body: one issue per required field of the route's body."""
    route = request.scope.get("route")
    field_info = getattr(getattr(route, "body_field", None), "field_info", None)
    model = getattr(field_info, "annotation", None)
    fields = getattr(model, "model_fields", {})
    required = [name for name, info in fields.items() if info.is_required()]
    if not required:
        return [issue("INVALID_REQUEST", "the request needs a JSON body", field="body")]
    wanted = ", ".join(required)
    return [issue("INVALID_REQUEST", f"{name}: required (the request has no body; send a JSON "
                  f"object with {wanted})", field=name) for name in required]


_APP_STATUS = {"NotFound": 404, "Forbidden": 403, "Refused": 409, "InvalidInput": 422, "Busy": 503,
               "ManifestRefused": 422}


def app_problem(error: AppError, *, prefix: str = "") -> ApiProblem:
    """A workflow's refusal (``ace321.app.errors``) as a problem: not found 404, the role does
    not allow it 403, refused by the
    stored state 409, unusable input 422, busy 503 (retry)."""
    status = next((_APP_STATUS[k.__name__] for k in type(error).__mro__
                   if k.__name__ in _APP_STATUS), 409)
    issues = [issue(p["code"], p["message"], field=p.get("field"), row=p.get("row"),
                    severity=p.get("severity", "error")) for p in error.problems]
    if status == 422 and issues and all(
            p["code"] in ("UNKNOWN_SHIPMENT", "UNKNOWN_BATCH") for p in issues
            if p["severity"] == "error"):
        status = 404  # a manifest refused only for ids the tenant does not have
    return ApiProblem(status, prefix + error.message, code=error.code, issues=issues,
                      headers={"Retry-After": "1"} if status == 503 else None)


def _unparsed_body_cause(request: Request) -> str:
    """Why FastAPI could not parse the body (read and kept on the request by then)."""
    from ace321.intake.json_text import parse_json_bytes

    body = getattr(request, "_body", None)
    if isinstance(body, bytes):
        from ace321.intake.errors import UnusableInput

        try:
            parse_json_bytes(body, "body")
        except UnusableInput as error:
            return error.cause
    return "not valid JSON"


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, error: AppError) -> JSONResponse:
        problem = app_problem(error)
        return problem_response(request, problem.status, problem.detail, code=problem.code,
                                issues=problem.issues, headers=problem.headers)

    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, error: ApiProblem) -> JSONResponse:
        return problem_response(request, error.status, error.detail, code=error.code,
                                issues=error.issues, title=error.title, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        body_errors = [e for e in errors if list(e.get("loc", ()))[:1] == ["body"]]
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if body_errors and media and media not in _JSON_MEDIA and not media.endswith("+json"):
            return unsupported_media(request, media)
        if any(list(e.get("loc", ())) == ["body"] and e.get("type") == "missing"
               for e in body_errors):
            issues = _missing_body(request)
        else:
            issues = validation_issues(errors, getattr(error, "body", None))
        return problem_response(request, 422, issues[0]["message"], code="INVALID_REQUEST",
                                issues=issues)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and error.detail == "There was an error parsing the body":
            # FastAPI's answer to a body json.loads failed on with something else than a
            # syntax error: not UTF-8, nested too deeply, a number too long. Malformed input.
            cause = _unparsed_body_cause(request)
            return problem_response(request, 422, f"body: {cause}", code="INVALID_REQUEST",
                                    issues=[issue("INVALID_JSON", cause, field="body")])
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(
            error.status_code).phrase
        return problem_response(request, error.status_code, detail,
                                headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> JSONResponse:
        from sqlalchemy.exc import DataError

        if isinstance(error, DataError):
            # A value the database refuses (a NUL, an over-long text) that no check caught:
            # the request's fault, and nothing was stored (the transaction rolled back).
            cause = str(error.orig or error).strip().splitlines()[0]
            return problem_response(request, 422, f"a value cannot be stored: {cause}",
                                    code="UNSTORABLE", issues=[issue("UNSTORABLE", cause)])
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # The server drops the connection after an unhandled error: say so, so that a client
        # does not send its next request on a dead keep-alive connection.
        return problem_response(request, 500, "internal error; nothing was changed by this "
                                "request unless its response said so",
                                headers={"Connection": "close"})
