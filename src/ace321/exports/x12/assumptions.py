"""Every inferred choice of the X12 309 writer, in one place, to be checked against CBP's
"ACE Truck Manifest ANSI X12 309" implementation guide (not readable when this was written).

Each constant names the assumption and the section of ``ace_emanifest.md`` it rests on.
Confirmed values ([C], [C-impl]) live in ``codes.py``; what is here is [I] unless said.
Correcting the layout should mean editing this module only.
"""

from __future__ import annotations

# --- Envelope (§2.1) -------------------------------------------------------------------------

# ISA05/ISA07 interchange ID qualifiers: "ZZ" (mutually defined), by analogy with the
# EDIFACT ":ZZ" CBP uses (§2.1 [I]).
ISA_SENDER_QUALIFIER = "ZZ"
ISA_RECEIVER_QUALIFIER = "ZZ"

# ISA12 interchange control version and GS08 version/release: the 309 IG says the truck 309
# uses X12 5020 as its base (§2.1 [C]); that GS08 is exactly "005020" (no CBP suffix such as
# the historical "004060USCBP") is [I].
ISA_VERSION = "00502"
GS_VERSION = "005020"

# GS07 responsible agency: "X" (ASC X12), the only sensible value (§2.1 [I]).
GS_AGENCY = "X"

# ISA14 acknowledgment requested: "0"; CBP answers with a 997 anyway (§1.2 [I]).
ISA_ACK_REQUESTED = "0"

# Sender ID (ISA06 / GS02): the carrier's SCAC (§2.1: "usually the filer's SCAC or
# CBP-assigned filer ID" [I]). ``manifest_309(sender_id=...)`` overrides it.

# --- Heading (§2.2, §2.2.1) ------------------------------------------------------------------

# M1002 transportation method code (element 91): "J" = motor (§2.2.1 [I]).
TRANSPORTATION_METHOD = "J"

# M1003 country: the country of the truck's first licence plate (given, or told from a
# Canadian province; otherwise US) (§2.2.1 [I]).

# M1007 carries the trip number: M1006 (flight/voyage) holds only 10 characters and trip
# numbers run to 25 (§2.2.1 "Open question: check the IG" [I]).
TRIP_NUMBER_ELEMENT = "M1007"
M10_TRIP_NUMBER_POSITION = 7
TRIP_NUMBER_MAX = 25

# N9 in the heading carries the truck's USDOT number, qualifier "DOT" (§2.2 [I]).
DOT_NUMBER_QUALIFIER = "DOT"

# VEH, one per unit (truck first, then trailers in order), positions (§2.2.1 VEH table [I]):
# VEH01 = sequence number of the unit on the trip; VEH02 = VIN (truck only);
# VEH07 = conveyance/equipment type code (TR, TL...); VEH09/VEH10 = licence plate number and
# state/province; VEH17 = plate country; VEH18 = unit number. ACE IDs (VEH21/22, CBP error
# 401) are not sent: the manifest gives full details instead.
VEH_SEQUENCE = 1
VEH_VIN = 2
VEH_TYPE = 7
VEH_PLATE_NUMBER = 9
VEH_PLATE_STATE = 10
VEH_PLATE_COUNTRY = 17
VEH_UNIT_NUMBER = 18
# One plate per VEH: a unit with more plates is refused rather than silently cut (§2.2.1 [I]).
VEH_MAX_PLATES = 1

# M7 in the heading carries the truck's seals, M701-M704 (§2.2 heading "M7 (x1)" [I]).
TRUCK_SEALS_MAX = 4

# CII carries the hazmat insurance: CII01 insurer, CII02 policy number, CII03 year issued,
# CII04 currency "USD", CII05 amount (§2.2.1 NM1/DMG/CII table [C] for the element meaning;
# that CBP uses it for this is [I]).
INSURANCE_CURRENCY = "USD"

# NM1 loop, people: NM101 entity code (codes.ENTITY_*: the first driver is the person in
# charge EJ, further drivers CRW, passengers QF [C-impl]); NM102 "1" (person); NM103 last name;
# NM104 first name (§2.2.1 [I] for positions).
PERSON_ENTITY_TYPE = "1"
NAME_MAX = 30  # BorderConnect's limit for first and last names (§3.5 [C])
# DMG: DMG01 "D8", DMG02 date of birth CCYYMMDD, DMG03 gender, DMG07 citizenship country
# (§2.2.1 [C] for DMG; its use for crew is [I]).
DATE_QUALIFIER = "D8"
# REF per travel document: REF01 = the ACE travel-document code itself (5K, ACW, AEW...,
# which look like X12 element 128 codes), REF02 = number, REF03 = issuing state/province, or
# the country when no state is given (§3.5, §4.1.4 [I]).
# A FAST card is REF*<FAST_CARD_QUALIFIER>*<number>*FAST (§3.2 [I]; no code confirmed).
FAST_CARD_QUALIFIER = "ZZ"
FAST_CARD_DESCRIPTION = "FAST"
TRAVEL_DOCUMENT_NUMBER_MAX = 30

# The broker (trip level in the model) as NM1*CB*2*<name>*****<qualifier>*<filer code>
# (§2.2, §3.3 "broker identification optional" [I]).
BROKER_ENTITY = "CB"
ORGANISATION_ENTITY_TYPE = "2"
BROKER_ID_QUALIFIER = "ZZ"

# P4: P401 US port (Schedule D), P402 arrival date CCYYMMDD, P403 number of bills,
# P405 arrival time HHMM, both in the port's local time, the offset the trip gives
# (§2.2.1 P4 table [C] for elements; one P4 per manifest is [I]).

# --- Detail, one LX loop per shipment (§2.2 "Therefore [I]") -------------------------------

# M11: M1101 bill number = the SCN without its first 4 characters (at most 12);
# M1112 = the SCN's first 4 characters, the SCAC of the bill's issuer (CBP error 017 [C]);
# M1102 = port of lading, Schedule K: a 5-digit province_of_loading is sent as given,
# a Canadian province through codes.SCHEDULE_K_BY_PROVINCE [C-impl], anything else is refused;
# M1103/M1104 = total quantity and the packaging unit (MIXED_PACKAGING_UNIT when commodities
# differ); M1105/M1106 = total weight in the first commodity's unit (others converted and
# rounded up); M1109 = bill of lading type (below).
BILL_NUMBER_MAX = 12
MIXED_PACKAGING_UNIT = "PKG"
POUNDS_PER_KILOGRAM = "2.20462262185"

# M1109 bill of lading type by shipment type: 13 = Section 321 [C-impl TMW], 00 = PAPS /
# normal [C-impl TMW], 14 = intangibles (standard 582 list), 83/84/85 = CF7523/3311/3299
# [C-impl]. Other types (in-bond, goods astray, carnet...) are refused: their X12 needs data
# (M12...) the model does not hold.
BILL_TYPE_BY_SHIPMENT_TYPE: dict[str, str] = {
    "PAPS": "00",
    "SECTION 321": "13",
    "INTANGIBLES": "14",
    "ATTACHED_CF7523": "83",
    "ATTACHED_CF3311": "84",
    "ATTACHED_CF3299": "85",
}

# Parties: N1*SH (shipper) and N1*CN (consignee), then N3 (address line) and N4 (city, state,
# postal code, country). Lengths are the 5020 element sizes; §3.5 suggests 35/30 as "safe"
# for older receivers [I].
SHIPPER_ENTITY = "SH"
CONSIGNEE_ENTITY = "CN"
PARTY_NAME_MAX = 60
ADDRESS_LINE_MAX = 55
CITY_MAX = 30
POSTAL_CODE_MAX = 15

# Commodities are grouped by the unit they are loaded on: VID*<type code>*<initial>*<number>
# *<seal 1>*<seal 2>, then M7 with seals 3 to 6, then the N10s of that unit. VID02 (equipment
# initial, mandatory) = the carrier's SCAC (§2.2 older 309 detail "VID (+M7)", "N10 loop" [I]).
VID_SEALS = 2
VID_M7_SEALS = 4

# N10: N1001 quantity, N1002 description (45), N1003 marks (48; several marks joined by a
# space), N1004 commodity code qualifier "H" (HTS), N1005 HTS number, N1006 value in whole
# US dollars rounded up (never understated), at least 2 digits, N1007 weight unit (L/K),
# N1008 weight, N1010 manifest unit code (packaging unit), N1011 country of origin
# (§2.2.1 N10 table [C] for elements; qualifier, rounding and padding are [I]).
DESCRIPTION_MAX = 45
MARKS_MAX = 48
HTS_QUALIFIER = "H"
VALUE_MIN_DIGITS = 2

# Hazmat: H1*<UN number>*<qualifier U>***<contact name> then H2*<24-hour phone>
# (§2.2 "N10 loop: ..., H1, H2", §3.4 hazmat [I]).
HAZMAT_QUALIFIER = "U"
HAZMAT_CONTACT_MAX = 24
HAZMAT_PHONE_MAX = 30
