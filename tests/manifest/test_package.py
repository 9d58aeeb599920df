"""The manifest's files, and their all-or-nothing writing."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import stat
from pathlib import Path

import pytest

from ace321.exports.schema import validate_trip_document
from ace321.exports.x12.reader import parse_interchange
from ace321.manifest.package import FILE_NAMES, manifest_files, write_files

_spec = importlib.util.spec_from_file_location("build_cases", Path(__file__).with_name("test_build.py"))
build_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_cases)
FILED = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


@pytest.fixture()
def files() -> dict[str, bytes]:
    shipments = [build_cases.shipment("A", "José O'Brien", "716-462-0101"),
                 build_cases.shipment("B", "Ben Cole", "716-462-0102", {"unit_price": "900"})]
    outcome = build_cases.build(shipments, "2025-06-02")
    return manifest_files(outcome.manifest, control_number=7, filed_at=FILED,
                          issues=outcome.issues, skipped=outcome.skipped)


def test_every_file_is_produced_and_consistent(files: dict[str, bytes]) -> None:
    assert sorted(files) == sorted(FILE_NAMES)
    document = json.loads(files["ace_trip.json"])
    assert validate_trip_document(document) == []
    assert document["tripNumber"] == "MAPL20261123A" and document["autoSend"] is False
    assert [s["type"] for s in document["shipments"]] == ["SECTION 321", "PAPS"]
    interchange = parse_interchange(files["manifest.x12"].decode())
    assert interchange.problems == []
    assert files["cover_sheet.pdf"].startswith(b"%PDF")
    summary = json.loads(files["summary.json"])
    assert summary["scns"] == ["MAPL000000000001", "MAPL000000000002"]
    assert summary["counts"]["by_type"] == {"SECTION 321": 1, "PAPS": 1}
    assert summary["shipments"][1]["reasons"][0]["code"] == "VALUE_OVER_THRESHOLD"
    assert "TEST" in files["manifest.x12"].decode()


def test_files_land_in_a_new_folder(tmp_path: Path, files: dict[str, bytes]) -> None:
    target = tmp_path / "out"
    write_files(files, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(FILE_NAMES)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_the_folder_and_files_follow_the_umask(tmp_path: Path, files: dict[str, bytes],
                                               umask: int) -> None:
    previous = os.umask(umask)
    try:
        write_files(files, tmp_path / "out")
        write_files(files, tmp_path / "out")  # replacing files into the existing folder
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()} == {
        0o666 & ~umask}


def test_a_failure_leaves_nothing(tmp_path: Path, files: dict[str, bytes]) -> None:
    target = tmp_path / "out"
    broken = {**files, "sub/dir/file": b"x"}
    with pytest.raises(OSError):
        write_files(broken, target)
    assert list(tmp_path.iterdir()) == []
