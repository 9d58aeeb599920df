"""BorderConnect code tables used by the JSON and CSV connectors.

Source: BorderConnect's published code lists (``borderconnect.com/data/**``) and its ACE JSON
reference manual 1.0.7, as transcribed in ``ace_emanifest.md`` §4.1.2 and §4.1.4 [C], and the
ACE Shipment CSV upload wiki page, §4.2 [C]. The JSON Schema
(``schemas/ace_trip.schema.json``) repeats these lists as enums; a test keeps them equal.
"""

from __future__ import annotations

# §4.1.4 "ACE shipment types" [C], plus "SECTION 321": the CSV template's value [C], which
# BorderConnect accepted until CBP stopped taking Section 321 manifest shipments (2025-08-29).
# That the JSON API used the same spelling is an assumption [I]: the JSON list no longer has it.
SHIPMENT_TYPES: tuple[str, ...] = (
    "PAPS",
    "IN_BOND",
    "QP_IN_BOND",
    "GOODS_ASTRAY",
    "INTANGIBLES",
    "ATTACHED_CF7523",
    "ATTACHED_CF3311",
    "ATTACHED_CF3299",
    "CARNET",
    "SECTION 321",
)

# §4.2: shipment type values of the CSV upload; case-sensitive [C].
CSV_SHIPMENT_TYPES: tuple[str, ...] = ("PAPS", "SECTION 321", "INTANGIBLES", "ATTACHED_CF7523")

# §4.1.2 operation-types.json [C].
OPERATIONS: tuple[str, ...] = ("CREATE", "UPDATE", "DELETE", "SYNC", "CANCEL_SYNC")

# §4.1.2 instrumentsOfInternationalTrafficBond.type [C].
IIT_BOND_TYPES: tuple[str, ...] = ("CARRIER", "IMPORTER")

# §4.1.4 trailer / equipment types [C] (T1-T8 and L1-L4 spelled out).
TRAILER_TYPES: tuple[str, ...] = (
    "2B", "20", "4B", "40", "TC", "BI", "CH", "RT", "TW", "DD", "DT", "RD", "RS", "FT", "FR",
    "FH", "FN", "RG", "RO", "CB", "HC", "HP", "HO", "HE", "LT", "NC", "OE", "CL", "CU", "CZ",
    "TL", "SD", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "TK", "L1", "L2", "L3", "L4",
    "TF",
)

# §4.1.4 travel document types [C].
TRAVEL_DOCUMENT_TYPES: tuple[str, ...] = (
    "BCN", "CON", "CDN", "5K", "HD", "5J", "6W", "BCP", "AAG", "ALY", "AEW", "OTD", "ACW",
    "AGS", "ACU", "REP", "RTP", "ALV", "AGR", "ALR", "ALX", "AEF", "30", "AGT",
)

# §4.1.4 ACE packaging units [C].
PACKAGING_UNITS: tuple[str, ...] = (
    "BAG", "BLE", "BBL", "BSK", "BIN", "BIC", "BOX", "BKT", "BDL", "CAN", "CCS", "CBY", "CAR",
    "CTN", "CAS", "CSK", "CHS", "COL", "CBC", "COR", "CRT", "CYL", "DRM", "DBK", "GAL", "HMP",
    "HED", "KEG", "LVN", "LBK", "LOG", "LUG", "PKG", "PAL", "PLT", "PCL", "PCS", "POV", "QTR",
    "REL", "ROL", "SAK", "SHT", "SID", "SKD", "TNK", "TIN", "TBN", "TBE", "UNT", "VPK", "VEH",
    "WLC", "WDC",
)

# §4.1.2 commodities[].loadedOn.type, as in the official ACE_TRIP example [C].
LOADED_ON_TYPES: tuple[str, ...] = ("TRAILER", "TRUCK")

# §3.4: ACE keeps 45 characters of a commodity description; the CSV upload enforces it [C].
DESCRIPTION_MAX = 45
