"""BorderConnect ACE shipment CSV upload: the full file for the example trip, and its rules."""

from __future__ import annotations

import csv
import importlib.util
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ace321.exports.borderconnect_csv import HEADERS, shipments_csv

HERE = Path(__file__).parent


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_exports_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load("example_manifest")
GOLDEN = HERE / "golden" / "ace_shipments.csv"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _with_commodity(**changes: Any) -> Any:
    shipment = example.SHIPMENTS[0]
    commodity = shipment.commodities[0].model_copy(update=changes)
    shipment = shipment.model_copy(update={"commodities": [commodity]})
    return example.MANIFEST.model_copy(update={"shipments": [shipment]})


def test_the_example_trip_is_the_golden_file() -> None:
    assert shipments_csv(example.MANIFEST) == GOLDEN.read_bytes().decode("utf-8")


def test_one_row_per_commodity_under_the_header() -> None:
    text = shipments_csv(example.MANIFEST)
    assert text.splitlines()[0] == ",".join(HEADERS)
    assert text.endswith("\r\n")
    rows = _rows(text)
    assert len(rows) == sum(len(s.commodities) for s in example.SHIPMENTS)
    assert [r["SCN"] for r in rows] == [
        "MAPL000000000001",
        "MAPL000000000002",
        "MAPL000000000002",
        "MAPL000000000003",
        "MAPL000000000003",
    ]
    assert {r["Shipment Type"] for r in rows} == {"SECTION 321", "PAPS"}


def test_description_is_cut_to_45_characters() -> None:
    long = "COTTON KNIT T-SHIRTS FOR MEN WITH PRINTED LOGOS AND POCKETS"
    (row,) = _rows(shipments_csv(_with_commodity(description=long)))
    assert row["Commodity Description"] == long[:45].rstrip()
    assert len(row["Commodity Description"]) <= 45


def test_value_has_no_dollar_sign_and_weight_is_whole() -> None:
    (row,) = _rows(shipments_csv(_with_commodity(value_usd=Decimal("1234.5"), weight=17)))
    assert row["Commodity Value"] == "1234.50"
    assert row["Commodity Weight"] == "17"


def test_commas_and_quotes_in_text_are_quoted_not_lost() -> None:
    shipment = example.SHIPMENTS[0]
    consignee = shipment.consignee.model_copy(update={"name": 'Miller, "Jordan"'})
    manifest = example.MANIFEST.model_copy(
        update={"shipments": [shipment.model_copy(update={"consignee": consignee})]}
    )
    (row,) = _rows(shipments_csv(manifest))
    assert row["Consignee Name"] == 'Miller, "Jordan"'


@pytest.mark.parametrize("shipment_type", ["Section 321", "IN_BOND", "paps"])
def test_a_type_the_upload_does_not_take_is_refused(shipment_type: str) -> None:
    shipment = example.SHIPMENTS[0].model_copy(update={"type": shipment_type})
    manifest = example.MANIFEST.model_copy(update={"shipments": [shipment]})
    with pytest.raises(ValueError, match="not accepted by the BorderConnect CSV upload"):
        shipments_csv(manifest)


def test_formula_like_cells_are_neutralised() -> None:
    """Screening refuses such text (FORMULA_TEXT); the file is neutralised all the same, as it
    is also opened in spreadsheets (issue 10 item 5)."""
    shipment = example.SHIPMENTS[0]
    consignee = shipment.consignee.model_copy(update={"name": '=HYPERLINK("http://x","y")'})
    manifest = example.MANIFEST.model_copy(
        update={"shipments": [shipment.model_copy(update={"consignee": consignee})]}
    )
    (row,) = _rows(shipments_csv(_with_commodity(description="@SUM(1+1)")))
    assert row["Commodity Description"] == "'@SUM(1+1)"
    (row,) = _rows(shipments_csv(manifest))
    assert row["Consignee Name"] == "'=HYPERLINK(\"http://x\",\"y\")"
