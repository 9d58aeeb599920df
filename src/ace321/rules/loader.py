"""Load and check the YAML parameter files.

A broken file stops the program at start-up with a message naming the file and the key: an
unknown key, a duplicate or unparseable date, a value without a reference, a wrong type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ace321.rules.parameters import RuleError, dated_values, read_tree, read_yaml, require_keys
from ace321.rules.ruleset import Parameter, RuleSet, Step

__all__ = ["DATA_DIR", "RuleError", "load_rules"]

DATA_DIR = Path(__file__).parent / "data"
MANIFEST_FILE = "rules.yaml"

PARAMETER_KEYS = {"description", "metadata", "values", "documentation"}
METADATA_KEYS = {"unit", "reference"}
MANIFEST_KEYS = {"label", "compiled", "coverage_start", "source", "disclaimer"}


def _unit_check(unit: str) -> Callable[[Any], bool]:
    if unit.startswith("currency:"):
        return lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v >= 0)
    if unit == "percent":
        return lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100)
    if unit == "boolean":
        return lambda v: isinstance(v, bool)
    if unit.startswith("list:"):
        return lambda v: isinstance(v, list) and all(isinstance(item, str) for item in v)
    raise RuleError(f"unknown unit {unit!r}")


def _parameter(path: Path, name: str) -> Parameter:
    where = f"{path} ({name})"
    document = read_yaml(path, where)
    require_keys(where, document, PARAMETER_KEYS, ("description", "metadata", "values"))
    metadata = document["metadata"]
    require_keys(where, metadata, METADATA_KEYS, ("unit",), prefix="metadata.")
    unit = str(metadata["unit"])
    try:
        fits = _unit_check(unit)
    except RuleError as error:
        raise RuleError(f"{where}: metadata.unit: {error}") from None
    steps = tuple(Step(start=dated.start, value=dated.value, reference=dated.reference)
                  for dated in dated_values(where, document["values"], unit=unit, fits=fits))
    return Parameter(
        name=name,
        description=str(document["description"]),
        unit=unit,
        reference=str(metadata.get("reference", "")),
        steps=steps,
        source_file=str(path),
    )


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Load every parameter under ``directory`` (default: the bundled rules) and check it."""
    tree = read_tree(Path(directory) if directory is not None else DATA_DIR, MANIFEST_FILE,
                     MANIFEST_KEYS, "rule-set")
    coverage_start = tree.manifest.get("coverage_start")
    if not isinstance(coverage_start, dt.date):
        raise RuleError(f"{tree.root / MANIFEST_FILE}: coverage_start must be a date (YYYY-MM-DD)")
    parameters: dict[str, Parameter] = {}
    for path in tree.files:
        name = ".".join(path.relative_to(tree.root).with_suffix("").parts)
        parameter = _parameter(path, name)
        if parameter.steps[0].start > coverage_start:
            raise RuleError(f"{path} ({name}): first value starts after coverage_start {coverage_start}")
        parameters[name] = parameter
    return RuleSet(
        version=tree.version,
        label=tree.label,
        coverage_start=coverage_start,
        disclaimer=str(tree.manifest.get("disclaimer", "")),
        parameters=parameters,
    )
