"""Entry planning: one entry per consignee per conveyance (19 CFR 141.51), and the cheaper of
per-consignee entries and one broker-consolidated formal entry (19 CFR 142.17a), by hand.

Toys (9503.00.00.11, Free) of Canada arriving 2025-12-01 (FY2026: informal $2.69, formal
0.3464 % within $33.58..$651.50) unless stated."""

from __future__ import annotations

import pytest

TOY = {"hts_code": "9503.00.00.11"}


def _toys(price, person, shipment_id):
    return {"shipment_id": shipment_id, "person": person, "lines": [{**TOY, "unit_price": price}]}


def test_shipments_of_one_consignee_make_one_entry(planner):
    plan = planner([
        _toys("1000.00", 1, "A1"), _toys("1000.00", 1, "A2"), _toys("1000.00", 1, "A3"),
        _toys("1000.00", 2, "B1"), _toys("1500.00", 2, "B2"),
        _toys("40.00", 3, "C1"),
    ], "2025-12-01")
    (conveyance,) = plan["conveyances"]
    entries = {tuple(e["shipment_ids"]): e for e in conveyance["entries"]}
    assert set(entries) == {("A1", "A2", "A3"), ("B1", "B2"), ("C1",)}
    a = entries[("A1", "A2", "A3")]   # $3,000 > $2,500: formal; 10.39 -> minimum 33.58
    assert (a["entry_type"], a["value_usd"], a["mpf_usd"]) == ("01", "3000.00", "33.58")
    assert [r["code"] for r in a["reasons"]][:2] == ["ONE_ENTRY_PER_CONSIGNEE", "OVER_INFORMAL_LIMIT"]
    b = entries[("B1", "B2")]         # exactly $2,500: informal
    assert (b["entry_type"], b["value_usd"], b["mpf_usd"]) == ("11", "2500.00", "2.69")
    per = conveyance["strategies"][0]
    assert per["name"] == "per_consignee" and per["entries"] == 3
    assert per["mpf_usd"] == "38.96"  # 33.58 + 2.69 + 2.69


@pytest.mark.parametrize(("consignees", "fee", "recommended", "per_total", "consolidated_total"), [
    # fee 0: n x 2.69 against the formal minimum 33.58 ($100 each: 0.3464% of $1,200 = 4.16).
    (12, "0", "per_consignee", "32.28", "33.58"),
    (13, "0", "broker_consolidated", "34.97", "33.58"),
    # fee $5.00 per entry: n x 7.69 against 33.58 + 5.00 = 38.58.
    (5, "5.00", "per_consignee", "38.45", "38.58"),
    (6, "5.00", "broker_consolidated", "46.14", "38.58"),
])
def test_strategy_on_both_sides_of_break_even(planner, consignees, fee, recommended, per_total,
                                              consolidated_total):
    specs = [_toys("100.00", n, f"S{n}") for n in range(consignees)]
    (conveyance,) = planner(specs, "2025-12-01", fee)["conveyances"]
    per, consolidated = conveyance["strategies"]
    assert (per["total_usd"], consolidated["total_usd"]) == (per_total, consolidated_total)
    assert consolidated["entries"] == 1 and consolidated["compliant"]
    assert conveyance["recommended"] == recommended
    assert per_total in conveyance["decided_by"] and consolidated_total in conveyance["decided_by"]


def test_consolidated_mpf_is_capped_at_the_maximum(planner):
    specs = [_toys("2000.00", n, f"S{n}") for n in range(100)]   # $200,000 -> 692.80 -> 651.50
    (conveyance,) = planner(specs, "2025-12-01")["conveyances"]
    assert conveyance["strategies"][1]["mpf_usd"] == "651.50"
    assert conveyance["strategies"][0]["mpf_usd"] == "269.00"


def test_consolidation_needs_ten_digit_codes(planner):
    specs = [_toys("100.00", n, f"S{n}") for n in range(20)]
    specs[0]["lines"][0]["hts_code"] = "9503.00.00"
    (conveyance,) = planner(specs, "2025-12-01")["conveyances"]
    assert not conveyance["strategies"][1]["compliant"]
    assert conveyance["recommended"] == "per_consignee"


@pytest.mark.parametrize(("day", "entry_type"), [("2025-04-29", "01"), ("2025-04-30", "11")])
def test_chapter99_limit_applies_to_the_consignees_entry(planner, day, entry_type):
    # Each shipment: $200 of Chinese list-4A T-shirts + $700 of Canadian ones (informal alone);
    # together $400 of Chapter 99 articles for one consignee: formal before 2025-04-30.
    def shipment(shipment_id):
        return {"shipment_id": shipment_id, "person": 1, "lines": [
            {"unit_price": "200.00", "country_of_origin": "CN"}, {"unit_price": "700.00"}]}
    (conveyance,) = planner([shipment("A"), shipment("B")], day)["conveyances"]
    (entry,) = conveyance["entries"]
    assert entry["entry_type"] == entry_type
    assert ("CH99_OVER_250" in [r["code"] for r in entry["reasons"]]) == (entry_type == "01")


def test_one_conveyance_per_arrival_date(planner):
    specs = [_toys("100.00", 1, "A"), {**_toys("100.00", 1, "B"), "arrival_date": "2025-12-02"}]
    plan = planner(specs, "2025-12-01")
    assert [c["arrival_date"] for c in plan["conveyances"]] == ["2025-12-01", "2025-12-02"]
    assert all(c["trip_number"] is None for c in plan["conveyances"])
