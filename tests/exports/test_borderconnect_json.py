"""BorderConnect ACE_TRIP JSON: the full document for the example trip, and its contract."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from ace321.exports import codes
from ace321.exports.borderconnect_json import trip_document
from ace321.exports.schema import trip_schema, validate_trip_document

HERE = Path(__file__).parent


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_exports_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load("example_manifest")
GOLDEN = HERE / "golden" / "ace_trip.json"


def _document() -> dict[str, Any]:
    return trip_document(example.MANIFEST, company_key="c-9000-2bcd8ae5954e0c48", send_id="001")


def test_the_example_trip_is_the_golden_document() -> None:
    assert _document() == json.loads(GOLDEN.read_text("utf-8"))


def test_the_example_trip_meets_the_contract() -> None:
    assert validate_trip_document(_document()) == []


def test_no_nulls_and_no_empty_lists() -> None:
    def walk(node: Any, path: str) -> None:
        assert node is not None, path
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            assert node or path.endswith("shipments"), f"{path} is an empty list"
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(trip_document(example.MANIFEST), "$")


def test_without_company_key_and_send_id_they_are_left_out() -> None:
    doc = trip_document(example.MANIFEST)
    assert "companyKey" not in doc and "sendId" not in doc
    assert all("companyKey" not in s and "sendId" not in s for s in doc["shipments"])
    assert validate_trip_document(doc) == []


def test_arrival_is_written_in_the_offset_the_trip_gives() -> None:
    pacific = dt.timezone(dt.timedelta(hours=-8))
    trip = example.TRIP.model_copy(
        update={"estimated_arrival": dt.datetime(2026, 11, 23, 6, 5, 9, tzinfo=pacific)}
    )
    doc = trip_document(example.MANIFEST.model_copy(update={"trip": trip}))
    assert doc["estimatedArrivalDateTime"] == "2026-11-23 06:05:09"


def test_hazmat_fields_are_written_when_present() -> None:
    shipment = example.SHIPMENTS[2]
    commodity = shipment.commodities[1].model_copy(
        update={
            "hazmat_un": "1266",
            "hazmat_contact_name": "CHEMTREC",
            "hazmat_contact_phone": "+1 800 424 9300",
        }
    )
    shipment = shipment.model_copy(update={"commodities": [shipment.commodities[0], commodity]})
    manifest = example.MANIFEST.model_copy(update={"shipments": [shipment]})
    doc = trip_document(manifest)
    assert doc["shipments"][0]["commodities"][1]["hazmatDetails"] == {
        "unCode": "1266",
        "emergencyContact": {"name": "CHEMTREC", "phoneNumber": "+1 800 424 9300"},
    }
    assert validate_trip_document(doc) == []


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()
_C = ("shipments", 0, "commodities", 0)

VIOLATIONS = [
    pytest.param(("shipments", 0, "shipmentControlNumber"), "mapl000000000001", id="scn-lowercase"),
    pytest.param(("shipments", 0, "shipmentControlNumber"), "MAPL00000000000012", id="scn-17"),
    pytest.param(("shipments", 0, "shipmentControlNumber"), "MA1L0000001", id="scn-no-scac"),
    pytest.param(("tripNumber",), "MAPL123", id="trip-number-7"),
    pytest.param(("usPortOfArrival",), "901", id="port-3-digits"),
    pytest.param(("estimatedArrivalDateTime",), "2026-11-23T14:30:00-05:00", id="eta-iso"),
    pytest.param(("truck", "vinNumber"), "1FUJGLDR3CLBP883", id="vin-16"),
    pytest.param(("truck", "licensePlates"), [], id="truck-no-plate"),
    pytest.param(
        ("truck", "licensePlate"), {"number": "X", "stateProvince": "ON"}, id="2014-plate"
    ),
    pytest.param(("trailers", 0, "type"), "ZZ", id="trailer-type-unknown"),
    pytest.param(("drivers",), [], id="no-driver"),
    pytest.param(("drivers", 0, "gender"), "X", id="gender-X"),
    pytest.param(("drivers", 0, "fastCardNumber"), "4270555555550", id="fast-13"),
    pytest.param(("drivers", 0, "firstName"), "A" * 31, id="first-name-31"),
    pytest.param(("shipments", 0, "type"), "Section 321", id="type-case"),
    pytest.param(("shipments", 0, "provinceOfLoading"), "on", id="province-lowercase"),
    pytest.param(("shipments", 0, "consignee", "name"), "N" * 61, id="consignee-name-61"),
    pytest.param(("shipments", 0, "consignee", "address", "city"), "B", id="city-1"),
    pytest.param(("shipments", 0, "consignee", "address", "postalCode"), "1" * 11, id="zip-11"),
    pytest.param(("shipments", 0, "shipper"), _DELETE, id="no-shipper"),
    pytest.param(("shipments", 0, "commodities"), [], id="no-commodity"),
    pytest.param((*_C, "value"), "$54.00", id="value-dollar-sign"),
    pytest.param((*_C, "value"), "1234567.89", id="value-10-chars"),
    pytest.param((*_C, "value"), 54, id="value-number"),
    pytest.param((*_C, "harmonizedCode"), "6109.10.0012", id="hts-dots"),
    pytest.param((*_C, "harmonizedCode"), "61091", id="hts-5"),
    pytest.param((*_C, "packagingUnit"), "XYZ", id="unit-unknown"),
    pytest.param((*_C, "weightUnit"), "P", id="weight-unit-P"),
    pytest.param((*_C, "quantity"), 0, id="quantity-0"),
    pytest.param((*_C, "description"), "D" * 513, id="description-513"),
    pytest.param((*_C, "marksAndNumbers"), ["M" * 46], id="mark-46"),
    pytest.param((*_C, "countryOfOrigin"), "CAN", id="origin-alpha3"),
    pytest.param((*_C, "loadedOn", "type"), "CONTAINER", id="loaded-on-type"),
    pytest.param(("autoSend",), "false", id="autosend-string"),
    pytest.param(("operation",), "INSERT", id="operation-unknown"),
]


@pytest.mark.parametrize(("path", "value"), VIOLATIONS)
def test_a_contract_violation_is_reported_with_its_path(path: tuple[Any, ...], value: Any) -> None:
    doc = copy.deepcopy(_document())
    _set(doc, path, value)
    problems = validate_trip_document(doc)
    assert problems, f"{path} = {value!r} was accepted"
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    parent = where.rsplit(".", 1)[0] if value is _DELETE or path[-1] == "licensePlate" else where
    assert any(problem.startswith(parent) for problem in problems), problems


def test_schema_enums_are_the_code_tables() -> None:
    defs = trip_schema()["$defs"]
    assert defs["shipment"]["properties"]["type"]["enum"] == list(codes.SHIPMENT_TYPES)
    assert defs["trailer"]["properties"]["type"]["enum"] == list(codes.TRAILER_TYPES)
    assert defs["travelDocument"]["properties"]["type"]["enum"] == list(codes.TRAVEL_DOCUMENT_TYPES)
    assert defs["commodity"]["properties"]["packagingUnit"]["enum"] == list(codes.PACKAGING_UNITS)
    assert trip_schema()["properties"]["operation"]["enum"] == list(codes.OPERATIONS)
