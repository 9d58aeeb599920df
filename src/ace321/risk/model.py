"""The risk model as dated rule data: signals' weights and thresholds, band limits, history window.

Like the screening rules (``ace321.rules``), every value has a start date (inclusive) and its own
reference, so a compliance lead can tune a threshold and a score can be replayed. The loader
refuses an unknown key, a value without a reference or of the wrong unit, naming file and key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ace321.rules.parameters import RuleError, dated_values, read_tree, read_yaml, require_keys
from ace321.rules.ruleset import Step

DATA_DIR = Path(__file__).parent / "data"
MANIFEST_FILE = "risk.yaml"
_MANIFEST_KEYS = {"label", "compiled", "source", "disclaimer"}
_FILE_KEYS = {"code", "description", "reference", "parameters"}
_PARAMETER_KEYS = {"unit", "values"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


_UNITS = {
    "points": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100,
    "count": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
    "days": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "number": _is_number,
    "list:string": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
}


@dataclass(frozen=True)
class RiskParameter:
    name: str  # "<file>.<parameter>", e.g. "undervalued.min_sample"
    unit: str
    steps: tuple[Step, ...]

    def at(self, day: dt.date) -> Step:
        found = self.steps[0]
        for step in self.steps:
            if step.start <= day:
                found = step
            else:
                break
        return found


@dataclass(frozen=True)
class Signal:
    """A signal's code, what it means and the reference shown with it."""

    code: str
    description: str
    reference: str


@dataclass(frozen=True)
class RiskModel:
    version: str
    label: str
    disclaimer: str
    signals: dict[str, Signal]  # by file name ("undervalued")
    parameters: dict[str, RiskParameter]

    def value(self, name: str, day: dt.date) -> Any:
        """The parameter ``name`` in force on ``day`` (the first value before its first date)."""
        return self.parameters[name].at(day).value

    def values_on(self, day: dt.date) -> dict[str, Any]:
        return {name: parameter.at(day).value for name, parameter in self.parameters.items()}

    def reference(self, signal: str) -> str:
        return self.signals[signal].reference

    def code(self, signal: str) -> str:
        return self.signals[signal].code


def _steps(where: str, unit: str, values: Any) -> tuple[Step, ...]:
    fits = _UNITS.get(unit)
    if fits is None:
        raise RuleError(f"{where}: unknown unit {unit!r}")
    return tuple(Step(start=dated.start, value=dated.value, reference=dated.reference)
                 for dated in dated_values(where, values, unit=unit, fits=fits))


def load_model(directory: Path | str | None = None) -> RiskModel:
    """Load every file under ``directory`` (default: the bundled risk model) and check it."""
    root = Path(directory) if directory is not None else DATA_DIR
    tree = read_tree(root, MANIFEST_FILE, _MANIFEST_KEYS, "risk-model")
    signals: dict[str, Signal] = {}
    parameters: dict[str, RiskParameter] = {}
    for path in tree.files:
        name = path.stem
        where = str(path)
        document = read_yaml(path)
        require_keys(where, document, _FILE_KEYS, ("description", "parameters"))
        if "code" in document:
            if not isinstance(document.get("reference"), str) or not document["reference"].strip():
                raise RuleError(f"{where}: a signal needs a reference")
            signals[name] = Signal(str(document["code"]), str(document["description"]),
                                   document["reference"].strip())
        if not isinstance(document["parameters"], dict):
            raise RuleError(f"{where}: parameters must be a mapping")
        for pname, spec in document["parameters"].items():
            pwhere = f"{where} (parameters.{pname})"
            require_keys(pwhere, spec, _PARAMETER_KEYS, ("unit", "values"))
            parameters[f"{name}.{pname}"] = RiskParameter(
                f"{name}.{pname}", str(spec["unit"]), _steps(pwhere, str(spec["unit"]), spec["values"]))
    for needed in ("bands.medium", "bands.high", "history.lookback_days"):
        if needed not in parameters:
            raise RuleError(f"{root}: missing parameter {needed}")
    return RiskModel(
        version=tree.version,
        label=tree.label,
        disclaimer=str(tree.manifest.get("disclaimer", "")),
        signals=signals,
        parameters=parameters,
    )
