"""Entry costs after screening: duty by the HTS and the dated additional duties, the Merchandise
Processing Fee, and entry planning per conveyance (``plan``)."""

from ace321.costs.duty import Costs, estimate

__all__ = ["Costs", "estimate"]
