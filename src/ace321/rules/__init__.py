"""Dated rule parameters (OpenFisca style): YAML files, each value with its start date and legal reference.

Use ``load_rules()`` once at start-up; ``RuleSet.at(day)`` gives the regime in force on a day.
"""

from ace321.rules.loader import RuleError, load_rules
from ace321.rules.ruleset import Parameter, Regime, RuleSet, Step

__all__ = ["Parameter", "Regime", "RuleError", "RuleSet", "Step", "load_rules"]
