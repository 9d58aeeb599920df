"""Code lists of the ACE highway manifest, as data.

Source: BorderConnect's published code lists (``borderconnect.com/data/**``), as vendored in
``ace_emanifest.md`` §4.1.4 [C], and the BorderConnect JSON manual 1.0.7 (§4.1.2). The *codes* of
the shipment-type, trailer-type, travel-document and packaging-unit lists are confirmed [C].
Their *meanings* are confirmed where the reference gives them; the others are inferred [I]
from the X12 code lists the ACE codes come from (element 40 equipment description, element 103
packaging) and marked "[I]" in the text. A meaning the reference does not give and that could not
be inferred with confidence is left as ``UNKNOWN_MEANING``: the code is still valid.

The conveyance (truck) type list is not in the reference: only ``TR`` (tractor) is confirmed
(BorderConnect example, Trimble "TRACTOR(SEMI)"); the other codes are inferred, so an unlisted
truck type is only a warning in ``manifest.validation``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

UNKNOWN_MEANING: Final = "(meaning not recorded in the reference)"

SHIPMENT_TYPES: Final = MappingProxyType({
    "PAPS": "Pre-Arrival Processing System: the broker files the entry",
    "IN_BOND": "ACE in-bond",
    "QP_IN_BOND": "in-bond already filed through ABI (QP transaction) and referenced here",
    "GOODS_ASTRAY": "goods astray",
    "INTANGIBLES": "intangibles",
    "ATTACHED_CF7523": "free of duty (CBP Form 7523 attached)",
    "ATTACHED_CF3311": "returned American products (CBP Form 3311 attached)",
    "ATTACHED_CF3299": "personal shipment (CBP Form 3299 attached)",
    "CARNET": "ATA carnet",
})
"""BorderConnect JSON ``shipments[].type`` [C]; the QP_IN_BOND gloss is [I]."""

OBSOLETE_SHIPMENT_TYPES: Final = MappingProxyType({
    "SECTION 321": "Section 321 low-value shipment: CSV template only; CBP rejects it since 2025-08-29",
})

TRAILER_TYPES: Final = MappingProxyType({
    "2B": "20 ft container, open top [I]",
    "20": "20 ft container, closed top [I]",
    "4B": "40 ft container, open top [I]",
    "40": "40 ft container, closed top [I]",
    "TC": UNKNOWN_MEANING,
    "BI": UNKNOWN_MEANING,
    "CH": "chassis [I]",
    "RT": "controlled-temperature (reefer) trailer [I]",
    "TW": UNKNOWN_MEANING,
    "DD": "double-drop trailer [I]",
    "DT": UNKNOWN_MEANING,
    "RD": UNKNOWN_MEANING,
    "RS": UNKNOWN_MEANING,
    "FT": "flatbed trailer [I]",
    "FR": "flatbed trailer, removable sides [I]",
    "FH": "flatbed trailer with headboards [I]",
    "FN": "flatbed trailer, no headboards [I]",
    "RG": UNKNOWN_MEANING,
    "RO": UNKNOWN_MEANING,
    "CB": UNKNOWN_MEANING,
    "HC": UNKNOWN_MEANING,
    "HP": UNKNOWN_MEANING,
    "HO": UNKNOWN_MEANING,
    "HE": UNKNOWN_MEANING,
    "LT": UNKNOWN_MEANING,
    "NC": UNKNOWN_MEANING,
    "OE": UNKNOWN_MEANING,
    "CL": UNKNOWN_MEANING,
    "CU": UNKNOWN_MEANING,
    "CZ": UNKNOWN_MEANING,
    "TL": "trailer (not otherwise specified) [I]",
    "SD": UNKNOWN_MEANING,
    **{f"T{n}": UNKNOWN_MEANING for n in range(1, 9)},
    "TK": "tank [I]",
    **{f"L{n}": UNKNOWN_MEANING for n in range(1, 5)},
    "TF": "dry-freight trailer [I]",
})
"""BorderConnect trailer/equipment types, ``trailers[].type`` [C] (meanings mostly [I])."""

TRAVEL_DOCUMENT_TYPES: Final = MappingProxyType({
    "BCN": UNKNOWN_MEANING,
    "CON": UNKNOWN_MEANING,
    "CDN": UNKNOWN_MEANING,
    "5K": "commercial driver's licence (CDL); the issuing state/province is required",
    "HD": "US DOT hazardous-materials endorsement",
    "5J": "driver's licence",
    "6W": "enhanced driver's licence (EDL)",
    "BCP": UNKNOWN_MEANING,
    "AAG": UNKNOWN_MEANING,
    "ALY": UNKNOWN_MEANING,
    "AEW": "NEXUS card",
    "OTD": "other travel document",
    "ACW": "passport",
    "AGS": "permanent resident card (C1)",
    "ACU": "permanent resident card (C2)",
    "REP": "re-entry permit [I]",
    "RTP": "refugee travel permit [I]",
    "ALV": "SENTRI card",
    "AGR": "alien registration (A1)",
    "ALR": "alien registration (A2)",
    "ALX": UNKNOWN_MEANING,
    "AEF": "US passport card",
    "30": "immigrant visa",
    "AGT": "non-immigrant visa",
})
"""BorderConnect travel-document types, ``drivers[].travelDocuments[].type`` [C]."""

STATE_REQUIRED_DOCUMENTS: Final = frozenset({"5K"})
"""Travel documents that must name the issuing state/province [C] (``5K`` CDL)."""

HAZMAT_ENDORSEMENT: Final = "HD"
CDL: Final = "5K"

CONVEYANCE_TYPES: Final = MappingProxyType({
    "TR": "tractor (semi) [C]",
    "ST": "straight truck [I]",
    "PU": "pickup [I]",
    "BU": "bus [I]",
})
"""Truck (conveyance) types, ``truck.type``: 2 characters [C]; only TR is a confirmed code."""

PACKAGING_UNITS: Final = MappingProxyType({
    "BAG": "bag", "BLE": "bale", "BBL": "barrel", "BSK": "basket", "BIN": "bin",
    "BIC": "bing chest [I]", "BOX": "box", "BKT": "bucket", "BDL": "bundle", "CAN": "can",
    "CCS": "can case [I]", "CBY": "carboy [I]", "CAR": "carrier [I]", "CTN": "carton",
    "CAS": "case", "CSK": "cask", "CHS": "chest", "COL": "coil",
    "CBC": "containers of bulk cargo [I]", "COR": "core [I]", "CRT": "crate",
    "CYL": "cylinder", "DRM": "drum", "DBK": "dry bulk [I]", "GAL": "gallon [I]",
    "HMP": "hamper", "HED": "head (of livestock) [I]", "KEG": "keg", "LVN": "lift van [I]",
    "LBK": "liquid bulk [I]", "LOG": "log", "LUG": "lug [I]", "PKG": "package", "PAL": "pail",
    "PLT": "pallet", "PCL": "parcel", "PCS": "pieces", "POV": "private vehicle [I]",
    "QTR": "quarter (of beef) [I]", "REL": "reel", "ROL": "roll", "SAK": "sack",
    "SHT": "sheet", "SID": "side (of beef) [I]", "SKD": "skid", "TNK": "tank", "TIN": "tin",
    "TBN": "tote bin [I]", "TBE": "tube", "UNT": "unit", "VPK": "van pack [I]",
    "VEH": "vehicle", "WLC": "wheeled carrier [I]", "WDC": "wooden case [I]",
})
"""ACE packaging units, ``commodities[].packagingUnit`` (``^[A-Z]{3}$``) [C]."""

WEIGHT_UNITS: Final = MappingProxyType({"L": "pounds", "K": "kilograms"})
"""Weight units CBP accepts (X12 ``N1007``; LB and KG are normalised to L and K) [C]."""

__all__ = [
    "CDL",
    "CONVEYANCE_TYPES",
    "HAZMAT_ENDORSEMENT",
    "OBSOLETE_SHIPMENT_TYPES",
    "PACKAGING_UNITS",
    "SHIPMENT_TYPES",
    "STATE_REQUIRED_DOCUMENTS",
    "TRAILER_TYPES",
    "TRAVEL_DOCUMENT_TYPES",
    "UNKNOWN_MEANING",
    "WEIGHT_UNITS",
]
