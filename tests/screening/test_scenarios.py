"""Scenario tests in the style of OpenFisca YAML tests: tests/screening/scenarios/*.yaml.

Each file is a list of cases::

    - name: value of exactly $800.00 qualifies on the day the threshold became $800
      arrival_date: 2016-03-10          # default arrival of every shipment of the case
      default_arrival: 2016-03-10       # optional, passed to screen(default_arrival=...)
      rates: [{date: 2016-03-09, currency: CAD, usd_per_unit: "0.74"}]   # optional
      hts_table: true                   # optional: screen with the real 2026 HTS table
      shipments:
        - shipment_id: S1
          lines: [{unit_price: "800.00"}]
      expect:
        S1: {decision: SECTION_321, reasons: [DEMINIMIS_OK]}
      summary: {shipments: 1, by_decision: {SECTION_321: 1}}   # optional, subset

Every field a shipment does not give comes from the default template (see conftest.py).
Scalars are read as text (no YAML dates, numbers or booleans), ``null`` as a missing value.

Per shipment, ``expect`` may hold: ``decision`` (exact), ``reasons`` (exact ordered list of
reason codes), ``decisive`` (the first reason code), ``reasons_include`` / ``reasons_exclude``,
``issues_include`` (codes, or mappings matched on the keys they give: code, severity, field,
row), ``issues_exclude`` (codes), ``value_usd`` (compared as an exact Decimal) and
``ace_shipment_type``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

SCENARIOS = Path(__file__).parent / "scenarios"

EXPECT_KEYS = {
    "decision",
    "reasons",
    "decisive",
    "reasons_include",
    "reasons_exclude",
    "issues_include",
    "issues_exclude",
    "value_usd",
    "ace_shipment_type",
}
CASE_KEYS = {
    "name",
    "arrival_date",
    "default_arrival",
    "rates",
    "hts_table",
    "shipments",
    "expect",
    "summary",
}


class _TextLoader(yaml.SafeLoader):
    """Safe loader that resolves only ``null``: every other plain scalar stays text."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_cases() -> list[Any]:
    params = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        cases = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader)
        assert isinstance(cases, list), f"{path.name}: expected a list of cases"
        for case in cases:
            params.append(pytest.param(case, id=f"{path.name}:{case['name']}"))
    return params


CASES = load_cases()


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "yes", "1"}


def _issue_matches(issue: dict[str, Any], wanted: Any) -> bool:
    if isinstance(wanted, str):
        return issue["code"] == wanted
    return all(str(issue.get(key)) == str(value) for key, value in wanted.items())


def check_shipment(got: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """The list of expectation failures of one shipment (empty when all hold)."""
    failures: list[str] = []
    reasons = [reason["code"] for reason in got.get("reasons") or []]
    issues = got.get("issues") or []
    issue_codes = [issue["code"] for issue in issues]

    if "decision" in expect and got.get("decision") != expect["decision"]:
        failures.append(f"decision: expected {expect['decision']}, got {got.get('decision')}")
    if "reasons" in expect and reasons != list(expect["reasons"] or []):
        failures.append(f"reasons: expected {expect['reasons']}, got {reasons}")
    if "decisive" in expect and (not reasons or reasons[0] != expect["decisive"]):
        failures.append(f"decisive reason: expected {expect['decisive']}, got {reasons[:1]}")
    for code in expect.get("reasons_include") or []:
        if code not in reasons:
            failures.append(f"reason {code} missing from {reasons}")
    for code in expect.get("reasons_exclude") or []:
        if code in reasons:
            failures.append(f"reason {code} unexpected in {reasons}")
    for wanted in expect.get("issues_include") or []:
        if not any(_issue_matches(issue, wanted) for issue in issues):
            failures.append(f"issue {wanted} missing from {issues}")
    for code in expect.get("issues_exclude") or []:
        if code in issue_codes:
            failures.append(f"issue {code} unexpected in {issues}")
    if "value_usd" in expect:
        value = got.get("value_usd")
        if value is None or Decimal(str(value)) != Decimal(str(expect["value_usd"])):
            failures.append(f"value_usd: expected {expect['value_usd']}, got {value!r}")
    if "ace_shipment_type" in expect and got.get("ace_shipment_type") != expect["ace_shipment_type"]:
        failures.append(
            f"ace_shipment_type: expected {expect['ace_shipment_type']!r}, "
            f"got {got.get('ace_shipment_type')!r}"
        )
    return failures


def test_scenario_files_are_well_formed() -> None:
    assert len(CASES) >= 70
    names = set()
    for param in CASES:
        (case,) = param.values
        assert set(case) <= CASE_KEYS, f"{case['name']}: unknown keys {set(case) - CASE_KEYS}"
        assert case["name"] not in names, f"duplicate case name {case['name']}"
        names.add(case["name"])
        assert case["shipments"] and case["expect"], case["name"]
        for sid, expect in case["expect"].items():
            assert set(expect) <= EXPECT_KEYS, f"{case['name']}/{sid}: {set(expect) - EXPECT_KEYS}"


@pytest.mark.parametrize("case", CASES)
def test_scenario(case: dict[str, Any], kit: Any, tmp_path: Path) -> None:
    shipments = kit.build_shipments(case["shipments"], case.get("arrival_date"))
    document = kit.screen(
        shipments,
        rates=case.get("rates"),
        rates_dir=tmp_path,
        use_hts=_truthy(case.get("hts_table", "false")),
        default_arrival=case.get("default_arrival"),
    )
    results = kit.by_id(document)
    failures: list[str] = []
    for sid, expect in case["expect"].items():
        if sid not in results:
            failures.append(f"{sid}: not in the result (got {sorted(results)})")
            continue
        failures += [f"{sid}: {failure}" for failure in check_shipment(results[sid], expect)]
    summary = case.get("summary")
    if summary:
        got = document["summary"]
        if "shipments" in summary and int(summary["shipments"]) != got["shipments"]:
            failures.append(f"summary.shipments: expected {summary['shipments']}, got {got}")
        for decision, count in (summary.get("by_decision") or {}).items():
            if got["by_decision"].get(decision, 0) != int(count):
                failures.append(f"summary.by_decision.{decision}: expected {count}, got {got}")
    if failures:
        detail = "\n".join(
            f"  {s['shipment_id']}: {s.get('decision')} reasons={kit.codes(s.get('reasons') or [])} "
            f"issues={kit.codes(s.get('issues') or [])} value={s.get('value_usd')}"
            for s in document["shipments"]
        )
        pytest.fail("\n".join(failures) + "\nscreened:\n" + detail, pytrace=False)
