"""Every check of an order line or of a shipment's first line, as Polars expressions.

A check is a mask (true where the value is wrong), the code it reports, the field path and the
message. The expressions depend only on the rules' coverage start, so they are built once per
rule set and reused by every call: building them costs more than evaluating them on a few lines.

Line checks run on every line; shipment checks run on each shipment's first line ("head"),
since shipment-level fields repeat on every line. Both read working columns made by
``ace321.validation.checks`` (``hts``, ``origin``, ``qty``, ``arrival``, ``phone``...).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl

from ace321.intake import columns
from ace321.validation import codes, formulas, iso_codes

COUNTRIES = list(iso_codes.COUNTRIES)
CURRENCIES = [code for code in iso_codes.CURRENCIES if code not in iso_codes.NOT_MONEY]
DESCRIPTION_LIMIT = 45
TRUE_WORDS = ["true", "yes", "y", "1"]
FALSE_WORDS = ["false", "no", "n", "0"]

# Columns checked on every line; every other column belongs to the shipment.
LINE_LEVEL = frozenset(columns.LINE) | {"is_gift", "adcvd_case", "hazmat_un", "marks",
                                        "hazmat_contact_name", "hazmat_contact_phone"}
# Text that goes to CBP in the filing files, where formula-like text is refused (FORMULA_TEXT);
# ``validation.formulas`` says why and what phones may start with.
TO_CBP_TEXT = (*(c for c in columns.SHIPPER if c != "shipper_country"),
               *(c for c in columns.CONSIGNEE
                 if c not in ("consignee_country", "consignee_phone", "consignee_email")),
               "description", "marks", "hazmat_contact_name")


@dataclass(frozen=True)
class Check:
    code: str
    bad: pl.Expr
    """True where the check fails (never null), named ``mask``."""
    field: pl.Expr
    message: pl.Expr
    mask: str
    """Name of the column the mask is computed into."""
    nulls_in: str | None = None
    """An input column that must have an empty cell somewhere for the check to fail."""
    values_in: str | None = None
    """An input column that must have a value somewhere for the check to fail."""

    @property
    def severity(self) -> str:
        return codes.severity(self.code).value

    def can_fail(self, nulls: dict[str, int], rows: int) -> bool:
        """False when the input's null counts rule failure out: the mask need not be computed
        (most of them on a clean call of a few shipments, where each costs about 10 us)."""
        if self.nulls_in is not None and nulls.get(self.nulls_in, 0) == 0:
            return False
        return not (self.values_in is not None and nulls.get(self.values_in, rows) == rows)


def field_expr(column: str, code: str) -> pl.Expr:
    """The field path of ``column`` for an issue of ``code`` (``lines[2].hts_code``)."""
    return _path(column, code)


def _path(column: str, code: str) -> pl.Expr:
    template = columns.field_path(column)
    if code == "DUPLICATE_LINE":
        # The whole line repeats: the field names the line, not its sku.
        template = "lines[]"
    if template.startswith("lines[]"):
        return pl.format("lines[{}]" + template.removeprefix("lines[]"), pl.col(columns.LINE_INDEX))
    return pl.lit(template)


def _quoted(column: str) -> pl.Expr:
    return pl.format('"{}"', pl.col(column))


@functools.lru_cache(maxsize=8)
def checks(coverage_start: dt.date) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
    """(line checks, shipment checks), each in the order their issues are reported."""
    found: list[tuple[str, str, pl.Expr, pl.Expr, str | None, str | None]] = []

    def add(bad: pl.Expr, code: str, column: str, message: pl.Expr, *, nulls_in: str | None = None,
            values_in: str | None = None) -> None:
        found.append((code, column, bad, message, nulls_in, values_in))

    # Required values.
    for column, path in columns.REQUIRED_VALUES.items():
        source = "_arrival_text" if column == "arrival_date" else column
        message = pl.lit(f"{path.replace('[]', '')} is required")
        if column == "arrival_date":
            message = pl.lit("arrival_date is required: give it in the row or a default arrival date")
        add(pl.col(source).is_null(), "MISSING_FIELD", column, message, nulls_in=column)
    needs_state = pl.col("_shipper_country").is_in(["US", "CA", "MX"])
    add(needs_state & pl.col("shipper_state").is_null(), "MISSING_FIELD", "shipper_state",
        pl.lit("shipper.state is required for a US, Canadian or Mexican shipper"),
        nulls_in="shipper_state")
    needs_state = pl.col("_consignee_country").is_in(["US", "CA", "MX"])
    add(needs_state & pl.col("consignee_state").is_null(), "MISSING_FIELD", "consignee_state",
        pl.lit("consignee.state is required for a US, Canadian or Mexican consignee"),
        nulls_in="consignee_state")

    # Dates.
    add(pl.col("_arrival_text").is_not_null() & pl.col("arrival").is_null(), "INVALID_DATE",
        "arrival_date", pl.format('arrival date "{}" is not a real date in YYYY-MM-DD form',
                                  pl.col("_arrival_text")), values_in="arrival_date")
    add(pl.col("arrival") < pl.lit(coverage_start), "INVALID_DATE", "arrival_date",
        pl.format("arrival date {} is before {}, where these rules start",
                  pl.col("arrival"), pl.lit(coverage_start.isoformat())))

    # Tariff codes (``_hts_unknown`` is false when no schedule is given).
    hts_ok = pl.col("hts").str.contains(r"^\d{6,10}$")
    add(pl.col("hts").is_not_null() & ~hts_ok, "INVALID_HTS", "hts_code",
        pl.format('HTS code "{}" must have 6 to 10 digits (dots and spaces allowed, nothing else)',
                  pl.col("hts_code")), values_in="hts_code")
    add(hts_ok & pl.col("_hts_unknown"), "UNKNOWN_HTS", "hts_code",
        pl.format('HTS code "{}" is not in the tariff schedule given', pl.col("hts_code")),
        values_in="hts_code")

    # Countries.
    for column, upper in (("country_of_origin", "origin"), ("shipper_country", "_shipper_country"),
                          ("consignee_country", "_consignee_country")):
        add(pl.col(upper).is_not_null() & ~pl.col(upper).is_in(COUNTRIES), "INVALID_COUNTRY",
            column, pl.format('"{}" is not an ISO 3166-1 alpha-2 country code', pl.col(column)),
            values_in=column)

    # Postal codes, by country format (``_<party>_postal_bad``, made with the heads).
    for party in ("shipper", "consignee"):
        add(pl.col(f"_{party}_postal_bad"), "INVALID_POSTAL_CODE", f"{party}_postal_code",
            pl.format('"{}" is not a valid postal code for {}', pl.col(f"{party}_postal_code"),
                      pl.col(f"_{party}_country")), values_in=f"{party}_postal_code")

    # Phone (E.164 computed on the shipments' first lines).
    add(pl.col("consignee_phone").is_not_null() & pl.col("phone").is_null(), "INVALID_PHONE",
        "consignee_phone", pl.format('"{}" is not a valid phone number for {}',
                                     pl.col("consignee_phone"),
                                     pl.col("_consignee_country").fill_null("a consignee without a country")),
        values_in="consignee_phone")

    # Quantities, prices, weights.
    add(pl.col("quantity").is_not_null() & ~(pl.col("qty") > 0).fill_null(False), "INVALID_QUANTITY",
        "quantity", pl.format('quantity "{}" must be a whole number above 0', pl.col("quantity")),
        values_in="quantity")
    add(pl.col("unit_price").is_not_null() & pl.col("price").is_null(), "INVALID_PRICE", "unit_price",
        pl.format('unit price "{}" must be a decimal of at least 0 with at most 4 decimal places',
                  pl.col("unit_price")), values_in="unit_price")
    add(pl.col("weight").is_not_null() & ~(pl.col("weight_value") > 0).fill_null(False),
        "INVALID_WEIGHT", "weight", pl.format('weight "{}" must be a decimal above 0', pl.col("weight")),
        values_in="weight")
    add(pl.col("weight_unit").is_not_null() & pl.col("weight_unit_norm").is_null(), "INVALID_WEIGHT",
        "weight_unit", pl.format('weight unit "{}" must be kg or lb', pl.col("weight_unit")),
        values_in="weight_unit")
    add(pl.col("is_gift").is_not_null()
        & ~pl.col("is_gift").str.to_lowercase().is_in(TRUE_WORDS + FALSE_WORDS),
        "INVALID_FLAG", "is_gift", pl.format('is_gift "{}" must be true or false', pl.col("is_gift")),
        values_in="is_gift")
    add(pl.col("hazmat_un").is_not_null() & ~pl.col("hazmat_un").str.contains(r"^(?i:UN)?\s?\d{4}$"),
        "INVALID_HAZMAT_UN", "hazmat_un",
        pl.format('hazmat UN number "{}" must be UN followed by 4 digits', pl.col("hazmat_un")),
        values_in="hazmat_un")

    # Currency and exchange rate.
    currency_ok = pl.col("_currency").is_in(CURRENCIES)
    add(pl.col("currency").is_not_null() & ~currency_ok, "INVALID_CURRENCY", "currency",
        pl.format('"{}" is not an ISO 4217 currency code', pl.col("currency")), values_in="currency")
    add(currency_ok & pl.col("arrival").is_not_null() & pl.col("usd_rate").is_null(),
        "NO_EXCHANGE_RATE", "currency",
        pl.format("no {} to USD rate dated on or before {}", pl.col("_currency"), pl.col("arrival")),
        values_in="currency")

    # Formula injection in what goes to CBP (the phone given with a leading "+" is allowed).
    for column, phone in (*((c, False) for c in TO_CBP_TEXT), ("hazmat_contact_phone", True)):
        add(formulas.formula_expr(column, phone=phone), "FORMULA_TEXT", column,
            pl.format('{} "{}" starts with =, +, -, @, a tab or a line break, which a '
                      "spreadsheet runs as a formula; CBP's files must not carry it: remove or "
                      "reword the start", pl.lit(column),
                      pl.col(column)), values_in=column)

    # Warnings on descriptions and duplicates (``_vague``, ``_first_of_kind``: see checks).
    add(pl.col("_vague"), "VAGUE_DESCRIPTION", "description",
        pl.format('description "{}" is too vague for CBP; say what the goods are and what they are made of',
                  pl.col("description")), values_in="description")
    add(pl.col("description").str.len_chars() > DESCRIPTION_LIMIT, "DESCRIPTION_TOO_LONG", "description",
        pl.format("description has {} characters; the ACE manifest keeps {}",
                  pl.col("description").str.len_chars(), pl.lit(DESCRIPTION_LIMIT)),
        values_in="description")
    add(pl.col(columns.LINE_INDEX) != pl.col("_first_of_kind"), "DUPLICATE_LINE", "sku",
        # Messages count lines from 1, as rows are (field paths index them from 0).
        pl.format("line {} repeats line {} of shipment {} exactly",
                  pl.col(columns.LINE_INDEX) + 1, pl.col("_first_of_kind") + 1,
                  pl.col("shipment_id")))

    line: list[Check] = []
    head: list[Check] = []
    for index, (code, column, bad, message, nulls_in, values_in) in enumerate(found):
        mask = f"_check{index}"
        check = Check(code, bad.fill_null(False).alias(mask), _path(column, code), message, mask,
                      nulls_in, values_in)
        (line if column in LINE_LEVEL else head).append(check)
    return tuple(line), tuple(head)
