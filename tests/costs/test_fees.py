"""Merchandise Processing Fee by fiscal year, and the entry type (rule E2), computed by hand.

Toys (9503.00.00.11, Free) of Canada, so that only the fee varies."""

from __future__ import annotations

import pytest


def _cost(kit, day, price, **line):
    return kit.one([{"hts_code": "9503.00.00.11", "unit_price": price, **line}], day)


@pytest.mark.parametrize(("day", "price", "mpf", "year"), [
    # FY2025: 0.3464% within $32.71..$634.62; informal $2.62.
    ("2025-06-02", "3000.00", "32.71", "FY2025"),     # 10.392 -> minimum
    ("2025-06-02", "50000.00", "173.20", "FY2025"),   # 173.20
    ("2025-06-02", "200000.00", "634.62", "FY2025"),  # 692.80 -> maximum
    ("2025-09-30", "1000.00", "2.62", "FY2025"),
    # FY2026: $33.58..$651.50; informal $2.69.
    ("2025-10-01", "1000.00", "2.69", "FY2026"),
    ("2025-12-01", "3000.00", "33.58", "FY2026"),
    ("2025-12-01", "50000.00", "173.20", "FY2026"),
    ("2025-12-01", "200000.00", "651.50", "FY2026"),
    ("2025-12-01", "188083.14", "651.50", "FY2026"),  # 651.5200 -> maximum
    ("2025-12-01", "9694.00", "33.58", "FY2026"),     # 33.5800 -> exactly the minimum
    ("2025-12-01", "12345.67", "42.77", "FY2026"),    # 42.7654 -> 42.77
])
def test_mpf_by_fiscal_year(costs_kit, day, price, mpf, year):
    cost = _cost(costs_kit, day, price)
    assert cost["mpf_usd"] == mpf and cost["fiscal_year"] == year
    assert cost["entry_type"] == ("01" if float(price) > 2500 else "11")
    assert "MPF_RATE_UNCONFIRMED" not in [w["code"] for w in cost["warnings"]]


def test_mpf_after_the_last_known_year_uses_it_and_warns(costs_kit, helpers):
    cost = _cost(costs_kit, "2026-11-23", "3000.00")
    assert cost["mpf_usd"] == "33.58" and cost["fiscal_year"] == "FY2027"
    assert "MPF_RATE_UNCONFIRMED" in helpers.codes(cost["warnings"])
    informal = _cost(costs_kit, "2026-10-01", "100.00")
    assert informal["mpf_usd"] == "2.69" and "MPF_RATE_UNCONFIRMED" in helpers.codes(informal["warnings"])


def test_mpf_before_the_first_known_year_is_not_estimated(costs_kit, helpers):
    cost = _cost(costs_kit, "2024-09-30", "3000.00")
    assert cost["mpf_usd"] is None and cost["total_usd"] is None
    assert "MPF_RATE_UNKNOWN" in helpers.codes(cost["not_estimated"])


def test_usmca_lines_leave_the_formal_base(costs_kit):
    # $50,000 of toys + $10,000 of T-shirts claimed under USMCA: base $50,000 -> $173.20.
    cost = costs_kit.one([
        {"hts_code": "9503.00.00.11", "unit_price": "50000.00"},
        {"unit_price": "10000.00", "spi": "S"},
    ], "2025-12-01")
    assert cost["entry_type"] == "01" and cost["mpf_usd"] == "173.20" and cost["duty_usd"] == "0.00"


@pytest.mark.parametrize(("day", "entry_type"), [("2025-04-29", "01"), ("2025-04-30", "11")])
def test_chapter99_over_250_is_formal_until_2025_04_30(costs_kit, day, entry_type):
    # 6109.10.00.12 of China (list 4A) worth $1,000: over $250 of Chapter 99 articles.
    cost = costs_kit.one([{"unit_price": "1000.00", "country_of_origin": "CN"}], day)
    assert cost["entry_type"] == entry_type


def test_chapter99_limit_is_inclusive(costs_kit):
    # $250.00 of list-4A T-shirts with $700 of Canadian ones: not over $250 -> informal.
    at_limit = costs_kit.one([{"unit_price": "250.00", "country_of_origin": "CN"},
                              {"unit_price": "700.00"}], "2025-04-29")
    assert at_limit["entry_type"] == "11"
    over = costs_kit.one([{"unit_price": "250.01", "country_of_origin": "CN"},
                          {"unit_price": "700.00"}], "2025-04-29")
    assert over["entry_type"] == "01"


def test_fee_references_keep_their_csms_numbers(costs_kit):
    regime = costs_kit.rules.at(__import__("datetime").date(2025, 6, 2))
    assert "CSMS #61572319" in regime.reference("fees.mpf_informal")
    assert "CSMS #64861116" in costs_kit.rules.at(__import__("datetime").date(2025, 6, 2)).reference(
        "entry.chapter99_formal_limit")
