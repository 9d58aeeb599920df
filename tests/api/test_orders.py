"""The API's canonical frame of JSON shipments equals the intake's, value for value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ace321.api.problems import ApiProblem
from ace321.api.services.orders import frame_from_rows, json_rows
from ace321.intake import columns, frame_from_shipments

# Cells around the edges of trimming: Unicode spaces Polars strips, separators it keeps.
_PADS = ["", " ", "\t", "\u2003", "\u00a0", "\x1c", "\u200b", "\n "]
_TEXT = st.builds(lambda pad, core, tail: pad + core + tail, st.sampled_from(_PADS),
                  st.sampled_from(["", "A1", "x y", "Ann Lee", "é", "0"]), st.sampled_from(_PADS))
_VALUE = st.one_of(st.none(), _TEXT, st.integers(-5, 5), st.booleans(), st.floats(0, 10,
                                                                                allow_nan=False))
_SHIPMENT_FIELDS = ["order_id", "shipment_id", "arrival_date", "consignee_name",
                    "consignee_postal_code", "consignee_phone", "is_gift", "description"]
_LINE_FIELDS = ["sku", "description", "quantity", "unit_price", "hts_code", "shipment_id",
                "consignee_name"]
_IDS = st.sampled_from([None, "S1", "S2", " S1 ", "", "O1"])


@st.composite
def shipments(draw: st.DrawFn) -> list[dict[str, object]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        shipment: dict[str, object] = {
            name: draw(_VALUE) for name in draw(st.lists(st.sampled_from(_SHIPMENT_FIELDS),
                                                         unique=True))}
        shipment["order_id"] = draw(_IDS)
        if draw(st.booleans()):
            shipment["shipment_id"] = draw(_IDS)
        if draw(st.booleans()):
            shipment["consignee"] = {"name": draw(_VALUE), "phone": draw(_VALUE)}
        shipment["lines"] = [
            {name: draw(_VALUE) for name in draw(st.lists(st.sampled_from(_LINE_FIELDS),
                                                          unique=True))}
            for _ in range(draw(st.integers(1, 3)))]
        out.append(shipment)
    return out


def assert_same(body: object) -> None:
    fast = frame_from_rows(json_rows(body))
    reference = frame_from_shipments(body)
    assert fast.schema == reference.schema
    assert fast.to_dicts() == reference.to_dicts()


@settings(max_examples=300, deadline=None)
@given(shipments())
def test_equal_to_the_intake_frame(body):
    assert_same(body)


def test_an_example_with_scattered_lines_and_missing_ids(ship):
    body = [ship("S1"), {**ship("S2"), "shipment_id": None, "order_id": " O2 "},
            ship("S1", lines=[{}, {"sku": "  "}]), {**ship("S3"), "consignee_name": "\u2003A\x1c"}]
    assert_same(body)
    frame = frame_from_rows(json_rows(body))
    assert frame[columns.LINE_INDEX].to_list() == [0, 0, 1, 2, 0]
    assert frame["shipment_id"].to_list() == ["S1", "O2", "S1", "S1", "S3"]


@pytest.mark.parametrize("body", [[], [{"lines": []}], [1], {"shipments": 3}])
def test_unusable_bodies_are_422_naming_the_field(body):
    with pytest.raises(ApiProblem) as caught:
        json_rows(body)
    assert caught.value.status == 422
