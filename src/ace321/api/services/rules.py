"""The regime in force on a day, with references."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ace321.api.problems import ApiProblem, issue
from ace321.rules import RuleSet


def regime(rules: RuleSet, on: dt.date) -> dict[str, Any]:
    try:
        found = rules.at(on)
    except ValueError as error:
        raise ApiProblem(422, str(error), code="INVALID_DATE", issues=[
            issue("INVALID_DATE", str(error), field="on")]) from None
    return {
        "on": on.isoformat(), "rules_version": rules.version, "disclaimer": rules.disclaimer,
        "parameters": [{
            "name": name, "description": rules.parameters[name].description,
            "unit": rules.parameters[name].unit, "value": step.value,
            "since": step.start.isoformat(), "reference": step.reference,
        } for name, step in found.steps.items()],
    }
