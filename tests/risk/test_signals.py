"""Every signal on both sides of its thresholds (the model's values in risk/data)."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from risk_builders import AFTER, DAY, codes, line


def priced(n: int, *, unit: float = 20.0, kg: float = 0.2, **fields) -> list[dict]:
    rng = random.Random(n)
    return [line(f"H{i:03d}", unit_usd=round(unit * rng.uniform(0.9, 1.1), 2), kg=kg, **fields)
            for i in range(n)]


# UNDERVALUED: at most a third of the median, robust z <= -3, at least 20 shipments.
@pytest.mark.parametrize(("unit", "history", "fires"), [
    (5.0, 25, True),     # a quarter of the median
    (8.0, 25, False),    # 40 % of the median: cheap, not implausible
    (5.0, 15, False),    # too few shipments of the product or heading to say
])
def test_undervalued(score, unit, history, fires) -> None:
    scored = score([line("NEW", unit_usd=unit)], history=priced(history))
    assert ("UNDERVALUED" in codes(scored, "NEW")) is fires
    if fires:
        message = scored["NEW"]["signals"][0]["message"]
        assert message.startswith("$5.00 a unit against a median of $")
        assert "over 26 shipments of sku TEE-1 (HTS 6109.10)" in message


def test_undervalued_falls_back_to_the_heading_without_the_product(score) -> None:
    history = priced(25)
    scored = score([line("NEW", unit_usd=4.0, sku="OTHER-9")], history=history)
    message = scored["NEW"]["signals"][0]["message"]
    assert "shipments of HTS 6109.10 from CA" in message


# VALUE_WEIGHT_OUTLIER: four times off the median value per kilogram, either way.
@pytest.mark.parametrize(("kg", "fires"), [(2.0, True), (0.6, False), (0.04, True), (0.1, False)])
def test_value_weight(score, kg, fires) -> None:
    scored = score([line("NEW", kg=kg)], history=priced(25))
    assert ("VALUE_WEIGHT_OUTLIER" in codes(scored, "NEW")) is fires


# STRUCTURING: three shipments of one person within 30 days just below a threshold in force.
def near(n: int, value: float, *, day: dt.date = DAY, spread: int = 9, gift: bool = False) -> list:
    return [line(f"N{i}", person="ann|14201", arrival=day + dt.timedelta(days=spread * i),
                 unit_usd=value - i, is_gift=gift) for i in range(n)]


def test_structuring_three_just_below_de_minimis(score) -> None:
    scored = score(near(3, 790.0))
    assert all("STRUCTURING" in codes(scored, s) for s in scored)
    assert "$800.00 de minimis threshold ($788.00 to $790.00)" in scored["N0"]["signals"][0]["message"]


@pytest.mark.parametrize("rows", [
    near(2, 790.0),                # twice is not a pattern
    near(3, 700.0),                # 12 % below: not "just" below
    near(3, 790.0, day=AFTER),     # de minimis suspended: $800 is no threshold any more
    near(3, 790.0, spread=40),     # 40 days apart: outside the 30-day window
])
def test_structuring_below_its_thresholds(score, rows) -> None:
    scored = score(rows)
    assert not any("STRUCTURING" in codes(scored, s) for s in scored)


def test_structuring_informal_limit_after_the_suspension(score) -> None:
    scored = score(near(3, 2490.0, day=AFTER))
    assert "informal-entry threshold" in scored["N0"]["signals"][0]["message"]


def test_structuring_gift_limit_only_for_gifts(score) -> None:
    assert "STRUCTURING" in codes(score(near(3, 99.0, gift=True)), "N0")
    assert "STRUCTURING" not in codes(score(near(3, 99.0)), "N0")


@pytest.mark.parametrize(("days", "values", "fires"), [
    ((0, 2), (500.0, 500.0), True),    # each under $800, together $1,000, on two days
    ((0, 0), (500.0, 500.0), False),   # the same day: screening's split-lot rule already applies
    ((0, 2), (300.0, 300.0), False),   # together under $800: nothing to avoid
])
def test_structuring_lots_on_different_days(score, days, values, fires) -> None:
    rows = [line(f"L{i}", order_id="ORD-1", arrival=DAY + dt.timedelta(days=d), unit_usd=v)
            for i, (d, v) in enumerate(zip(days, values, strict=True))]
    assert ("STRUCTURING" in codes(score(rows), "L0")) is fires


# RESHIPPER_ADDRESS: five different persons at one street address within 30 days.
def hub(n: int, spread: int = 3) -> list:
    return [line(f"R{i}", person=f"name{i}|97230", address="100 commerce pkwy|97230",
                 arrival=DAY + dt.timedelta(days=spread * i)) for i in range(n)]


@pytest.mark.parametrize(("rows", "fires"), [(hub(5), True), (hub(4), False), (hub(5, 20), False)])
def test_reshipper(score, rows, fires) -> None:
    assert ("RESHIPPER_ADDRESS" in codes(score(rows), "R0")) is fires


def test_suites_of_one_street_address_are_one_address() -> None:
    from ace321.risk.frame import address_key

    keys = pl.DataFrame({"a": ["100 Commerce Parkway, Suite 101", "100 commerce pkwy ste 202",
                               "100 Commerce Pkwy #7"], "z": ["97230", "97230-1234", "97230"]}) \
        .select(address_key(pl.col("a"), pl.col("z"))).to_series().to_list()
    assert keys == ["100 commerce pkwy|97230"] * 3


# CONSIGNEE_VELOCITY: eight shipments to one person within 7 days either side.
@pytest.mark.parametrize(("n", "fires"), [(8, True), (7, False)])
def test_velocity(score, n, fires) -> None:
    rows = [line(f"V{i}", person="bob|14201", arrival=DAY + dt.timedelta(days=i % 5))
            for i in range(n)]
    assert ("CONSIGNEE_VELOCITY" in codes(score(rows), "V0")) is fires


# ORIGIN_INCONSISTENT: the same SKU usually from elsewhere (3 others, 70 %).
@pytest.mark.parametrize(("others", "usual", "weight"), [
    (3, "CN", 40),   # a Chinese-origin history weighs more
    (3, "CA", 25),
    (2, "CN", None),  # too little evidence
])
def test_origin(score, others, usual, weight) -> None:
    history = [line(f"O{i}", origin=usual) for i in range(others)]
    scored = score([line("NEW", origin="VN")], history=history)
    found = [s for s in scored["NEW"]["signals"] if s["code"] == "ORIGIN_INCONSISTENT"]
    assert (found[0]["weight"] if found else None) == weight


def test_origin_without_sku_uses_description_and_code(score) -> None:
    history = [line(f"O{i}", origin="CN", sku=None) for i in range(4)]
    scored = score([line("NEW", origin="MY", sku=None)], history=history)
    assert "ORIGIN_INCONSISTENT" in codes(scored, "NEW")


# VAGUE_DESCRIPTION and HTS_DESCRIPTION_MISMATCH.
@pytest.mark.parametrize(("description", "fires"), [
    ("Gift", True), ("Daily necessities", True), ("ACCESSORIES", True), ("Consolidated", True),
    ("Freight of all kinds", True), ("x", True), ("Men's cotton crew neck T-shirt", False),
    ("Cotton gift bag", False), ("Auto parts", True), ("Brake pads for cars", False),
])
def test_vague(score, description, fires) -> None:
    scored = score([line("NEW", description=description)])
    assert ("VAGUE_DESCRIPTION" in codes(scored, "NEW")) is fires


@pytest.mark.parametrize(("description", "hts", "fires"), [
    ("Men's cotton crew neck T-shirt", "9102122000", True),   # a T-shirt under wrist watches
    ("Men's cotton crew neck T-shirt", "6109100012", False),
    ("Ceramic coffee mug", "6109100012", True),
    ("Ceramic coffee mug", "6912004400", False),
    ("Yoga mat", "4820102010", False),                        # one word: too thin to say
])
def test_mismatch(score, description, hts, fires) -> None:
    scored = score([line("NEW", description=description, hts=hts)])
    assert ("HTS_DESCRIPTION_MISMATCH" in codes(scored, "NEW")) is fires


def test_mismatch_learns_the_tenants_words(score) -> None:
    # "Sprocket gizmo" means nothing to the schedule; declared by three persons under 8471 it
    # becomes chapter 84's word, and then the same words under chapter 61 do not fit.
    history = [line(f"G{i}", person=f"p{i}|1", description="Sprocket gizmo", hts="8471300100")
               for i in range(3)]
    scored = score([line("NEW", description="Sprocket gizmo", hts="6109100012")], history=history)
    assert "HTS_DESCRIPTION_MISMATCH" in codes(scored, "NEW")
    assert "HTS_DESCRIPTION_MISMATCH" not in codes(score([line("NEW", description="Sprocket gizmo",
                                                             hts="6109100012")]), "NEW")
