"""``GET /v1/rules``: the regime in force on a day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ace321.api.deps import NowDep, RulesDep, Viewer
from ace321.api.responses import problems
from ace321.api.schemas.rules import RegimePublic
from ace321.api.services import rules as rule_service
from ace321.validation.dates import StrictDate

router = APIRouter(tags=["rules"])


@router.get("/rules", response_model=RegimePublic, responses=problems(401, 422),
            summary="The regime in force on a day")
def get_rules(
    _caller: Viewer, rules: RulesDep, now: NowDep,
    on: Annotated[StrictDate | None, Query(description="The day (YYYY-MM-DD); default today (UTC).",
                                        examples=["2025-06-02"])] = None,
) -> dict[str, object]:
    """Every rule parameter's value in force on `on`, with the day it took effect and its legal
    reference."""
    return rule_service.regime(rules, on or now.date())
