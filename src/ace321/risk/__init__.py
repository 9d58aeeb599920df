"""Risk signals and scores: what CBP's targeting would question, per shipment, and why.

``score_result(result, model=..., rules=...)`` scores a screening result; ``score_lines`` scores
lines in ``frame.RISK_SCHEMA`` with stored history. The model is dated rule data
(``load_model``). A score is advice and never changes a customs decision.
"""

from __future__ import annotations

import polars as pl

from ace321.risk.frame import RISK_SCHEMA, risk_lines
from ace321.risk.model import RiskModel, load_model
from ace321.risk.score import RiskResult, score_lines
from ace321.rules import RuleSet
from ace321.screening.result import ScreeningResult

__all__ = ["RISK_SCHEMA", "RiskModel", "RiskResult", "facts_of", "load_model", "risk_lines",
           "score_lines", "score_result"]


def facts_of(result: ScreeningResult) -> pl.DataFrame:
    """Issues of the screening that are risk facts (duplicates, earlier shipments at risk)."""
    issues = result.issues
    if not issues.height:
        return pl.DataFrame(schema={"shipment_id": pl.String, "code": pl.String,
                                    "message": pl.String})
    return issues.filter(pl.col("code").is_in(["DUPLICATE_SHIPMENT", "EARLIER_SHIPMENT_AT_RISK"])) \
        .select("shipment_id", "code", "message")


def score_result(result: ScreeningResult, *, model: RiskModel, rules: RuleSet,
                 history: pl.DataFrame | None = None, facts: pl.DataFrame | None = None
                 ) -> RiskResult:
    """Score every shipment of a screening result (and its stored history, if given)."""
    known = facts_of(result)
    if facts is not None and facts.height:
        known = pl.concat([known, facts.select(known.columns)])
    return score_lines(risk_lines(result), model=model, rules=rules, history=history, facts=known)
