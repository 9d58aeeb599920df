"""The timeline of dated changes: the screening rules (``rules/data``) and the entry-cost
measures (``rules/measures``, as the costs apply them) in one list, for ``ace321 rules``."""

from __future__ import annotations

from ace321.costs.measures import Change, Measures, load_measures
from ace321.rules import RuleSet

__all__ = ["Change", "timeline"]


def timeline(rules: RuleSet, measures: Measures | None = None) -> list[Change]:
    """Every change, oldest first (then by parameter): the rules' parameters (MPF amounts by
    fiscal year among them) and the measures' rates and not-estimated duties."""
    changes = [Change(start, name, step.value, rules.parameters[name].unit, step.reference)
               for start, name, step in rules.timeline()]
    changes += (measures or load_measures()).changes()
    return sorted(changes, key=lambda change: (change.start, change.parameter))
