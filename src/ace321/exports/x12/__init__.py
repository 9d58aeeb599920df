"""ANSI X12 for ACE truck: the 309 writer (``x12_309``), a reader for envelopes and CBP's
answers (``reader``), code tables (``codes``) and the writer's inferred layout (``assumptions``).
"""

from ace321.exports.x12.reader import Interchange, parse_interchange
from ace321.exports.x12.x12_309 import interchange_segments, manifest_309, transaction_set

__all__ = [
    "Interchange",
    "interchange_segments",
    "manifest_309",
    "parse_interchange",
    "transaction_set",
]
