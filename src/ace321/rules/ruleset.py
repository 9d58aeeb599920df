"""Dated parameters and the regime they form on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Step:
    """One value of a parameter, in force from ``start`` until the next step's start."""

    start: dt.date
    value: Any
    reference: str


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    steps: tuple[Step, ...]
    source_file: str

    def step_at(self, day: dt.date) -> Step | None:
        """The step in force on ``day`` (start dates are inclusive), or None before the first."""
        found = None
        for step in self.steps:
            if step.start <= day:
                found = step
            else:
                break
        return found


@dataclass(frozen=True)
class Regime:
    """Every parameter's step in force on one day."""

    day: dt.date
    steps: dict[str, Step]
    version: str

    def value(self, name: str) -> Any:
        return self.steps[name].value

    def reference(self, name: str) -> str:
        return self.steps[name].reference

    def since(self, name: str) -> dt.date:
        return self.steps[name].start

    def money(self, name: str) -> Decimal | None:
        value = self.value(name)
        return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class RuleSet:
    version: str
    label: str
    coverage_start: dt.date
    disclaimer: str
    parameters: dict[str, Parameter]

    def covers(self, day: dt.date) -> bool:
        return day >= self.coverage_start

    def at(self, day: dt.date) -> Regime:
        """The regime in force on ``day``; raises ValueError before the rules' coverage starts."""
        if not self.covers(day):
            raise ValueError(f"{day} is before the rules' coverage, which starts {self.coverage_start}")
        steps = {}
        for name, parameter in self.parameters.items():
            step = parameter.step_at(day)
            if step is None:
                raise ValueError(f"parameter {name} has no value on {day}")
            steps[name] = step
        return Regime(day=day, steps=steps, version=self.version)

    def timeline(self) -> list[tuple[dt.date, str, Step]]:
        """Every change of every parameter, oldest first."""
        changes = [
            (step.start, name, step)
            for name, parameter in self.parameters.items()
            for step in parameter.steps
        ]
        return sorted(changes, key=lambda change: (change[0], change[1]))
