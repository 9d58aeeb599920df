"""What CBP sends back about a manifest: the known codes, and BorderConnect's ACE_RESPONSE.

Every inbound message (an X12 355 or 350, read by ``exports.x12.responses``, or a BorderConnect
``ACE_RESPONSE`` JSON document, read here) becomes a list of ``CbpMessage``: one per code, about
the trip (``scn`` None) or about one shipment (its SCN). ``CODES`` says what each known code
means and what it does to the stored trip and shipments (``Effect``). A code not in the table is
kept as it came, with ``known`` False: the storage layer stores it and reports it, and changes
no status because of it.

Codes and texts: ``ace_emanifest.md`` §5.1 (355: CBP message codes, [C-impl] or [C] as marked
there) and §5.2 (350: status codes [C-impl], CAMIR Appendix D dispositions [C]). Which effect a
code has is our reading of its meaning [I].

The BorderConnect ``ACE_RESPONSE`` shape is only known in outline (§4.1.3: a
``processingResponse``, ``validationResponses`` and a ``tripStatus`` such as ``"HTR"``), so
this reader accepts the following document, and ignores other keys [I]::

    {"data": "ACE_RESPONSE", "tripNumber": "MAPL20261123A",
     "processingResponse": {"shipmentsAccepted": 2, "shipmentsRejected": 1,
                            "message": "Shipments Rejected [1], Shipments Accepted [2] ..."},
     "validationResponses": [{"code": "060", "message": "BILL REJECTED",
                              "shipmentControlNumber": "MAPL000000000003"}],
     "shipments": [{"shipmentControlNumber": "MAPL000000000001", "status": "ACCEPTED"},
                   {"shipmentControlNumber": "MAPL000000000003", "status": "REJECTED",
                    "code": "060", "message": "BILL REJECTED"}],
     "tripStatus": "HTR"}

- ``processingResponse``: the trip is on file (``BC_ACCEPTED``) when at least one shipment
  was accepted or none was sent, rejected (``BC_REJECTED``) when every shipment was rejected;
- ``validationResponses[]``: each a CBP code (``code``) and text (``message`` or ``text``),
  about a shipment when ``shipmentControlNumber`` (or ``scn``) is given, else about the trip;
- ``shipments[]`` (per-shipment results, when present): ``status`` ``ACCEPTED`` or
  ``REJECTED`` (``BC_SHIPMENT_ACCEPTED`` / ``BC_SHIPMENT_REJECTED``), with an optional CBP
  ``code`` and ``message``;
- ``tripStatus``: looked up in ``CODES`` like any code (BorderConnect's own values are not
  published: ``HTR`` and the like are stored and reported as unknown).

A file may hold one such document or a list of them. ``tripNumber`` may also be given as
``trip.tripNumber``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final


class Effect(StrEnum):
    """What a code does to the stored trip and its shipments."""

    TRIP_ACCEPTED = "TRIP_ACCEPTED"
    """The trip is on file: trip ACCEPTED, and so is every shipment of it not rejected in the
    same message."""
    TRIP_REJECTED = "TRIP_REJECTED"
    """The whole manifest is refused: the trip and every shipment of it REJECTED."""
    TRIP_PRELIMINARY = "TRIP_PRELIMINARY"
    """The complete manifest went back to preliminary (a bill was rejected or delinked):
    recorded, no status changes."""
    TRIP_ARRIVED = "TRIP_ARRIVED"
    """The truck arrived: trip ARRIVED, and its ACCEPTED shipments ARRIVED."""
    TRIP_RELEASED = "TRIP_RELEASED"
    """The trip is released: trip RELEASED (each shipment has its own release)."""
    SHIPMENT_ACCEPTED = "SHIPMENT_ACCEPTED"
    SHIPMENT_REJECTED = "SHIPMENT_REJECTED"
    SHIPMENT_RELEASED = "SHIPMENT_RELEASED"
    SHIPMENT_HOLD = "SHIPMENT_HOLD"
    ERROR = "ERROR"
    """A CBP error code: recorded; the status change comes with the reject code (060, 509)."""
    INFO = "INFO"
    """Recorded only (events ace321 does not model, such as in-bond arrivals)."""


@dataclass(frozen=True)
class CodeInfo:
    code: str
    text: str
    """The text as CBP returns it (or BorderConnect's wording)."""
    meaning: str
    effect: Effect
    source: str


def _table(*rows: tuple[str, str, str, Effect, str]) -> MappingProxyType[str, CodeInfo]:
    return MappingProxyType({row[0]: CodeInfo(*row) for row in rows})


_355 = "§5.1 [C-impl]"
_CAMIR = "§5.1 [C] CAMIR App. L"
_350 = "§5.2 [C-impl]"
_DISP = "§5.2 [C] CAMIR App. D"
_BC = "§4.1.3 [I] BorderConnect ACE_RESPONSE reading"

CODES: Final = _table(
    # 355 acceptance / rejection
    ("081", "MANIFEST TRANSMITTAL", "manifest accepted, on file", Effect.TRIP_ACCEPTED, _355),
    ("511", "MAN RETURNED TO PRELIMINARY",
     "complete manifest reverted to preliminary (a shipment was rejected or delinked)",
     Effect.TRIP_PRELIMINARY, _355),
    ("509", "MANIFEST REJECTED", "the whole manifest is rejected", Effect.TRIP_REJECTED, _355),
    ("418", "DUPLICATE TRIP NUMBER", "a trip with this number is already on file: rejected",
     Effect.TRIP_REJECTED, _355),
    ("060", "BILL REJECTED", "the shipment (bill) is rejected", Effect.SHIPMENT_REJECTED, _355),
    ("033", "INVALID DDPP", "port of arrival not in Schedule D", Effect.ERROR, _355),
    ("001", "NO M10", "the M10 segment is missing", Effect.ERROR, _CAMIR),
    ("002", "NO P4", "the P4 segment is missing", Effect.ERROR, _CAMIR),
    ("003", "NO M11", "the M11 segment is missing", Effect.ERROR, _CAMIR),
    ("005", "INVALID N1 CONSIGNEE", "consignee missing or invalid", Effect.ERROR, _CAMIR),
    ("009", "INVALID CARRIER CODE", "the SCAC is not valid", Effect.ERROR, _CAMIR),
    ("017", "MISSING/INVALID BILL", "SCN missing or invalid", Effect.ERROR, _CAMIR),
    ("021", "INVALID WEIGHT UNIT", "weight unit not L or K", Effect.ERROR, _CAMIR),
    ("032", "INVALID IN-BOND NUMBER", "in-bond number not valid", Effect.ERROR, _CAMIR),
    ("157", "FIRMS CODE REQUIRED", "a FIRMS code is required", Effect.ERROR,
     "§5.1 [C] CSMS 18-000366"),
    ("380", "INVALID INB DEST PORT CODE", "in-bond destination port not valid", Effect.ERROR,
     "§5.1 [C] CSMS 18-000366"),
    ("401", "INV CONV ACE ID", "conveyance ACE ID not valid", Effect.ERROR, _CAMIR),
    ("402", "INV LIC PLATE", "licence plate not valid", Effect.ERROR, _CAMIR),
    # 350 status notices
    ("SN030", "TRIP ARRIVED", "the truck arrived at the port", Effect.TRIP_ARRIVED, _350),
    ("SN038", "RELEASE TRIP", "the trip is released", Effect.TRIP_RELEASED, _350),
    ("SN050", "SHIPMENT HOLD", "the shipment is held", Effect.SHIPMENT_HOLD, _350),
    ("SN053", "SHIPMENT RELEASED", "entered and released", Effect.SHIPMENT_RELEASED, _350),
    # CBP dispositions (CAMIR Appendix D)
    ("1A", "ENTERED, INTENSIVE EXAM REQUIRED", "held for an intensive exam",
     Effect.SHIPMENT_HOLD, _DISP),
    ("1B", "RELEASED, INTENSIVE EXAM COMPLETED", "released after the exam",
     Effect.SHIPMENT_RELEASED, _DISP),
    ("1C", "ENTERED AND RELEASED, GENERAL EXAM", "released", Effect.SHIPMENT_RELEASED, _DISP),
    ("1F", "HOLD REMOVED AT IN-BOND DESTINATION", "in-bond event (not modelled)", Effect.INFO,
     _DISP),
    ("1G", "HOLD PLACED AT IN-BOND DESTINATION", "in-bond event (not modelled)", Effect.INFO,
     _DISP),
    ("11", "IN-BOND ARRIVAL", "in-bond event (not modelled)", Effect.INFO, _DISP),
    ("12", "IN-BOND ARRIVAL", "in-bond event (not modelled)", Effect.INFO, _DISP),
    ("13", "IN-BOND ARRIVAL", "in-bond event (not modelled)", Effect.INFO, _DISP),
    ("19", "ACTUAL CONVEYANCE ARRIVAL", "the truck arrived at the port", Effect.TRIP_ARRIVED,
     _DISP),
    # BorderConnect ACE_RESPONSE (our reading, see the module docstring)
    ("BC_ACCEPTED", "COMPLETE MANIFEST ON FILE", "processingResponse: shipments accepted",
     Effect.TRIP_ACCEPTED, _BC),
    ("BC_REJECTED", "CBP RETURNED ERROR", "processingResponse: every shipment rejected",
     Effect.TRIP_REJECTED, _BC),
    ("BC_SHIPMENT_ACCEPTED", "SHIPMENT ACCEPTED", "per-shipment result: accepted",
     Effect.SHIPMENT_ACCEPTED, _BC),
    ("BC_SHIPMENT_REJECTED", "SHIPMENT REJECTED", "per-shipment result: rejected",
     Effect.SHIPMENT_REJECTED, _BC),
)
"""Every code ace321 knows, by code."""

_BY_TEXT: Final = {info.text: info.code for info in CODES.values()}


def lookup(code: str | None) -> CodeInfo | None:
    """The table entry of ``code`` (case-insensitive), or None for an unknown code."""
    return None if code is None else CODES.get(code.strip().upper())


def code_for_text(text: str) -> str | None:
    """The code whose CBP text is ``text`` ("Manifest Transmittal" -> "081"), if any."""
    return _BY_TEXT.get(" ".join(text.upper().split()))


@dataclass(frozen=True)
class CbpMessage:
    """One code of one inbound message, about the trip (``scn`` None) or one shipment."""

    message_type: str  # "355", "350" or "ACE_RESPONSE"
    trip_number: str | None
    scn: str | None
    code: str | None
    text: str
    raw: str
    """The segments (X12) or the JSON fragment the code came from."""

    @property
    def info(self) -> CodeInfo | None:
        return lookup(self.code)

    @property
    def known(self) -> bool:
        return self.info is not None


class ResponseFormatError(ValueError):
    """The file is not a response ace321 can read (the message says why)."""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _raw(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def parse_ace_response(document: Any) -> list[CbpMessage]:
    """The messages of one BorderConnect ``ACE_RESPONSE`` document or a list of them."""
    if isinstance(document, list):
        return [m for item in document for m in parse_ace_response(item)]
    if not isinstance(document, dict) or document.get("data") != "ACE_RESPONSE":
        raise ResponseFormatError('not a BorderConnect response: expected "data": "ACE_RESPONSE"')
    trip = document.get("tripNumber")
    if trip is None and isinstance(document.get("trip"), dict):
        trip = document["trip"].get("tripNumber")
    trip_number = _text(trip) or None
    out: list[CbpMessage] = []

    def add(scn: Any, code: Any, text: Any, raw: Any) -> None:
        code_text = _text(code).upper() or None
        message = _text(text)
        if code_text is None and message:
            code_text = code_for_text(message)
        info = lookup(code_text)
        out.append(CbpMessage("ACE_RESPONSE", trip_number, _text(scn).upper() or None,
                              code_text, message or (info.text if info else ""), _raw(raw)))

    processing = document.get("processingResponse")
    if isinstance(processing, dict):
        accepted = int(processing.get("shipmentsAccepted") or 0)
        rejected = int(processing.get("shipmentsRejected") or 0)
        code = "BC_REJECTED" if rejected and not accepted else "BC_ACCEPTED"
        add(None, code, processing.get("message") or "", processing)
    for item in document.get("validationResponses") or []:
        if not isinstance(item, dict):
            add(None, None, item, item)
            continue
        add(item.get("shipmentControlNumber") or item.get("scn"), item.get("code"),
            item.get("message") or item.get("text"), item)
    for item in document.get("shipments") or []:
        if not isinstance(item, dict):
            continue
        scn = item.get("shipmentControlNumber") or item.get("scn")
        status = _text(item.get("status")).upper()
        if status in ("ACCEPTED", "REJECTED"):
            add(scn, f"BC_SHIPMENT_{status}", "", item)
        elif status:
            add(scn, status, "", item)
        if item.get("code"):
            add(scn, item.get("code"), item.get("message") or item.get("text"), item)
    trip_status = _text(document.get("tripStatus"))
    if trip_status:
        add(None, trip_status, "", {"tripStatus": trip_status})
    return out


def parse_response_file(text: str) -> list[CbpMessage]:
    """An X12 interchange (355s and 350s) or BorderConnect JSON, told apart by its first byte."""
    stripped = text.lstrip("\ufeff\r\n\t ")
    if stripped.startswith("ISA"):
        from ace321.exports.x12.responses import parse_responses

        return parse_responses(stripped)
    if stripped[:1] in ("{", "["):
        from ace321.intake.errors import UnusableInput
        from ace321.intake.json_text import parse_json_text

        try:
            document = parse_json_text(stripped, "")
        except UnusableInput as error:
            raise ResponseFormatError(error.cause) from None
        return parse_ace_response(document)
    raise ResponseFormatError("neither an X12 interchange (ISA...) nor BorderConnect JSON")
