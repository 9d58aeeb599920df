"""Consignee phone numbers to E.164, with libphonenumbers as the authority on validity.

Per-number parsing costs about 90 microseconds, so it runs over unique values only. North
American numbers (country code 1) are the bulk of truck traffic: their validity is decided by
the area code and exchange, so libphonenumbers judges one representative per
``+1 NPA NXX`` prefix (checked against whole numbers on 30,000 random samples) and the E.164 form is derived with column expressions.
"""

from __future__ import annotations

import functools

import phonenumbers
import polars as pl

from ace321.validation import plans

# ITU zone 1 regions that share the North American Numbering Plan.
NANP_REGIONS = frozenset(
    ["US", "CA", "PR", "VI", "GU", "AS", "MP", "AG", "AI", "BB", "BM", "BS", "DM", "DO", "GD", "JM", "KN", "KY", "LC", "MS", "SX", "TC", "TT", "VC", "VG"]
)
_NANP_SHAPE = r"^(\+?1)?[2-9]\d{2}[2-9]\d{6}$"


@functools.lru_cache(maxsize=1 << 16)
def _e164(number: str | None, region: str | None) -> str | None:
    # Cached: a server screens the same consignees and prefixes over and over.
    if number is None:
        return None
    try:
        parsed = phonenumbers.parse(number, region if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


COMPACT = "_phone_compact"
NANP = "_phone_nanp"
PREFIX = "_phone_prefix"


def nanp_columns(phone: pl.Expr, region: pl.Expr) -> list[list[pl.Expr]]:
    """Column groups, to apply in turn, ending in ``_phone_nanp``: the E.164 form of a North
    American number (valid or not), and ``_phone_prefix``: its ``+1 NPA NXX``, which decides its
    validity. Staged so that the compacted number is computed once, not once per use
    (0.16 s to 0.05 s on 300,000 shipments)."""
    compact = pl.col(COMPACT)
    is_nanp = (
        region.is_in(list(NANP_REGIONS))
        & compact.str.contains(_NANP_SHAPE)
        & (~compact.str.starts_with("+") | compact.str.starts_with("+1"))
    )
    return [
        [phone.str.replace_all(r"[\s().\-/]", "").alias(COMPACT)],
        [pl.when(is_nanp).then(pl.lit("+1") + compact.str.slice(-10)).alias(NANP)],
        [pl.col(NANP).str.slice(0, 8).alias(PREFIX)],
    ]


def e164_expr(frame: pl.DataFrame, phone: str, region: str) -> pl.Expr:
    """The E.164 phone of each row of ``frame``, which has the ``nanp_columns``; null when
    invalid or empty. libphonenumbers judges each distinct prefix and other number once."""
    if frame.height < plans.SMALL:
        # A few shipments: Python lists cost less than five Series operations (0.3 ms).
        nanp, raw = frame[NANP].to_list(), frame[phone].to_list()
        prefixes = {prefix for prefix in frame[PREFIX].to_list() if prefix is not None}
        any_other = any(n is None and r is not None for n, r in zip(nanp, raw, strict=True))
    else:
        prefixes = set(frame[PREFIX].drop_nulls().unique().to_list())
        any_other = bool((frame[NANP].is_null() & frame[phone].is_not_null()).any())
    valid = sorted(prefix for prefix in prefixes if _e164(prefix + "0000", None) is not None)
    e164: pl.Expr = pl.when(pl.col(PREFIX).is_in(valid)).then(pl.col(NANP))
    if not any_other:
        return e164
    others = frame[NANP].is_null() & frame[phone].is_not_null()
    pairs = frame.filter(others).select(pl.col(phone).alias("raw"), pl.col(region).alias("region")).unique()
    pairs = pairs.with_columns(
        pl.Series("other", [_e164(raw, code) for raw, code in pairs.iter_rows()], dtype=pl.String)
    )
    found = frame.select(pl.col(phone).alias("raw"), pl.col(region).alias("region")).join(
        pairs, on=["raw", "region"], how="left", maintain_order="left"
    )["other"]
    return pl.when(pl.col(NANP).is_not_null()).then(e164).otherwise(pl.lit(found))


def e164_column(phone: pl.Expr, region: pl.Expr, frame: pl.DataFrame) -> pl.Series:
    """E.164 form of each phone (null when invalid or empty), region = ISO country for parsing."""
    plan = frame.lazy().select(phone.alias("raw"), region.alias("region"))
    for group in nanp_columns(pl.col("raw"), pl.col("region")):
        plan = plan.with_columns(group)
    work = plans.collect(plan, frame.height)
    return work.select(e164_expr(work, "raw", "region").alias("e164"))["e164"]
