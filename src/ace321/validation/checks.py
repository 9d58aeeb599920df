"""Columnar validation of the canonical frame: typed columns out, problems as an issues frame.

Every check is a Polars expression over all lines at once; an issue row is produced for each
line where a check fails, with its code, field path and 1-based input row. Shipment-level fields
(parties, dates) repeat on every line of a shipment, so their issues are reported once, at the
first line that has them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import pycountry

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.validation import codes, phones, plans, postal_codes

ISSUE_SCHEMA = pl.Schema({
    "shipment_id": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "field": pl.String(),
    "row": pl.Int64(),
    "message": pl.String(),
})

MONEY = pl.Decimal(38, 12)
COUNTRIES = sorted(country.alpha_2 for country in pycountry.countries)
# ISO 4217 codes for metals, funds and testing are not money a price can be stated in.
NOT_MONEY = {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX"}
CURRENCIES = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY)
VAGUE_WORDS = ["gift", "gifts", "goods", "merchandise", "parts", "part", "sample", "samples",
               "item", "items", "product", "products", "stuff", "misc", "miscellaneous"]
DESCRIPTION_LIMIT = 45
TRUE_WORDS = ["true", "yes", "y", "1"]
FALSE_WORDS = ["false", "no", "n", "0"]
WEIGHT_UNITS = {"kg": "kg", "kgs": "kg", "lb": "lb", "lbs": "lb"}

# Columns checked on every line; every other column belongs to the shipment.
_LINE_LEVEL = frozenset(columns.LINE) | {"is_gift", "adcvd_case", "hazmat_un", "marks"}
_DECIMAL = r"^\d+(\.\d+)?$"
_PRICE = r"^\d+(\.\d{1,4})?$"


@dataclass(frozen=True)
class Validated:
    """The frame with typed working columns added, and every problem found."""

    lines: pl.DataFrame
    issues: pl.DataFrame


def _path(column: str) -> pl.Expr:
    template = columns.field_path(column)
    if template.startswith("lines[]"):
        return pl.format("lines[{}]" + template.removeprefix("lines[]"), pl.col(columns.LINE_INDEX))
    return pl.lit(template)


def _issue(frame: pl.DataFrame, bad: pl.Expr, code: str, field: pl.Expr, message: pl.Expr) -> pl.DataFrame:
    # Lazy, so that only the columns the issue needs are filtered, not the whole wide frame.
    return plans.collect(frame.lazy().filter(bad).select(
        pl.col("shipment_id"),
        pl.lit(code).alias("code"),
        pl.lit(codes.severity(code).value).alias("severity"),
        field.alias("field"),
        pl.col(columns.ROW).alias("row"),
        message.alias("message"),
    ))


def _quoted(column: str) -> pl.Expr:
    return pl.format('"{}"', pl.col(column))


def validate(
    frame: pl.DataFrame,
    *,
    rules: RuleSet,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts_known: pl.Series | None = None,
) -> Validated:
    frame = frame.with_columns(
        pl.col("shipment_id").fill_null(pl.format("<row {}>", pl.col(columns.ROW)))
    )
    arrival_text = pl.col("arrival_date").fill_null(
        pl.lit(default_arrival.isoformat() if default_arrival else None, dtype=pl.String)
    )
    frame = frame.with_columns(arrival_text.alias("_arrival_text"))
    # Shipment-level fields repeat on every line: they are judged once per shipment, on its
    # first line (CONFLICTING_SHIPMENT reports lines that disagree with it).
    heads = frame.filter(pl.col("shipment_id").is_first_distinct()).select(
        "shipment_id", columns.ROW, columns.LINE_INDEX, "order_id", "_arrival_text",
        *columns.SHIPPER, *columns.CONSIGNEE,
    ).with_columns(
        pl.col("_arrival_text").str.to_date("%Y-%m-%d", strict=False).alias("arrival"),
        pl.col("consignee_country").str.to_uppercase().alias("_consignee_country"),
        pl.col("shipper_country").str.to_uppercase().alias("_shipper_country"),
    )
    heads = heads.with_columns(
        phones.e164_column(pl.col("consignee_phone"), pl.col("_consignee_country"), heads)
        .alias("phone")
    )
    unit = pl.col("weight_unit").str.to_lowercase()
    work = frame.with_columns(
        pl.col("hts_code").str.replace_all(r"[.\s]", "").alias("hts"),
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
        unit.replace_strict(WEIGHT_UNITS, default=None).alias("weight_unit_norm"),
        pl.col("is_gift").str.to_lowercase().is_in(TRUE_WORDS).fill_null(False).alias("gift_line"),
    ).join(
        heads.select("shipment_id", "arrival", "_consignee_country", "_shipper_country", "phone"),
        on="shipment_id", how="left", maintain_order="left",
    )
    # Checks are collected first and their masks computed in one parallel pass at the end;
    # messages are then formatted only for the rows that fail.
    pending: list[tuple[pl.Expr, str, pl.Expr, pl.Expr]] = []
    pending_heads: list[tuple[pl.Expr, str, pl.Expr, pl.Expr]] = []
    conflict_issues: list[pl.DataFrame] = []

    def add(bad: pl.Expr, code: str, column: str, message: pl.Expr) -> None:
        target = pending if column in _LINE_LEVEL else pending_heads
        target.append((bad, code, _path(column), message))

    # Required values.
    for column, path in columns.REQUIRED_VALUES.items():
        source = "_arrival_text" if column == "arrival_date" else column
        message = pl.lit(f"{path.replace('[]', '')} is required")
        if column == "arrival_date":
            message = pl.lit("arrival_date is required: give it in the file or with --arrival")
        add(pl.col(source).is_null(), "MISSING_FIELD", column, message)
    needs_state = pl.col("_shipper_country").is_in(["US", "CA", "MX"])
    add(needs_state & pl.col("shipper_state").is_null(), "MISSING_FIELD", "shipper_state",
        pl.lit("shipper.state is required for a US, Canadian or Mexican shipper"))
    needs_state = pl.col("_consignee_country").is_in(["US", "CA", "MX"])
    add(needs_state & pl.col("consignee_state").is_null(), "MISSING_FIELD", "consignee_state",
        pl.lit("consignee.state is required for a US, Canadian or Mexican consignee"))

    # Dates.
    add(pl.col("_arrival_text").is_not_null() & pl.col("arrival").is_null(), "INVALID_DATE",
        "arrival_date", pl.format('arrival date "{}" is not a real date in YYYY-MM-DD form',
                                  pl.col("_arrival_text")))
    add(pl.col("arrival") < pl.lit(rules.coverage_start), "INVALID_DATE", "arrival_date",
        pl.format("arrival date {} is before {}, where these rules start",
                  pl.col("arrival"), pl.lit(rules.coverage_start.isoformat())))

    # Tariff codes.
    hts_ok = pl.col("hts").str.contains(r"^\d{6,10}$")
    add(pl.col("hts").is_not_null() & ~hts_ok, "INVALID_HTS", "hts_code",
        pl.format('HTS code "{}" must have 6 to 10 digits (dots and spaces allowed, nothing else)',
                  pl.col("hts_code")))
    if hts_known is not None:
        add(hts_ok & ~pl.col("hts").is_in(hts_known.implode()), "UNKNOWN_HTS", "hts_code",
            pl.format('HTS code "{}" is not in the tariff schedule given', pl.col("hts_code")))

    # Countries.
    for column, upper in (("country_of_origin", "origin"), ("shipper_country", "_shipper_country"),
                          ("consignee_country", "_consignee_country")):
        add(pl.col(upper).is_not_null() & ~pl.col(upper).is_in(COUNTRIES), "INVALID_COUNTRY",
            column, pl.format('"{}" is not an ISO 3166-1 alpha-2 country code', pl.col(column)))

    # Postal codes, by country format: judged once per distinct (country, code) pair.
    for party in ("shipper", "consignee"):
        pairs = heads.select(
            pl.col(f"_{party}_country").alias("country"),
            pl.col(f"{party}_postal_code").str.to_uppercase().alias("postal"),
        ).unique()
        bad = pl.lit(False)
        for code, pattern in postal_codes.FORMATS.items():
            bad = bad | ((pl.col("country") == code) & ~pl.col("postal").str.contains(pattern))
        wrong = pairs.filter(pl.col("postal").is_not_null() & bad.fill_null(False))
        heads = heads.with_columns(
            pl.struct(
                pl.col(f"_{party}_country").alias("country"),
                pl.col(f"{party}_postal_code").str.to_uppercase().alias("postal"),
            ).is_in(wrong.select(pl.struct("country", "postal")).to_series().implode())
            .alias(f"_{party}_postal_bad")
        ) if wrong.height else heads.with_columns(pl.lit(False).alias(f"_{party}_postal_bad"))
        add(pl.col(f"_{party}_postal_bad"), "INVALID_POSTAL_CODE", f"{party}_postal_code",
            pl.format('"{}" is not a valid postal code for {}', pl.col(f"{party}_postal_code"),
                      pl.col(f"_{party}_country")))

    # Phone (E.164 computed on the shipments' first lines above).
    add(pl.col("consignee_phone").is_not_null() & pl.col("phone").is_null(), "INVALID_PHONE",
        "consignee_phone", pl.format('"{}" is not a valid phone number for {}',
                                     pl.col("consignee_phone"),
                                     pl.col("_consignee_country").fill_null("a consignee without a country")))

    # Quantities, prices, weights.
    add(pl.col("quantity").is_not_null() & ~(pl.col("qty") > 0).fill_null(False), "INVALID_QUANTITY",
        "quantity", pl.format('quantity "{}" must be a whole number above 0', pl.col("quantity")))
    add(pl.col("unit_price").is_not_null() & pl.col("price").is_null(), "INVALID_PRICE", "unit_price",
        pl.format('unit price "{}" must be a decimal of at least 0 with at most 4 decimal places',
                  pl.col("unit_price")))
    add(pl.col("weight").is_not_null() & ~(pl.col("weight_value") > 0).fill_null(False),
        "INVALID_WEIGHT", "weight", pl.format('weight "{}" must be a decimal above 0', pl.col("weight")))
    add(pl.col("weight_unit").is_not_null() & pl.col("weight_unit_norm").is_null(), "INVALID_WEIGHT",
        "weight_unit", pl.format('weight unit "{}" must be kg or lb', pl.col("weight_unit")))
    add(pl.col("is_gift").is_not_null()
        & ~pl.col("is_gift").str.to_lowercase().is_in(TRUE_WORDS + FALSE_WORDS),
        "INVALID_FLAG", "is_gift", pl.format('is_gift "{}" must be true or false', pl.col("is_gift")))
    add(pl.col("hazmat_un").is_not_null() & ~pl.col("hazmat_un").str.contains(r"^(?i:UN)?\s?\d{4}$"),
        "INVALID_HAZMAT_UN", "hazmat_un",
        pl.format('hazmat UN number "{}" must be UN followed by 4 digits', pl.col("hazmat_un")))

    # Currency and exchange rate.
    currency_ok = pl.col("_currency").is_in(CURRENCIES)
    add(pl.col("currency").is_not_null() & ~currency_ok, "INVALID_CURRENCY", "currency",
        pl.format('"{}" is not an ISO 4217 currency code', pl.col("currency")))
    work = _attach_rates(work, rates)
    add(currency_ok & pl.col("arrival").is_not_null() & pl.col("usd_rate").is_null(),
        "NO_EXCHANGE_RATE", "currency",
        pl.format("no {} to USD rate dated on or before {}", pl.col("_currency"), pl.col("arrival")))

    # Consistency within a shipment.
    work = work.with_columns(
        (pl.col("qty").cast(MONEY) * pl.col("price") * pl.col("usd_rate")).alias("value_line")
    )
    signature = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("consignee_name", "consignee_address",
                                           "consignee_postal_code", "consignee_phone")],
        separator="\x1f",
    )
    shipment_fields = {"consignee": signature, "arrival_date": pl.col("_arrival_text"),
                       "is_gift": pl.col("gift_line"), "order_id": pl.col("order_id")}
    # One window over all fields finds the few conflicting shipments; the per-field report
    # then runs on those shipments' lines only.
    together = pl.struct([expr.alias(name) for name, expr in shipment_fields.items()])
    narrow = work.select("shipment_id", together.alias("_together"))
    conflicted = narrow.filter(pl.len().over("shipment_id") > 1).filter(
        pl.col("_together").ne_missing(pl.col("_together").first().over("shipment_id"))
    )["shipment_id"].unique()
    subset = plans.collect(work.lazy().filter(pl.col("shipment_id").is_in(conflicted.implode())))
    for label, expr in shipment_fields.items():
        differs = expr.ne_missing(expr.first().over("shipment_id"))
        conflict_issues.append(_issue(subset, differs, "CONFLICTING_SHIPMENT", pl.lit(label),
                               pl.format("shipment {} has another {} on this row than on its first line",
                                         pl.col("shipment_id"), pl.lit(label))))

    # Warnings on descriptions and duplicates.
    descriptions = work.select(pl.col("description").unique().drop_nulls()).to_series()
    folded = descriptions.str.to_lowercase().str.replace_all(r"[^a-z]+", " ").str.strip_chars()
    vague = descriptions.filter(folded.is_in(VAGUE_WORDS))
    add(pl.col("description").is_in(vague.implode()), "VAGUE_DESCRIPTION", "description",
        pl.format('description "{}" is too vague for CBP; say what the goods are and what they are made of',
                  pl.col("description")))
    add(pl.col("description").str.len_chars() > DESCRIPTION_LIMIT, "DESCRIPTION_TOO_LONG", "description",
        pl.format("description has {} characters; the ACE manifest keeps {}",
                  pl.col("description").str.len_chars(), pl.lit(DESCRIPTION_LIMIT)))
    line_key = ["shipment_id", "sku", "description", "quantity", "unit_price", "currency", "hts",
                "origin"]
    work = work.with_columns(pl.col(columns.LINE_INDEX).first().over(line_key).alias("_first_of_kind"))
    add(pl.col(columns.LINE_INDEX) != pl.col("_first_of_kind"), "DUPLICATE_LINE", "sku",
        pl.format("line repeats line {} of shipment {} exactly",
                  pl.col("_first_of_kind"), pl.col("shipment_id")))

    issues = [pl.DataFrame(schema=ISSUE_SCHEMA), *conflict_issues]
    for target, checks in ((work, pending), (heads, pending_heads)):
        masks = target.select(
            [bad.fill_null(False).alias(f"_check{i}") for i, (bad, *_rest) in enumerate(checks)]
        )
        for i, (_bad, code, field, message) in enumerate(checks):
            mask = masks[f"_check{i}"]
            if mask.any():
                issues.append(_issue(target.with_columns(mask), pl.col(mask.name), code, field,
                                     message))
    all_issues = pl.concat(issues, how="vertical_relaxed")
    all_issues = all_issues.unique(
        subset=["shipment_id", "code", "field"], keep="first", maintain_order=True
    ).sort(["row"], maintain_order=True)
    # DUPLICATE_LINE's field names the line, not the sku column.
    all_issues = all_issues.with_columns(
        pl.when(pl.col("code") == "DUPLICATE_LINE")
        .then(pl.col("field").str.replace(r"\.sku$", ""))
        .otherwise(pl.col("field"))
        .alias("field")
    )
    return Validated(lines=work, issues=all_issues.cast(ISSUE_SCHEMA))


def _attach_rates(work: pl.DataFrame, rates: pl.DataFrame | None) -> pl.DataFrame:
    usd = pl.col("_currency") == "USD"
    if rates is None or rates.is_empty():
        return work.with_columns(pl.when(usd).then(pl.lit(1, dtype=MONEY)).alias("usd_rate"))
    from ace321.intake.rates import rate_lookup

    pairs = (
        work.filter(~usd & pl.col("arrival").is_not_null() & pl.col("_currency").is_not_null())
        .select(pl.col("_currency").alias("currency"), pl.col("arrival").alias("arrival_date"))
        .unique()
    )
    looked_up = rate_lookup(rates, pairs).select(
        pl.col("currency").alias("_currency"),
        pl.col("arrival_date").alias("arrival"),
        pl.col("usd_per_unit").cast(MONEY).alias("_rate"),
    )
    return work.join(looked_up, on=["_currency", "arrival"], how="left", maintain_order="left").with_columns(
        pl.when(usd).then(pl.lit(1, dtype=MONEY)).otherwise(pl.col("_rate")).alias("usd_rate")
    ).drop("_rate")
