"""The rule loader: the bundled rules load; broken parameter files fail naming file and key."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from ace321.rules import RuleError, load_rules
from ace321.rules.loader import DATA_DIR

D = dt.date


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DATA_DIR, target)
    return target


def test_bundled_rules_load_with_a_version_that_names_label_and_digest() -> None:
    rules = load_rules()
    assert rules.version.startswith("2026.11+")
    assert len(rules.version.split("+")[1]) == 12


@pytest.mark.parametrize(
    ("day", "threshold"),
    [(D(2016, 3, 9), 200), (D(2016, 3, 10), 800), (D(2027, 6, 30), 800), (D(2027, 7, 1), None)],
)
def test_threshold_by_day(day: dt.date, threshold: int | None) -> None:
    assert load_rules().at(day).value("deminimis.threshold") == threshold


@pytest.mark.parametrize(
    ("day", "origins"),
    [
        (D(2025, 2, 3), []),
        (D(2025, 2, 4), ["CN", "HK"]),
        (D(2025, 2, 6), ["CN", "HK"]),
        (D(2025, 2, 7), []),
        (D(2025, 5, 1), []),
        (D(2025, 5, 2), ["CN", "HK"]),
    ],
)
def test_china_hong_kong_suspension_windows(day: dt.date, origins: list[str]) -> None:
    assert load_rules().at(day).value("deminimis.suspended_origins") == origins


def test_global_suspension_and_repeal_days() -> None:
    rules = load_rules()
    assert rules.at(D(2025, 8, 28)).value("deminimis.suspended_globally") is False
    assert rules.at(D(2025, 8, 29)).value("deminimis.suspended_globally") is True
    assert rules.at(D(2027, 6, 30)).value("deminimis.repealed") is False
    assert rules.at(D(2027, 7, 1)).value("deminimis.repealed") is True
    assert rules.at(D(2013, 1, 6)).value("entry.informal_limit") == 2000
    assert rules.at(D(2013, 1, 7)).value("entry.informal_limit") == 2500


def test_every_step_has_a_reference() -> None:
    for _start, name, step in load_rules().timeline():
        assert step.reference, name


def test_a_day_before_coverage_is_refused() -> None:
    with pytest.raises(ValueError, match="before the rules' coverage"):
        load_rules().at(D(1999, 12, 31))


def test_a_changed_value_changes_the_version(rules_copy: Path) -> None:
    path = rules_copy / "gift" / "limit.yaml"
    path.write_text(path.read_text().replace("value: 100", "value: 101"))
    assert load_rules(rules_copy).version != load_rules().version


BROKEN = {
    "unknown key": (
        "description: x\nmetadata: {unit: 'currency:USD'}\nvalues:\n  2000-01-01: {value: 1, reference: r}\nlabel: 3\n",
        "unknown key 'label'",
    ),
    "unknown step key": (
        "description: x\nmetadata: {unit: 'currency:USD'}\nvalues:\n  2000-01-01: {value: 1, reference: r, valeu: 2}\n",
        "unknown key 'values.2000-01-01.valeu'",
    ),
    "duplicate date": (
        "description: x\nmetadata: {unit: 'currency:USD'}\nvalues:\n  2000-01-01: {value: 1, reference: r}\n  2000-01-01: {value: 2, reference: r}\n",
        "duplicate key",
    ),
    "unparseable date": (
        "description: x\nmetadata: {unit: 'currency:USD'}\nvalues:\n  2000-01-01: {value: 1, reference: r}\n  2016-02-30: {value: 2, reference: r}\n",
        "'2016-02-30' is not a date",
    ),
    "value without reference": (
        "description: x\nmetadata: {unit: 'currency:USD'}\nvalues:\n  2000-01-01: {value: 1}\n",
        "values.2000-01-01 has no reference",
    ),
    "value of the wrong type": (
        "description: x\nmetadata: {unit: boolean}\nvalues:\n  2000-01-01: {value: 'yes', reference: r}\n",
        "does not fit unit boolean",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_parameter_file_names_file_and_key(rules_copy: Path, case: str) -> None:
    text, expected = BROKEN[case]
    path = rules_copy / "gift" / "limit.yaml"
    path.write_text(text)
    with pytest.raises(RuleError) as error:
        load_rules(rules_copy)
    assert str(path) in str(error.value)
    assert "gift.limit" in str(error.value) or "duplicate" in expected
    assert expected in str(error.value)
