"""Duty never depends on the order of the rows, and splitting a shipment's lines into several
shipments never changes the total duty (duty is rounded per line and measure)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# (hts, origin, spi): ad valorem, specific per kg / dozen / pair, compound, Column 2, 301, USMCA.
PRODUCTS = [
    ("6109.10.00.12", "CN", None), ("6109.10.00.12", "CA", "S"), ("0201.10.10.10", "CA", None),
    ("0407.11.00.00", "MX", None), ("6402.91.20.00", "CN", None), ("0402.99.90.00", "CA", None),
    ("4202.29.20.00", "RU", None), ("8541.21.00.40", "CN", None), ("9503.00.00.11", "CN", None),
]
LINE = st.tuples(
    st.sampled_from(PRODUCTS), st.integers(1, 40),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2),
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("90"), places=3),
)


def _line(item):
    (hts, origin, spi), quantity, price, weight = item
    line = {"hts_code": hts, "country_of_origin": origin, "quantity": str(quantity),
            "unit_price": str(price), "weight": str(weight)}
    if spi:
        line["spi"] = spi
    return line


def _total(costs):
    return sum(Decimal(cost["duty_usd"]) for cost in costs.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, min_size=2, max_size=8), data=st.data())
def test_duty_independent_of_order_and_split(costs_kit, lines, data):
    specs = [_line(item) for item in lines]
    # After 2025-08-29 every shipment is entered, whole or split (no de minimis to gain).
    day = data.draw(st.sampled_from(["2025-09-15", "2026-03-02", "2026-11-23"]))
    whole = costs_kit.costs([{"lines": specs, "person": 1}], day)
    shuffled = data.draw(st.permutations(specs))
    assert _total(costs_kit.costs([{"lines": list(shuffled), "person": 1}], day)) == _total(whole)
    cut = data.draw(st.integers(1, len(specs) - 1))
    split = costs_kit.costs([
        {"shipment_id": "A", "lines": specs[:cut], "person": 1},
        {"shipment_id": "B", "lines": specs[cut:], "person": 1},
    ], day)
    assert _total(split) == _total(whole)
