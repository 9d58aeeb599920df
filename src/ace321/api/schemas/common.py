"""Schemas shared by every resource: issues, reasons and problem documents."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_character(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(f"holds a control character (U+{ord(found.group()):04X}) at character "
                         f"{found.start() + 1}: text only")
    return value


PlainText = Annotated[str, AfterValidator(_no_control_character)]
"""Text stored as given (reasons, ids): no NUL or other control character."""


class IssuePublic(BaseModel):
    """A data problem, with the same codes and field paths as the CLI."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "INVALID_HTS", "severity": "error", "field": "lines[0].hts_code", "row": 3,
        "message": 'HTS code "61O9" is not 4 to 10 digits'}]})

    code: str = Field(description="Issue code, e.g. MISSING_FIELD, INVALID_HTS, UNKNOWN_HTS.")
    severity: str = Field(description="`error` (the shipment is INVALID) or `warning`.")
    field: str | None = Field(None, description="Field path, e.g. `lines[0].hts_code`.")
    row: int | None = Field(None, description="1-based data row of the input (CSV rows after the "
                                              "header; JSON lines in order), when one applies.")
    message: str = Field(description="What is wrong, with the values involved.")


class ReasonPublic(BaseModel):
    """One reason of a decision: decisive first."""

    code: str = Field(description="Reason code, e.g. DEMINIMIS_OK, SUSPENDED_GLOBAL, "
                                  "OVER_INFORMAL_LIMIT.")
    message: str = Field(description="The reason with its figures.")
    reference: str | None = Field(None, description="Legal reference of the rule applied.")


class ProblemPublic(BaseModel):
    """An error (RFC 9457 problem details), served as `application/problem+json`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "https://ace321.dev/problems/not-found", "title": "Not Found", "status": 404,
        "detail": "no shipment 'S-1'", "instance": "/v1/shipments/S-1", "issues": []}]})

    type: str = Field(description="URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request.")
    instance: str | None = Field(None, description="The request path.")
    issues: list[IssuePublic] = Field(default_factory=list,
                                      description="Field- or row-level problems, if any.")
