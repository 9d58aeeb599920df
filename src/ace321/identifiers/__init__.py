"""Identifiers of the ACE truck manifest, one module each, in python-stdnum style.

Every module has the same face: ``compact(s)`` (clean spacing and case), ``validate(s)`` (the
clean form, or a ``ValueError`` from ``ace321.identifiers.exceptions``) and ``is_valid(s)``
(never raises). Use them as namespaces::

    from ace321.identifiers import vin
    vin.is_valid("1FUJGLDR3CLBP8834")
"""

from __future__ import annotations

from ace321.identifiers import (
    exceptions,
    fast_card,
    port_code,
    scac,
    scn,
    trip_number,
    un_number,
    vin,
)

__all__ = ["exceptions", "fast_card", "port_code", "scac", "scn", "trip_number", "un_number", "vin"]
