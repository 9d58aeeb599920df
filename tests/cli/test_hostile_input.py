"""Items 10.8 and 10.9: hostile input files give one line naming the file and the cause and
exit 2 (no traceback), or are read correctly; in-process through the guarded command group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ace321.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDERS_CSV = EXAMPLES / "orders.csv"


def run(*args: Any) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"traceback: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output
    return result


def unusable(result: Any, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    text = " ".join(lines)
    assert text.startswith("error: "), text
    for fragment in fragments:
        assert fragment in text, text
    return text


@pytest.fixture
def shipments() -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / "orders.json").read_text())  # type: ignore[no-any-return]


def test_json_nested_10000_deep(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000 + "]" * 10_000)
    unusable(run("check", deep, "--arrival", "2024-06-03"), str(deep), "nested too deeply")
    unusable(run("ingest", deep, "--db", f"sqlite:///{tmp_path / 'a.db'}"), str(deep),
             "nested too deeply")
    assert run("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'a.db'}").exit_code == 0
    unusable(run("responses", "import", deep, "--db", f"sqlite:///{tmp_path / 'a.db'}"),
             "nested too deeply")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "summary"])
def test_a_lone_surrogate_in_json_orders(tmp_path, shipments, fmt):
    text = json.dumps(shipments)
    name = shipments[0].get("consignee_name") or shipments[0]["consignee"]["name"]
    bad = tmp_path / "bad.json"
    bad.write_text(text.replace(json.dumps(name), '"\\ud800"', 1))
    unusable(run("check", bad, "--arrival", "2024-06-03", "--format", fmt), str(bad),
             "lone surrogate \\ud800")
    if fmt == "table":
        unusable(run("ingest", bad, "--db", f"sqlite:///{tmp_path / 'a.db'}"), str(bad),
                 "lone surrogate")


def test_output_into_a_missing_folder_or_onto_a_folder(tmp_path):
    missing = tmp_path / "nowhere" / "out.csv"
    unusable(run("check", ORDERS_CSV, "--arrival", "2024-06-03", "--output", missing),
             str(missing), "does not exist")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    unusable(run("check", ORDERS_CSV, "--arrival", "2024-06-03", "--output", folder),
             str(folder), "folder")


def test_manifest_out_empty_is_refused(tmp_path):
    result = run("manifest", ORDERS_CSV, "--trip", EXAMPLES / "trip.yaml", "--out", "",
                 "--db", f"sqlite:///{tmp_path / 'a.db'}")
    unusable(result, "--out needs a folder name")
    assert not list(Path.cwd().glob("ace_trip.json"))


def test_utf16_csv_is_not_utf8(tmp_path):
    text = ORDERS_CSV.read_text(encoding="utf-8")
    for encoding in ("utf-16", "utf-16-le"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        unusable(run("check", path, "--arrival", "2024-06-03"), str(path), "not UTF-8",
                 "UTF-16")


def test_cr_only_line_endings_are_read_like_lf(tmp_path):
    lf = run("check", ORDERS_CSV, "--arrival", "2024-06-03", "--format", "json")
    path = tmp_path / "mac.csv"
    path.write_bytes(ORDERS_CSV.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    cr = run("check", path, "--arrival", "2024-06-03", "--format", "json")
    assert cr.exit_code == lf.exit_code
    assert json.loads(cr.stdout)["shipments"] == json.loads(lf.stdout)["shipments"]


def test_a_bare_cr_inside_lf_lines_is_refused_with_its_row(tmp_path):
    lines = ORDERS_CSV.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    lines[3] = lines[3].replace(b",", b"\r", 1)
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(lines))
    unusable(run("check", path, "--arrival", "2024-06-03"), str(path), "row 3",
             "carriage return")


def test_a_duplicated_column_is_a_usage_error_naming_it(tmp_path):
    lines = ORDERS_CSV.read_text().splitlines()
    header = lines[0].split(",")
    at = header.index("quantity")
    doubled = [",".join([*line.split(","), line.split(",")[at]]) if i else
               ",".join([*header, "Quantity "]) for i, line in enumerate(lines)]
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(doubled) + "\n")
    unusable(run("check", path, "--arrival", "2024-06-03"), str(path), "'quantity'",
             "appears twice")


@pytest.mark.parametrize("value", ["26-11-23", "+2026-11-23", "2026-1-3", "20261123",
                                   "2026-W47-1"])
def test_dates_are_strictly_yyyy_mm_dd(tmp_path, value):
    lines = ORDERS_CSV.read_text().splitlines()
    header = lines[0].split(",")
    at = header.index("arrival_date")
    cells = lines[1].split(",")
    cells[at] = value
    path = tmp_path / "dates.csv"
    path.write_text("\n".join([lines[0], ",".join(cells)]) + "\n")
    result = run("check", path, "--arrival", "2024-06-03", "--format", "json")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["shipments"][0]["issues"]
    assert ("INVALID_DATE", "arrival_date") in {(i["code"], i["field"]) for i in issues}
    unusable(run("check", ORDERS_CSV, "--arrival", value), "--arrival", "YYYY-MM-DD")


def _trip(tmp_path: Path, **changes: Any) -> Path:
    text = (EXAMPLES / "trip.yaml").read_text()
    for key, (old, new) in changes.items():
        assert old in text, key
        text = text.replace(old, new, 1)
    path = tmp_path / "trip.yaml"
    path.write_text(text)
    return path


def _manifest(tmp_path: Path, trip: Path) -> Any:
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    return run("manifest", ORDERS_CSV, "--trip", trip, "--out", out, "--format", "json",
               "--filed-at", "2026-11-23T12:00:00-05:00", "--skip-invalid",
               "--rates", EXAMPLES / "rates.csv", "--db", f"sqlite:///{tmp_path / 'm.db'}")


def test_an_arrival_written_as_a_number_is_not_unix_time(tmp_path):
    path = _trip(tmp_path, arrival=('estimated_arrival: "2026-11-23T14:30:00-05:00"',
                                    "estimated_arrival: 20261123"))
    result = _manifest(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert "estimated_arrival" in result.output and "1970" not in result.output


def test_a_driver_born_after_the_trip_is_refused(tmp_path):
    import yaml

    trip = yaml.safe_load((EXAMPLES / "trip.yaml").read_text())
    born = str(trip["drivers"][0]["date_of_birth"])
    path = _trip(tmp_path, born=(born, "2030-01-01"))
    result = _manifest(tmp_path, path)
    assert result.exit_code == 1, result.output
    assert "INVALID_DATE_OF_BIRTH" in result.output
    assert "drivers[0].date_of_birth" in result.output
