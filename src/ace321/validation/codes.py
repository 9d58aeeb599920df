"""The stable vocabulary of issue codes. A code, once published, keeps its meaning."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks the shipment: decision INVALID
    WARNING = "warning"  # reported, never blocks


ERRORS: dict[str, str] = {
    "MISSING_FIELD": "a required field is empty",
    "INVALID_HTS": "HTS code is not 6 to 10 digits (dots and spaces aside)",
    "UNKNOWN_HTS": "HTS code is not in the tariff schedule given with --hts",
    "INVALID_COUNTRY": "not an ISO 3166-1 alpha-2 country code",
    "INVALID_PHONE": "phone number is not valid for the consignee's country",
    "INVALID_POSTAL_CODE": "postal code does not fit the country's format (US, CA, MX)",
    "INVALID_QUANTITY": "quantity is not a whole number above 0",
    "INVALID_PRICE": "unit price is not a non-negative decimal (at most 4 decimal places)",
    "INVALID_CURRENCY": "not an ISO 4217 currency code",
    "NO_EXCHANGE_RATE": "no exchange rate dated on or before the arrival date",
    "INVALID_DATE": "date is not a real YYYY-MM-DD date within the rules' coverage",
    "INVALID_WEIGHT": "weight is not a decimal above 0, or its unit is not kg or lb",
    "INVALID_FLAG": "a true/false field holds something else",
    "INVALID_HAZMAT_UN": "hazmat UN number is not UN followed by 4 digits",
    "CONFLICTING_SHIPMENT": "one shipment_id with two consignees, arrival dates, gift flags or orders",
    "FORMULA_TEXT": "text sent to CBP starts with =, +, -, @, tab or CR (a spreadsheet formula)",
    # What cannot be stored or filed (``ace321.validation.cells``).
    "CONTROL_CHARACTER": "a NUL or other control character in a cell (refused for storage)",
    "VALUE_TOO_LONG": "longer than the database stores for this field (refused for storage)",
    "TOO_LONG_FOR_ACE": "longer than the ACE manifest takes for this field",
    "TOO_SHORT_FOR_ACE": "shorter than the ACE manifest takes for this field",
    "NOT_ACE_TEXT": "no Latin letter or digit: the ACE manifest carries upper-case ASCII only",
    # Against stored history (``ace321 ingest``, ``ace321 check --db``).
    "DUPLICATE_SHIPMENT": "a stored shipment has this shipment_id with other content",
}

WARNINGS: dict[str, str] = {
    "HTS_NOT_10_DIGIT": "an entry wants the ten-digit statistical HTS code",
    "VAGUE_DESCRIPTION": "description too vague for CBP (gift, goods, merchandise, parts, sample...)",
    "DESCRIPTION_TOO_LONG": "description longer than the 45 characters of the ACE manifest",
    "DUPLICATE_LINE": "the same line appears twice in one shipment",
    "EARLIER_SHIPMENT_AT_RISK": "an already manifested shipment of this person-day can no longer change",
}


def severity(code: str) -> Severity:
    if code in ERRORS:
        return Severity.ERROR
    if code in WARNINGS:
        return Severity.WARNING
    raise KeyError(f"unknown issue code {code!r}")
