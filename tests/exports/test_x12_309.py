"""X12 309 complete manifest: the full interchange for the example trip, its envelope, and the
reader's envelope checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from ace321.exports.x12 import assumptions, manifest_309, parse_interchange, transaction_set
from ace321.exports.x12.reader import detect_separators

HERE = Path(__file__).parent


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_exports_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load("example_manifest")
GOLDEN = HERE / "golden" / "manifest.x12"


def _x12(manifest: Any = None, **options: Any) -> str:
    options.setdefault("control_number", example.CONTROL_NUMBER)
    options.setdefault("created", example.CREATED)
    return manifest_309(manifest or example.MANIFEST, **options)


def test_the_example_trip_is_the_golden_interchange() -> None:
    assert _x12(line_breaks=True) == GOLDEN.read_text("ascii")


def test_without_line_breaks_it_is_the_same_segments_on_one_line() -> None:
    assert _x12() == GOLDEN.read_text("ascii").replace("\n", "")


def test_the_interchange_reads_back_with_a_sound_envelope() -> None:
    interchange = parse_interchange(_x12())
    assert interchange.problems == []
    assert interchange.sender_id == "MAPL"
    assert interchange.receiver_id == "CBP-ACE-TEST"
    (group,) = interchange.groups
    assert group.functional_identifier == "AQ"
    (ts,) = group.transaction_sets
    assert ts.code == "309"
    m10 = ts.body[0]
    assert m10.tag == "M10"
    assert m10.element(1) == "MAPL"
    assert m10.element(9) == "W"
    assert m10.element(assumptions.M10_TRIP_NUMBER_POSITION) == "MAPL20261123A"
    lx = [s for s in ts.body if s.tag == "LX"]
    assert len(lx) == 3
    bills = [(s.element(12) + s.element(1), s.element(9)) for s in ts.body if s.tag == "M11"]
    assert bills == [
        ("MAPL000000000001", "13"),
        ("MAPL000000000002", "00"),
        ("MAPL000000000003", "00"),
    ]


def test_isa_is_fixed_width_and_control_numbers_agree() -> None:
    text = _x12(control_number=4321)
    isa = text[: text.index("~") + 1]
    assert len(isa) == 106
    assert isa[3] == "*" and isa[104] == ">" and isa[105] == "~"
    interchange = parse_interchange(text)
    assert interchange.control_number == "000004321"
    assert interchange.header.element(6) == "MAPL".ljust(15)
    assert interchange.header.element(8) == "CBP-ACE-TEST".ljust(15)
    assert interchange.groups[0].control_number == "4321"
    assert interchange.transaction_sets[0].control_number == "4321"
    assert interchange.trailer is not None and interchange.trailer.element(2) == "000004321"


def test_production_switches_receiver_and_usage_indicator() -> None:
    interchange = parse_interchange(_x12(production=True))
    assert interchange.receiver_id == "CBP-ACE"
    assert interchange.header.element(15) == "P"
    assert interchange.groups[0].header.element(3) == "CBP-ACE"
    assert parse_interchange(_x12()).header.element(15) == "T"


def test_separate_group_and_transaction_set_numbers() -> None:
    interchange = parse_interchange(
        _x12(control_number=7, group_control_number=70, transaction_set_control_number="000700")
    )
    assert interchange.problems == []
    assert interchange.groups[0].control_number == "70"
    assert interchange.transaction_sets[0].control_number == "000700"


@pytest.mark.parametrize("number", [0, 1_000_000_000])
def test_control_number_out_of_range_is_refused(number: int) -> None:
    with pytest.raises(ValueError, match="control number"):
        _x12(control_number=number)


def test_se01_counts_st_to_se() -> None:
    segments = transaction_set(example.MANIFEST, control_number="0001")
    assert segments[0].tag == "ST" and segments[-1].tag == "SE"
    assert segments[-1].element(1) == str(len(segments))


def test_a_commodity_on_a_unit_not_on_the_trip_is_refused() -> None:
    shipment = example.SHIPMENTS[0]
    commodity = shipment.commodities[0].model_copy(
        update={"loaded_on": example.LoadedOn(type="TRAILER", number="NOPE")}
    )
    manifest = example.MANIFEST.model_copy(
        update={"shipments": [shipment.model_copy(update={"commodities": [commodity]})]}
    )
    with pytest.raises(ValueError, match="not on the trip"):
        _x12(manifest)


def test_a_shipment_type_without_a_bill_type_is_refused() -> None:
    shipment = example.SHIPMENTS[0].model_copy(update={"type": "IN_BOND"})
    manifest = example.MANIFEST.model_copy(update={"shipments": [shipment]})
    with pytest.raises(ValueError, match="no 309 bill type"):
        _x12(manifest)


def test_an_unknown_province_of_loading_is_refused() -> None:
    shipment = example.SHIPMENTS[0].model_copy(update={"province_of_loading": "JAL"})
    manifest = example.MANIFEST.model_copy(update={"shipments": [shipment]})
    with pytest.raises(ValueError, match="Schedule K"):
        _x12(manifest)


# --- the reader's envelope checks ------------------------------------------------------------


def _broken(old: str, new: str) -> list[str]:
    text = GOLDEN.read_text("ascii")
    assert old in text
    return parse_interchange(text.replace(old, new)).problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("SE*43*0001", "SE*42*0001", "SE01 says '42' segments, ST to SE counts 43"),
        ("SE*43*0001", "SE*43*0002", "SE02 '0002' does not match ST02 '0001'"),
        ("GE*1*1", "GE*2*1", "GE01 says '2' transaction sets, the group holds 1"),
        ("GE*1*1", "GE*1*9", "GE02 '9' does not match GS06 '1'"),
        ("IEA*1*000000001", "IEA*1*000000002", "IEA02 '000000002' does not match ISA13"),
        ("IEA*1*000000001", "IEA*3*000000001", "IEA01 says '3' groups"),
        ("IEA*1*000000001~\n", "", "no IEA"),
        ("SE*43*0001~\n", "", "no SE"),
        ("MAPL           *ZZ", "MAPL     *ZZ", "ISA06: 9 characters, not 15"),
    ],
)
def test_the_reader_reports_envelope_faults(old: str, new: str, expected: str) -> None:
    problems = _broken(old, new)
    assert any(expected in problem for problem in problems), problems


def test_the_reader_reports_segments_after_the_iea() -> None:
    problems = parse_interchange(GOLDEN.read_text("ascii") + "LX*9~").problems
    assert any("after the IEA" in p for p in problems)


def test_the_reader_takes_separators_from_the_isa() -> None:
    text = GOLDEN.read_text("ascii").replace("\n", "")
    other = text.replace("*", "|").replace("~", "\n").replace("*>", "|:").replace("|>", "|:")
    separators = detect_separators(other)
    assert (separators.element, separators.sub_element, separators.segment) == ("|", ":", "\n")
    assert separators.repetition == "^"
    interchange = parse_interchange(other)
    assert interchange.problems == []
    assert [s.tag for s in interchange.segments] == [
        s.tag for s in parse_interchange(text).segments
    ]


def test_text_that_is_not_x12_raises() -> None:
    with pytest.raises(ValueError, match="ISA"):
        parse_interchange("UNB+UNOA:4+SENDER+RECEIVER'")
