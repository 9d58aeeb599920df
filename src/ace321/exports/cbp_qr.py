"""The CBP QR code for the ACE truck manifest cover sheet (CBP "Truck Manifest QR Specifications", 2020).

What the specification is known to say (``ace_emanifest.md`` §3.8, via mti-worldwide.com's summary
of the CBP PDF): five fixed-width fields,

======================  =====  ==========================================================
field                   width  content
======================  =====  ==========================================================
data layout version     3      version of this layout
trip ID                 25     the carrier's ACE trip number
estimated arrival date  8      ``yyyymmdd``
tractor plate 1         12     ISO country (2) + administrative unit (3) + plate number (7)
tractor plate 2         12     same layout; blank when the tractor has only one plate
======================  =====  ==========================================================

that is 60 data characters, "64 with a single-character delimiter between the data elements".
The case of more than two plates "is not covered" by CBP; we encode the first two.

CSMS #64710039 (April 2025) says CBP could not read QR codes that contained "+" signs or
"erroneous numerical characters". So this module never writes a "+", never fills with digits,
and refuses (``ValueError``) any value that does not fit its field instead of truncating it.

The exact version value, delimiter and fill character are in the CBP PDF, which we have not read.
Our assumptions are the three constants below (:data:`LAYOUT_VERSION`, :data:`DELIMITER`,
:data:`FILL`); change them there and nowhere else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pycountry

if TYPE_CHECKING:
    from ace321.manifest.model import LicensePlate, Manifest

# --- ASSUMPTIONS (the CBP QR PDF was not available; see the module docstring) --------------------
#: [I] Data layout version: the first (2020) layout, written as three digits.
LAYOUT_VERSION = "001"
#: [I] The single-character delimiter between the five fields (the spec counts 4 of them:
#: 60 + 4 = 64). "|" never occurs in a trip number, date or plate, so a reader can split on it;
#: it is deliberately not "+" (CSMS #64710039).
DELIMITER = "|"
#: [I] Fill character: fields are left-aligned and padded on the right with spaces (never with
#: digits: CSMS #64710039 warns about "erroneous numerical characters"). An absent second plate is
#: 12 fill characters, so the payload always has the fixed length :data:`PAYLOAD_LENGTH`.
FILL = " "
# ---------------------------------------------------------------------------------------------------

VERSION_WIDTH = 3
TRIP_ID_WIDTH = 25
DATE_WIDTH = 8
COUNTRY_WIDTH = 2
ADMIN_UNIT_WIDTH = 3
PLATE_NUMBER_WIDTH = 7
PLATE_WIDTH = COUNTRY_WIDTH + ADMIN_UNIT_WIDTH + PLATE_NUMBER_WIDTH  # 12
DATA_LENGTH = VERSION_WIDTH + TRIP_ID_WIDTH + DATE_WIDTH + 2 * PLATE_WIDTH  # 60
PAYLOAD_LENGTH = DATA_LENGTH + 4 * len(DELIMITER)  # 64

_ALNUM = re.compile(r"^[A-Z0-9]*$")
# Characters a plate number may be written with that are not part of it (e.g. "ABC-123", "AB 123").
_PLATE_SEPARATORS = re.compile(r"[\s\-.]")


def qr_payload(manifest: Manifest) -> str:
    """The text to encode in the cover sheet's CBP QR code: 64 characters, fixed layout.

    Raises ``ValueError`` (naming the value) when the trip number or a plate does not fit its
    field, contains a character other than A-Z/0-9, or a plate's country cannot be told.
    """
    trip = manifest.trip
    plates = trip.truck.license_plates
    if not plates:
        raise ValueError(
            f"truck {trip.truck.number!r} has no licence plate: the CBP QR code needs tractor plate 1"
        )
    fields = [
        _fixed(LAYOUT_VERSION, VERSION_WIDTH, "layout version"),
        _fixed(_checked_trip_id(manifest.trip_number), TRIP_ID_WIDTH, "trip number"),
        trip.estimated_arrival.strftime("%Y%m%d"),
        plate_field(plates[0]),
        plate_field(plates[1]) if len(plates) > 1 else FILL * PLATE_WIDTH,
    ]
    payload = DELIMITER.join(fields)
    assert len(payload) == PAYLOAD_LENGTH and "+" not in payload, payload
    return payload


def plate_field(plate: LicensePlate) -> str:
    """One 12-character plate field: ISO country (2) + administrative unit (3) + plate number (7).

    The number is upper-cased and written without spaces, hyphens or dots; a number or
    administrative unit longer than its field is an error, not truncated.
    """
    number = _PLATE_SEPARATORS.sub("", plate.number).upper()
    unit = plate.state_province.strip().upper()
    label = f"licence plate {plate.number!r} ({plate.state_province})"
    if not number or not _ALNUM.match(number):
        raise ValueError(f"{label}: the plate number must be letters and digits only")
    if len(number) > PLATE_NUMBER_WIDTH:
        raise ValueError(
            f"{label}: the plate number has {len(number)} characters; the CBP QR code holds "
            f"{PLATE_NUMBER_WIDTH} (it is not truncated)"
        )
    if not unit or not _ALNUM.match(unit) or len(unit) > ADMIN_UNIT_WIDTH:
        raise ValueError(
            f"{label}: the state/province must be 1 to {ADMIN_UNIT_WIDTH} letters or digits"
        )
    country = _plate_country(plate, unit, label)
    return (
        country + _fixed(unit, ADMIN_UNIT_WIDTH, label) + _fixed(number, PLATE_NUMBER_WIDTH, label)
    )


def _plate_country(plate: LicensePlate, unit: str, label: str) -> str:
    if plate.country:
        country = plate.country.strip().upper()
        if len(country) != COUNTRY_WIDTH or pycountry.countries.get(alpha_2=country) is None:
            raise ValueError(f"{label}: {plate.country!r} is not an ISO 3166 alpha-2 country code")
        return country
    # No country given: infer it only where a US state and a Canadian province code cannot be
    # confused. Mexican (and other) plates must say their country (e.g. Baja California "BC" would
    # otherwise be read as British Columbia).
    matches = [
        cc for cc in ("US", "CA") if pycountry.subdivisions.get(code=f"{cc}-{unit}") is not None
    ]
    if len(matches) != 1:
        raise ValueError(
            f"{label}: no country given and {unit!r} is not a US state or Canadian province code"
        )
    return matches[0]


def _checked_trip_id(trip_number: str) -> str:
    # Checked, not normalised: the QR code must carry the trip number exactly as filed with ACE.
    if not trip_number or not _ALNUM.match(trip_number):
        raise ValueError(f"trip number {trip_number!r}: must be upper-case letters and digits only")
    return trip_number


def _fixed(value: str, width: int, what: str) -> str:
    if len(value) > width:
        raise ValueError(
            f"{what} {value!r} has {len(value)} characters; the CBP QR field holds {width}"
        )
    return value.ljust(width, FILL)
