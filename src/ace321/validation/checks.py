"""Columnar validation of the canonical frame: typed columns out, problems as an issues frame.

Every check (see ``catalogue``) is a Polars expression over all lines at once; an issue row is
produced for each line where a check fails, with its code, field path and 1-based input row.
Shipment-level fields (parties, dates) repeat on every line of a shipment, so their issues are
reported once, at the first line ("head") that has them.

The work is a handful of queries whatever the size: the heads (with the few distinct
descriptions), then the typed lines and every mask at once, then one query for the messages of
the checks that failed somewhere. Nothing is formatted for a line that passes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import polars as pl

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.validation import catalogue, cells, codes, dates, phones, plans, postal_codes
from ace321.validation.catalogue import TRUE_WORDS

ISSUE_SCHEMA = pl.Schema({
    "shipment_id": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "field": pl.String(),
    "row": pl.Int64(),
    "message": pl.String(),
})

# Building an empty frame from a schema costs 0.1 ms; clearing this one costs nothing.
NO_ISSUES = pl.DataFrame(schema=ISSUE_SCHEMA)
MONEY = pl.Decimal(38, 12)
VAGUE_WORDS = ["gift", "gifts", "goods", "merchandise", "parts", "part", "sample", "samples",
               "item", "items", "product", "products", "stuff", "misc", "miscellaneous"]
WEIGHT_UNITS = {"kg": "kg", "kgs": "kg", "lb": "lb", "lbs": "lb"}
_DECIMAL = r"^\d+(\.\d+)?$"
_PRICE = r"^\d+(\.\d{1,4})?$"
SHIPMENT = pl.col("shipment_id")
# The shipment's 0-based position in order of first appearance (``SHIPMENT_INDEX``): grouping,
# joining and comparing on it is cheaper than on the id strings (a join of the shipments' first
# lines back onto a million lines: 6 ms against 110 ms).
SHIPMENT_INDEX = "_shipment_index"
_INDEX = pl.col(SHIPMENT_INDEX)
# Fields a shipment's lines must agree on (CONFLICTING_SHIPMENT).
_AGREED = ("consignee_name", "consignee_address", "consignee_postal_code", "consignee_phone",
           "_arrival_text", "gift_line", "order_id")


@dataclass(frozen=True)
class Validated:
    """The frame with typed working columns added, and every problem found."""

    lines: pl.DataFrame
    issues: pl.DataFrame


def _gift_line(flag: pl.Expr) -> pl.Expr:
    return flag.str.to_lowercase().is_in(TRUE_WORDS).fill_null(False)


def _postal_bad(party: str) -> pl.Expr:
    country = pl.col(f"_{party}_country")
    postal = pl.col(f"{party}_postal_code").str.to_uppercase()
    bad = pl.lit(False)
    for code, pattern in postal_codes.FORMATS.items():
        bad = bad | ((country == code) & ~postal.str.contains(pattern))
    return (postal.is_not_null() & bad.fill_null(False)).alias(f"_{party}_postal_bad")


_HEAD_COLUMNS = ("shipment_id", SHIPMENT_INDEX, columns.ROW, columns.LINE_INDEX, "order_id",
                 "_arrival_text", "is_gift", *columns.SHIPPER, *columns.CONSIGNEE)
_HEAD_TYPED = (
    dates.date_expr(pl.col("_arrival_text")).alias("arrival"),
    pl.col("consignee_country").str.to_uppercase().alias("_consignee_country"),
    pl.col("shipper_country").str.to_uppercase().alias("_shipper_country"),
    _gift_line(pl.col("is_gift")).alias("gift_line"),
)
_LINE_TYPED = (
    pl.col("country_of_origin").str.to_uppercase().alias("origin"),
    pl.col("currency").str.to_uppercase().alias("_currency"),
    pl.when(pl.col("quantity").str.contains(r"^\d{1,9}$"))
    .then(pl.col("quantity").cast(pl.Int64, strict=False))
    .alias("qty"),
    pl.when(pl.col("unit_price").str.contains(_PRICE))
    .then(pl.col("unit_price").cast(MONEY, strict=False))
    .alias("price"),
    pl.when(pl.col("weight").str.contains(_DECIMAL))
    .then(pl.col("weight").cast(pl.Decimal(38, 6), strict=False))
    .alias("weight_value"),
    pl.col("weight_unit").str.to_lowercase().replace_strict(WEIGHT_UNITS, default=None)
    .alias("weight_unit_norm"),
    _gift_line(pl.col("is_gift")).alias("gift_line"),
)
_HTS_DIGITS = pl.col("hts_code").str.replace_all(r"[.\s]", "").alias("hts")
_LINE_KEY = [SHIPMENT_INDEX, "sku", "description", "quantity", "unit_price", "currency", "hts",
             "origin"]
_USD = pl.col("_currency") == "USD"
_POSTAL_BAD = [_postal_bad("shipper"), _postal_bad("consignee")]
_VAGUE = pl.col("description").str.to_lowercase().str.replace_all(r"[^a-z]+", " ").str.strip_chars().is_in(
    VAGUE_WORDS
)
_PHONE_PARTS = phones.nanp_columns(pl.col("consignee_phone"), pl.col("_consignee_country"))
_JOINED = [SHIPMENT_INDEX, "arrival", "_consignee_country", "_shipper_country", "phone"]
_HEAD_COPIES = [pl.col(name).alias(f"_h_{name}") for name in _AGREED]
_LINE_DERIVED = [
    (pl.col("qty").cast(MONEY) * pl.col("price") * pl.col("usd_rate")).alias("value_line"),
    pl.col(columns.LINE_INDEX).first().over(_LINE_KEY).alias("_first_of_kind"),
]
# A shipment has a conflict when some line disagrees with its head (the per-field report then
# runs on that shipment's lines). When every shipment's lines are listed together, that is
# when some line disagrees with the line before it in the same shipment, which needs no copy of
# the heads' fields on every line (seven string columns: ~0.1 s and 200 MB on a million lines).
_CONFLICT_WITH_HEAD = pl.any_horizontal(
    pl.col(name).ne_missing(pl.col(f"_h_{name}")) for name in _AGREED
).alias("_conflict")
_CONFLICT_WITH_PREVIOUS = (
    _INDEX.eq_missing(_INDEX.shift(1))
    & pl.any_horizontal(pl.col(name).ne_missing(pl.col(name).shift(1)) for name in _AGREED)
).fill_null(False).alias("_conflict")


def validate(
    frame: pl.DataFrame,
    *,
    rules: RuleSet,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts_known: pl.Series | None = None,
) -> Validated:
    if frame["shipment_id"].null_count():
        frame = frame.with_columns(SHIPMENT.fill_null(pl.format("<row {}>", pl.col(columns.ROW))))
    together = _listed_together(frame["shipment_id"])
    base = _with_shipment_index(frame.lazy(), together).with_columns(
        pl.col("arrival_date").fill_null(
            pl.lit(default_arrival.isoformat() if default_arrival else None, dtype=pl.String)
        ).alias("_arrival_text")
    )
    rows = frame.height
    first_lines = _INDEX.ne_missing(_INDEX.shift(1)) if together else _INDEX.is_first_distinct()
    heads_plan = base.filter(first_lines.fill_null(True)).select(_HEAD_COLUMNS)
    for group in (_HEAD_TYPED, _POSTAL_BAD, *_PHONE_PARTS):
        heads_plan = plans.with_columns(heads_plan, group, rows)
    # The few distinct descriptions are judged vague once each, not once per line.
    descriptions = base.select(pl.col("description").unique().drop_nulls())
    heads, vague = plans.collect_all(
        [heads_plan, descriptions.filter(_VAGUE)], rows
    )
    heads_phoned = heads.lazy().with_columns(
        phones.e164_expr(heads, "consignee_phone", "_consignee_country").alias("phone")
    ).drop(phones.COMPACT, phones.NANP, phones.PREFIX)

    line_checks, head_checks = catalogue.checks(rules.coverage_start)
    nulls = frame.null_count().row(0, named=True)
    line_checks = tuple(check for check in line_checks if check.can_fail(nulls, rows))
    head_checks = tuple(check for check in head_checks if check.can_fail(nulls, rows))
    line_checks += _cell_checks(frame, heads)
    joined = heads_phoned.select(_JOINED if together else [*_JOINED, *_HEAD_COPIES])
    lines = plans.with_columns(base, [*_LINE_TYPED, _hts(frame["hts_code"])], rows).join(
        joined, on=SHIPMENT_INDEX, how="left", maintain_order="left"
    )
    lines = _with_rates(lines, rates, heads["arrival"])
    lines = plans.with_columns(lines, [
        (pl.col("description").is_in(vague["description"].implode()) if vague.height
         else pl.lit(False)).alias("_vague"),
        (~pl.col("hts").is_in(hts_known.implode()) if hts_known is not None
         else pl.lit(False)).alias("_hts_unknown"),
        *_LINE_DERIVED,
        _CONFLICT_WITH_PREVIOUS if together else _CONFLICT_WITH_HEAD,
    ], rows)
    if not together:
        # The heads' copies only serve the conflict test: dropped before the masks.
        lines = lines.drop(*(f"_h_{name}" for name in _AGREED))
    lines = plans.with_columns(lines, [check.bad for check in line_checks], rows)
    heads_checked = plans.with_columns(heads_phoned, [check.bad for check in head_checks], rows)
    lines_frame, heads_frame = plans.collect_all([lines, heads_checked], rows)

    issues = _conflicts(lines_frame)
    failed = [(lines_frame, check) for check in _failing(lines_frame, line_checks)]
    failed += [(heads_frame, check) for check in _failing(heads_frame, head_checks)]
    if failed:
        issues.append(plans.collect(pl.concat(
            [_issue_plan(target, check.mask, check.code, check.severity, check.field, check.message)
             for target, check in failed],
            how="vertical_relaxed",
        ), rows))
    work = lines_frame.drop(
        *(check.mask for check in line_checks), "_vague", "_hts_unknown", "_conflict"
    )
    return Validated(lines=work, issues=_tidy(issues))


# Columns the cell scan reads on every line; the parties and ids are read on the heads.
_SCANNED_ON_LINES = frozenset(columns.ALL) - {*columns.SHIPPER, *columns.CONSIGNEE, "order_id",
                                              "shipment_id"}


def _cell_checks(frame: pl.DataFrame, heads: pl.DataFrame) -> tuple[catalogue.Check, ...]:
    """Control characters, lengths and ACE's character set (``cells``): only the columns
    where the scan found something get a mask, run on every line."""
    found = []
    for index, finding in enumerate(cells.scan(frame, heads, _SCANNED_ON_LINES)):
        mask = f"_cell{index}"
        found.append(catalogue.Check(
            finding.code, finding.bad.fill_null(False).alias(mask),
            catalogue.field_expr(finding.column, finding.code), finding.message, mask))
    return tuple(found)


def _with_shipment_index(lines: pl.LazyFrame, together: bool) -> pl.LazyFrame:
    """``SHIPMENT_INDEX`` on every line: counted from the runs' starts when each shipment's
    lines are listed together (and then sorted), else from each id's first line."""
    if together:
        starts = SHIPMENT.ne_missing(SHIPMENT.shift(1)).fill_null(True)
        return lines.with_columns(
            (starts.cum_sum() - 1).cast(pl.UInt32).set_sorted().alias(SHIPMENT_INDEX)
        )
    first = SHIPMENT.is_first_distinct()
    return lines.with_columns(
        pl.when(first).then(first.cum_sum() - 1).cast(pl.UInt32).alias(SHIPMENT_INDEX)
    ).with_columns(_INDEX.first().over("shipment_id").alias(SHIPMENT_INDEX))


def _listed_together(shipment_ids: pl.Series) -> bool:
    """Whether each shipment's lines form one run: as many runs as distinct ids."""
    if shipment_ids.is_empty():
        return True
    if shipment_ids.len() < plans.SMALL:
        # A few lines: plain Python (2 us) costs less than three Series operations (0.1 ms).
        ids = shipment_ids.to_list()
        return 1 + sum(a != b for a, b in itertools.pairwise(ids)) == len(set(ids))
    runs = 1 + int(shipment_ids.ne_missing(shipment_ids.shift(1)).slice(1).sum())
    return runs == shipment_ids.n_unique()


def _hts(codes: pl.Series) -> pl.Expr:
    """HTS digits without dots and spaces. A large file has a few thousand distinct codes over
    a million lines: they are worked out once per code (0.12 s for the pattern on every line,
    0.03 s so); on a few lines the pattern is cheaper than building the map."""
    if codes.len() < plans.SMALL:
        return _HTS_DIGITS
    distinct = codes.unique().drop_nulls()
    return pl.col("hts_code").replace_strict(
        distinct, distinct.str.replace_all(r"[.\s]", ""), default=None, return_dtype=pl.String
    ).alias("hts")


def _with_rates(lines: pl.LazyFrame, rates: pl.DataFrame | None, arrivals: pl.Series) -> pl.LazyFrame:
    one = pl.lit(1, dtype=MONEY)
    if rates is None or rates.is_empty():
        return lines.with_columns(pl.when(_USD).then(one).alias("usd_rate"))
    from ace321.intake.rates import rate_lookup

    # Every currency of the rates file on every arrival date: a handful of look-ups, and a
    # currency the file does not know finds nothing, as it should.
    pairs = rates.select(pl.col("currency").unique()).join(
        arrivals.drop_nulls().unique().rename("arrival_date").to_frame(), how="cross"
    )
    looked_up = rate_lookup(rates, pairs).select(
        pl.col("currency").alias("_currency"),
        pl.col("arrival_date").alias("arrival"),
        pl.col("usd_per_unit").cast(MONEY).alias("_rate"),
    )
    return lines.join(
        looked_up.lazy(), on=["_currency", "arrival"], how="left", maintain_order="left"
    ).with_columns(pl.when(_USD).then(one).otherwise(pl.col("_rate")).alias("usd_rate")).drop("_rate")


def _failing(frame: pl.DataFrame, checks: tuple[catalogue.Check, ...]) -> list[catalogue.Check]:
    return [check for check in checks if frame[check.mask].any()]


def _issue_plan(
    frame: pl.DataFrame, mask: str, code: str, severity: str, field: pl.Expr, message: pl.Expr
) -> pl.LazyFrame:
    return frame.lazy().filter(pl.col(mask)).select(
        SHIPMENT,
        pl.lit(code).alias("code"),
        pl.lit(severity).alias("severity"),
        field.alias("field"),
        pl.col(columns.ROW).alias("row"),
        message.alias("message"),
    )


def _conflicts(lines: pl.DataFrame) -> list[pl.DataFrame]:
    """CONFLICTING_SHIPMENT per field, on the lines of the few shipments that have one."""
    if not lines["_conflict"].any():
        return []
    conflicted = lines.filter(pl.col("_conflict"))["shipment_id"].unique()
    subset = lines.filter(SHIPMENT.is_in(conflicted.implode()))
    signature = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("consignee_name", "consignee_address",
                                           "consignee_postal_code", "consignee_phone")],
        separator="\x1f",
    )
    shipment_fields = {"consignee": signature, "arrival_date": pl.col("_arrival_text"),
                       "is_gift": pl.col("gift_line"), "order_id": pl.col("order_id")}
    severity = codes.severity("CONFLICTING_SHIPMENT").value
    subset = subset.with_columns(
        expr.ne_missing(expr.first().over("shipment_id")).alias(f"_differs_{label}")
        for label, expr in shipment_fields.items()
    )
    return [plans.collect(pl.concat([
        _issue_plan(subset, f"_differs_{label}", "CONFLICTING_SHIPMENT", severity, pl.lit(label),
                    pl.format("shipment {} has another {} on this row than on its first line",
                              SHIPMENT, pl.lit(label)))
        for label in shipment_fields
    ]), subset.height)]


def _tidy(issues: list[pl.DataFrame]) -> pl.DataFrame:
    """One issue per shipment, code and field (the first found), in input row order."""
    if not issues:
        return NO_ISSUES.clear()
    all_issues = pl.concat(issues, how="vertical_relaxed")
    return all_issues.unique(
        subset=["shipment_id", "code", "field"], keep="first", maintain_order=True
    ).sort(["row"], maintain_order=True).cast(ISSUE_SCHEMA)
