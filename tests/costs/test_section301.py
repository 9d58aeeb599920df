"""Section 301 and 122 on both sides of their dates, by hand: duty = General rate + measure.

Each shipment is one $1,000.00 line of Chinese origin (over the $800 de minimis threshold)."""

from __future__ import annotations

import pytest


def _cost(kit, hts, day, origin="CN", **line):
    return kit.one([{"hts_code": hts, "unit_price": "1000.00", "country_of_origin": origin, **line}], day)


@pytest.mark.parametrize(("hts", "day", "duty", "heading"), [
    # List 1, 8485.90.10.00 General 3.1% ($31.00); +25% from 2018-07-06.
    ("8485.90.10.00", "2018-07-05", "31.00", None),
    ("8485.90.10.00", "2018-07-06", "281.00", "9903.88.01"),
    # List 2 (also on 3 and 4B), 3904.61.00.10 General 5.8% ($58.00); +25% from 2018-08-23.
    ("3904.61.00.10", "2018-08-22", "58.00", None),
    ("3904.61.00.10", "2018-08-23", "308.00", "9903.88.02"),
    # List 3 only, 5208.32.10.00 General 3% ($30.00); +10% from 2018-09-24, +25% from 2019-05-10.
    ("5208.32.10.00", "2018-09-23", "30.00", None),
    ("5208.32.10.00", "2018-09-24", "130.00", "9903.88.03"),
    ("5208.32.10.00", "2019-05-09", "130.00", "9903.88.03"),
    ("5208.32.10.00", "2019-05-10", "280.00", "9903.88.03"),
    # List 4A, 6109.10.00.12 General 16.5% ($165.00); +15% from 2019-09-01, +7.5% from 2020-02-14.
    ("6109.10.00.12", "2019-08-31", "165.00", None),
    ("6109.10.00.12", "2019-09-01", "315.00", "9903.88.15"),
    ("6109.10.00.12", "2020-02-13", "315.00", "9903.88.15"),
    ("6109.10.00.12", "2020-02-14", "240.00", "9903.88.15"),
    # 2024 review, 8703.70.00.10 General 2.5% ($25.00); +100% from 2024-09-27.
    ("8703.70.00.10", "2024-09-26", "25.00", None),
    ("8703.70.00.10", "2024-09-27", "1025.00", "9903.91.03"),
    # 2024 review only, 8541.30.00.40 Free; +50% from 2025-01-01.
    ("8541.30.00.40", "2024-12-31", "0.00", None),
    ("8541.30.00.40", "2025-01-01", "500.00", "9903.91.05"),
])
def test_section301_dates(costs_kit, hts, day, duty, heading):
    cost = _cost(costs_kit, hts, day)
    measures = cost["lines"][0]["measures"]
    assert cost["duty_usd"] == duty
    assert [m["heading"] for m in measures] == ([heading] if heading else [])
    codes = [item["code"] for item in cost["not_estimated"]]
    assert ("SECTION_301_EXCLUSIONS_NOT_CHECKED" in codes) == bool(heading)


def test_review_rate_replaces_older_list(costs_kit, helpers):
    # 8541.21.00.40 (Free) is on list 3 (25%) and on 9903.91.05 (50% from 2025-01-01).
    before = _cost(costs_kit, "8541.21.00.40", "2024-12-31")
    assert before["duty_usd"] == "250.00"
    after = _cost(costs_kit, "8541.21.00.40", "2025-01-01")
    assert after["duty_usd"] == "500.00"  # replaced, not 750.00
    assert [m["heading"] for m in after["lines"][0]["measures"]] == ["9903.91.05"]
    assert "SECTION_301_REVIEW_REPLACES_LIST" in helpers.codes(after["warnings"])


def test_several_older_lists_apply_once(costs_kit, helpers):
    # 3904.61.00.10 on lists 2 (25%) and 3 (10% on 2018-09-24): one measure, the higher rate.
    cost = _cost(costs_kit, "3904.61.00.10", "2018-09-24")
    assert cost["duty_usd"] == "308.00"
    assert "SECTION_301_SEVERAL_LISTS" in helpers.codes(cost["warnings"])


def test_list_4b_never_applied(costs_kit, helpers):
    # 0304.75.10.00 is only on list 4B (Free General): no additional duty on any date.
    for day in ("2019-12-15", "2022-06-01", "2026-11-23"):
        cost = _cost(costs_kit, "0304.75.10.00", day, weight="10")
        assert cost["duty_usd"] == "0.00" and cost["lines"][0]["measures"] == []
        assert "SECTION_301_EXCLUSIONS_NOT_CHECKED" not in helpers.codes(cost["not_estimated"])


def test_hong_kong_is_not_china(costs_kit):
    cost = _cost(costs_kit, "6109.10.00.12", "2020-02-14", origin="HK")
    assert cost["duty_usd"] == "165.00" and cost["lines"][0]["measures"] == []


@pytest.mark.parametrize(("day", "duty"), [
    ("2026-02-23", "165.00"), ("2026-02-24", "265.00"), ("2026-07-23", "265.00"), ("2026-07-24", "165.00"),
])
def test_section122_dates(costs_kit, day, duty):
    # 6109.10.00.12 of Canada, not claimed under USMCA: 16.5% + 10% while Section 122 is in force.
    assert _cost(costs_kit, "6109.10.00.12", day, origin="CA")["duty_usd"] == duty


def test_section122_spares_usmca_claims_and_232_goods(costs_kit):
    claimed = _cost(costs_kit, "6109.10.00.12", "2026-03-02", origin="CA", spi="S")
    assert claimed["duty_usd"] == "0.00" and claimed["lines"][0]["measures"] == []
    steel = _cost(costs_kit, "7318.16.00.85", "2026-03-02", origin="CA", weight="1")
    assert steel["lines"][0]["measures"] == []


def test_chinese_goods_pay_301_and_122(costs_kit):
    # 6109.10.00.12 of China on 2026-03-02: 16.5% + 10% (122) + 7.5% (4A) = $340.00.
    cost = _cost(costs_kit, "6109.10.00.12", "2026-03-02")
    assert cost["duty_usd"] == "340.00"
    assert sorted(m["code"] for m in cost["lines"][0]["measures"]) == ["SECTION_122", "SECTION_301"]
