"""X12 code tables for ACE truck messages (confirmed values; inferred usage lives in
``assumptions.py``). Sources are the sections of ``ace_emanifest.md`` named on each table.
"""

from __future__ import annotations

# Element 479, Functional Identifier Code, by transaction set (§1.2) [C].
FUNCTIONAL_IDENTIFIERS: dict[str, str] = {
    "309": "AQ",  # Customs Manifest
    "358": "BD",  # Customs Consist Information
    "353": "AX",  # Customs Events Advisory Details
    "355": "AZ",  # Customs Acceptance/Rejection
    "350": "AU",  # Customs Status Information
    "997": "FA",  # Functional Acknowledgment
}

# Element 256, Manifest Type Code, truck usage (§2.2.1) [C].
MANIFEST_TYPES: dict[str, str] = {
    "W": "Original (complete) manifest",
    "P": "Preliminary manifest",
    "Y": "Amendment",
    "X": "Updating",
    "S": "Consist manifest",
    "M": "Driver information update",
    "Z": "Sent from US Customs / end of manifest (353)",
}

# Element 582, Bill of Lading Type Code, X12 standard list (§2.2.1) [C].
BILL_OF_LADING_TYPES: dict[str, str] = {
    "00": "Neither",
    "01": "Space charter",
    "10": "Master in-bond",
    "11": "Both",
    "12": "Empty equipment",
    "13": "Section 321",
    "14": "Intangible goods",
    "15": "Returned goods",
    "16": "Gifts",
    "17": "Monthly manifest",
    "18": "Returned American goods",
    "19": "New equipment first transborder",
    "20": "Track 4 release eligible",
}

# Bill of lading type values CBP truck filers send besides the standard list (§2.2.1,
# TMW ``edi_309_freight_record.sql``) [C-impl].
CBP_BILL_OF_LADING_TYPES: dict[str, str] = {
    "24": "BRASS (CBP release number / C4 code present)",
    "83": "CF7523",
    "84": "CF3311",
    "85": "CF3299 / household goods",
}

# ISA08 / GS03 receiver IDs (§2.1) [C-impl: TMWSuite accepts exactly these two].
RECEIVER_PRODUCTION = "CBP-ACE"
RECEIVER_TEST = "CBP-ACE-TEST"

# NM101 entity codes for people on the trip (§2.2.1) [C-impl TMW edi_309_crew_record.sql].
ENTITY_DRIVER = "EJ"  # person in charge
ENTITY_CREW = "CRW"
ENTITY_PASSENGER = "QF"

# Port of lading (Schedule K) by Canadian province of loading (§3.7) [C-impl TMW];
# whether CBP still accepts these codes is unverified.
SCHEDULE_K_BY_PROVINCE: dict[str, str] = {
    "AB": "80101",
    "MB": "80102",
    "SK": "80103",
    "NT": "80104",
    "YT": "80105",
    "BC": "80106",
    "ON": "80107",
    "QC": "80108",
    "PQ": "80108",
    "NS": "80109",
    "NB": "80110",
    "PE": "80111",
    "NF": "80112",
    "NL": "80112",  # NL is today's code for NF; the mapping to 80112 is ours [I]
}

# Canadian provinces and territories (ISO 3166-2:CA), to tell a plate's country from its
# province when the manifest gives none.
CANADIAN_PROVINCES: frozenset[str] = frozenset(
    {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
)
