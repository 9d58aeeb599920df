"""The one dated-parameter validator (``ace321.rules.parameters``) behind the screening rules,
the risk model and the entry-cost measures: each is loaded from a copy of its real files with
one file broken, and the error names that file and the parameter path inside it."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from ace321.costs.measures import MEASURES_DIR, load_measures
from ace321.risk.model import DATA_DIR as RISK_DIR
from ace321.risk.model import load_model
from ace321.rules import RuleError, load_rules
from ace321.rules.loader import DATA_DIR as RULES_DIR
from ace321.rules.parameters import dated_values, read_yaml

D = dt.date


def _copy(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def _load_broken(kind: str, tmp_path: Path, edit) -> tuple[Path, RuleError]:
    """Copy the bundled ``kind`` data, let ``edit`` change one file, load it; the file and error."""
    if kind == "rules":
        root = _copy(RULES_DIR, tmp_path, "rules")
        path, load = root / "fees" / "mpf_informal.yaml", load_rules
    elif kind == "risk":
        root = _copy(RISK_DIR, tmp_path, "risk")
        path, load = root / "bands.yaml", load_model
    else:
        root = _copy(MEASURES_DIR, tmp_path, "measures")
        path, load = root / "section301.yaml", load_measures
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RuleError) as error:
        load(root)
    return path, error.value


# One edit per loader and fault, on a value that exists in the shipped file: the expected
# parameter path and the fault's words.
FAULTS = {
    ("rules", "missing reference"): (
        lambda t: t.replace("  2025-10-01:\n    value: 2.69\n    reference:", "  2025-10-01:\n    value: 2.69\n    note:"),
        "(fees.mpf_informal)", "values.2025-10-01 has no reference"),
    ("risk", "missing reference"): (
        lambda t: t.replace("value: 50\n        reference:", "value: 50\n        note:"),
        "(parameters.high)", "values.2000-01-01 has no reference"),
    ("measures", "missing reference"): (
        lambda t: t.replace('2018-07-06: {rate: 25, reference: "83 FR 28710; HTS 9903.88.01 (list 1)"}',
                            "2018-07-06: {rate: 25}"),
        "(headings.9903.88.01)", "values.2018-07-06 has no reference"),
    ("rules", "duplicate date"): (
        lambda t: t + "  2025-10-01:\n    value: 3.00\n    reference: again\n",
        "(fees.mpf_informal)", "values.2025-10-01: duplicate key at line"),
    ("risk", "duplicate date"): (
        lambda t: t.replace("  high:\n    unit: points\n    values:\n",
                            "  high:\n    unit: points\n    values:\n      2000-01-01: {value: 1, reference: r}\n"),
        "bands.yaml", "parameters.high.values.2000-01-01: duplicate key at line"),
    ("measures", "duplicate date"): (
        lambda t: t.replace('      2018-07-06: {rate: 25, reference: "83 FR 28710; HTS 9903.88.01 (list 1)"}',
                            '      2018-07-06: {rate: 25, reference: "83 FR 28710; HTS 9903.88.01 (list 1)"}\n'
                            "      2018-07-06: {rate: 30, reference: again}"),
        "section301.yaml", "headings.9903.88.01.values.2018-07-06: duplicate key at line"),
    ("rules", "bad value type"): (
        lambda t: t.replace("value: 2.69", "value: '2.69'"),
        "(fees.mpf_informal)", "values.2025-10-01.value '2.69' does not fit unit currency:USD"),
    ("risk", "bad value type"): (
        lambda t: t.replace("value: 50", "value: 150"),
        "(parameters.high)", "values.2000-01-01.value 150 does not fit unit points"),
    ("measures", "bad value type"): (
        lambda t: t.replace("2018-07-06: {rate: 25,", "2018-07-06: {rate: '25%',"),
        "(headings.9903.88.01)", "values.2018-07-06.rate '25%' does not fit unit percent"),
}


@pytest.mark.parametrize(("kind", "fault"), sorted(FAULTS))
def test_a_broken_value_names_the_file_and_the_parameter_path(tmp_path: Path, kind: str, fault: str) -> None:
    edit, parameter, expected = FAULTS[(kind, fault)]
    path, error = _load_broken(kind, tmp_path, lambda text: _changed(text, edit))
    assert str(path) in str(error)
    assert parameter in str(error)
    assert expected in str(error)


def _changed(text: str, edit) -> str:
    changed = edit(text)
    assert changed != text, "the edit must find its text in the shipped file"
    return changed


def test_unsorted_dates_are_read_in_date_order(tmp_path: Path) -> None:
    # The MPF informal fee, with its two last values written in reverse order: the value on each
    # day is the one of the latest date on or before it (2.62 from FY2025, 2.69 from FY2026).
    root = _copy(RULES_DIR, tmp_path, "rules")
    path = root / "fees" / "mpf_informal.yaml"
    document = read_yaml(path)
    values = document["values"]
    assert list(values)[-2:] == [D(2024, 10, 1), D(2025, 10, 1)]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("  2024-10-01:"))
    middle = next(i for i, line in enumerate(lines) if line.startswith("  2025-10-01:"))
    block_2024, block_2025 = lines[start:middle], lines[middle:]
    path.write_text("".join(lines[:start] + block_2025 + block_2024), encoding="utf-8")
    assert list(read_yaml(path)["values"])[-2:] == [D(2025, 10, 1), D(2024, 10, 1)]
    rules = load_rules(root)
    assert rules.at(D(2025, 9, 30)).value("fees.mpf_informal") == 2.62
    assert rules.at(D(2025, 10, 1)).value("fees.mpf_informal") == 2.69
    assert rules.parameters["fees.mpf_informal"].steps == load_rules().parameters["fees.mpf_informal"].steps


def test_unsorted_measure_dates_apply_by_date(tmp_path: Path) -> None:
    root = _copy(MEASURES_DIR, tmp_path, "measures")
    path = root / "section301.yaml"
    text = path.read_text(encoding="utf-8")
    first = '      2018-09-24: {rate: 10, reference: "83 FR 47974; HTS 9903.88.03 (list 3)"}\n'
    second = '      2019-05-10: {rate: 25, reference: "84 FR 20459; HTS 9903.88.03 (list 3)"}\n'
    assert first + second in text
    path.write_text(text.replace(first + second, second + first), encoding="utf-8")
    (list3,) = [h for m in load_measures(root).measures for h in m.headings if h.heading == "9903.88.03"]
    assert [p.start for p in list3.periods] == [D(2018, 9, 24), D(2019, 5, 10)]
    assert list3.at(D(2019, 5, 9)).rate == Decimal(10)
    assert list3.at(D(2019, 5, 10)).rate == Decimal(25)


def test_dated_values_keeps_reference_and_note() -> None:
    values = {D(2020, 1, 1): {"value": 1, "reference": " r1 ", "note": "n"},
              D(2019, 1, 1): {"value": 0, "reference": "r0"}}
    dated = dated_values("x.yaml (p)", values, unit="count", fits=lambda v: isinstance(v, int))
    assert [(d.start, d.value, d.reference, d.note) for d in dated] == [
        (D(2019, 1, 1), 0, "r0", None), (D(2020, 1, 1), 1, "r1", "n")]
    with pytest.raises(RuleError, match=r"^x.yaml \(p\): unknown key 'values.2019-01-01.rate'$"):
        dated_values("x.yaml (p)", {D(2019, 1, 1): {"rate": 0, "reference": "r0"}}, unit="count",
                     fits=lambda v: True)
    with pytest.raises(RuleError, match=r"^x.yaml \(p\): values: '2019' is not a date"):
        dated_values("x.yaml (p)", {"2019": {"value": 0, "reference": "r0"}}, unit="count",
                     fits=lambda v: True)


@pytest.mark.parametrize(("source", "manifest", "load", "what"), [
    (RULES_DIR, "rules.yaml", load_rules, "rule-set"),
    (RISK_DIR, "risk.yaml", load_model, "risk-model"),
])
def test_the_version_covers_the_manifest_and_a_missing_manifest_is_refused(
        tmp_path: Path, source: Path, manifest: str, load, what: str) -> None:
    root = _copy(source, tmp_path, "data")
    bundled = load(None).version
    assert load(root).version == bundled
    path = root / manifest
    # Even a comment in the manifest is a new version: the digest reads every file's bytes.
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    changed = load(root).version
    assert changed != bundled and changed.split("+")[0] == bundled.split("+")[0]
    path.unlink()
    with pytest.raises(RuleError, match=rf"{manifest}: missing {what} manifest"):
        load(root)
