"""What screening returns, and its JSON document form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.validation import plans
from ace321.vocabulary import Decision

DECISION_ORDER = Decision.values()


def ace_shipment_type(decision: str) -> str | None:
    """The BorderConnect shipment type a decision is filed as; none for INVALID (not fileable)."""
    if decision == "INVALID":
        return None
    return "SECTION 321" if decision == "SECTION_321" else "PAPS"


def ace_shipment_type_expr(decision: pl.Expr) -> pl.Expr:
    """``ace_shipment_type`` over a column of decisions."""
    return (pl.when(decision == "SECTION_321").then(pl.lit("SECTION 321"))
            .when(decision == "INVALID").then(pl.lit(None, pl.String))
            .otherwise(pl.lit("PAPS")))

ISSUE_STRUCT = pl.Struct({"code": pl.String, "severity": pl.String, "field": pl.String,
                          "row": pl.Int64, "message": pl.String})
# Typed line columns kept for what follows screening (manifests, storage).
LINE_COLUMNS = (
    columns.ROW, columns.LINE_INDEX, "arrival", "hts", "origin", "qty", "price", "usd_rate",
    "value_line", "weight_value", "weight_unit_norm", "gift_line", "phone",
)
_NO_ISSUES = pl.lit([], dtype=pl.List(ISSUE_STRUCT))
OUTPUT_COLUMNS = (
    "shipment_id", "order_id", "arrival_date", "consignee_key", "consignee_name", "value_usd",
    "decision", "ace_shipment_type", "reasons", "issues",
)


def decisive(field: str) -> pl.Expr:
    """The ``code`` or ``message`` of what decides a shipment, from its ``reasons`` and
    ``issues`` columns: the first reason; for an INVALID shipment (no reasons) its first error,
    never a warning, which does not block."""
    first_reason = pl.col("reasons").list.first().struct.field(field)
    first_error = pl.col("issues").list.eval(
        pl.element().filter(pl.element().struct.field("severity") == "error")
    ).list.first().struct.field(field)
    return pl.coalesce(first_reason, first_error)


def decisive_of(reasons: list[dict[str, Any]] | None, issues: list[dict[str, Any]] | None
                ) -> dict[str, Any] | None:
    """``decisive`` for one shipment's records: its first reason, else its first error."""
    if reasons:
        return reasons[0]
    return next((i for i in issues or [] if i.get("severity") == "error"), None)


@dataclass(frozen=True)
class ScreeningResult:
    rules_version: str
    disclaimer: str
    shipments: pl.DataFrame
    """One row per shipment, columns ``OUTPUT_COLUMNS`` plus ``value`` (Decimal)."""
    issues: pl.DataFrame
    """Every issue: shipment_id, code, severity, field, row, message."""
    lines: pl.DataFrame
    """The order lines as validated: canonical columns plus typed ones (``LINE_COLUMNS``)."""

    @classmethod
    def build(
        cls, decided: pl.LazyFrame, issues: pl.DataFrame, rules: RuleSet, lines: pl.DataFrame,
        *, rows: int,
    ) -> ScreeningResult:
        """``decided``: the shipments with decisions, ``value_usd`` and reasons (``rows`` of them)."""
        plan = decided
        if issues.height:
            per_shipment = issues.lazy().group_by("shipment_id", maintain_order=True).agg(
                pl.struct("code", "severity", "field", "row", "message").alias("issues")
            )
            plan = plan.join(per_shipment, on="shipment_id", how="left", maintain_order="left")
            listed = pl.col("issues").fill_null(_NO_ISSUES)
        else:
            listed = _NO_ISSUES.alias("issues")
        shipments = plans.collect(plans.select(plan, [
            "shipment_id",
            "order_id",
            pl.col("arrival").alias("arrival_date"),
            "consignee_key",
            "consignee_name",
            pl.col("value"),
            "value_usd",
            "decision",
            ace_shipment_type_expr(pl.col("decision")).alias("ace_shipment_type"),
            "reasons",
            listed,
            pl.col("first_row"),
        ], rows), rows)
        kept = [c for c in (*columns.ALL, *LINE_COLUMNS) if c in lines.columns]
        return cls(rules.version, rules.disclaimer, shipments, issues, lines.select(kept))

    @property
    def invalid_count(self) -> int:
        return int((self.shipments["decision"] == "INVALID").sum())

    def by_decision(self) -> dict[str, int]:
        counts = dict(self.shipments["decision"].value_counts().iter_rows())
        return {decision: int(counts.get(decision, 0)) for decision in DECISION_ORDER}

    def by_code(self) -> dict[str, int]:
        reason_codes = self.shipments.select(
            pl.col("reasons").list.eval(pl.element().struct.field("code")).explode().drop_nulls()
        ).to_series()
        counts = dict(reason_codes.value_counts().iter_rows())
        counts.update(dict(self.issues["code"].value_counts().iter_rows()))
        return {code: int(n) for code, n in sorted(counts.items())}

    def summary(self) -> dict[str, Any]:
        return {"shipments": self.shipments.height, "by_decision": self.by_decision()}

    def records(self) -> list[dict[str, Any]]:
        rows = self.shipments.select(*OUTPUT_COLUMNS).with_columns(
            pl.col("arrival_date").cast(pl.String)
        )
        return rows.drop("consignee_name").to_dicts()

    def to_document(self) -> dict[str, Any]:
        return {
            "rules_version": self.rules_version,
            "summary": self.summary(),
            "shipments": self.records(),
        }
