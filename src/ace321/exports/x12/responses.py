"""CBP's X12 answers to a manifest: 355 (acceptance/rejection) and 350 (status, dispositions).

Read with ``reader.parse_interchange``; each transaction set becomes ``CbpMessage``\\ s (one
per code; ``exports.cbp_responses`` holds the code table). Structures (``ace_emanifest.md``
§2.4): 355 = ``M10``, trip-level ``K1``s, ``P4`` loop, per-bill ``LX``/``M11`` with ``K1``;
350 = ``M10``, ``P4`` loop with ``V9`` events, ``X4`` loops with ``K1``. Element positions
inside those segments are not in the reference; the choices below are inferences [I], kept in
these constants:

- the trip number is ``M10`` element ``assumptions.M10_TRIP_NUMBER_POSITION`` (7, as we write
  it); failing that, the first M10 element from position 4 on that starts with the SCAC
  (``M1001``) and has 8 to 25 characters;
- a bill's SCN is ``M1112`` (SCAC) + ``M1101`` (bill), or ``M1101`` alone when ``M1112`` is
  empty, as we write them in the 309;
- ``K1``: ``K101`` is the CBP code and ``K102`` the text when ``K101`` is a short code (digits,
  or letters with digits, such as ``060`` or ``SN030``); a ``K101`` like ``"060 BILL
  REJECTED"`` is split at its first space; a text without a code is matched against the known
  texts ("MANIFEST TRANSMITTAL" -> 081);
- ``V9``: ``V901`` the event (status) code, ``V902`` its text: about the trip;
- ``X4``: ``X401`` the bill (an SCN, or the bill part without the SCAC), ``X403`` the
  disposition or status code; the ``K1``\\ s of its loop give the text (and the code when
  ``X403`` is empty).

A segment ace321 does not read is skipped; an envelope problem (counts, control numbers) is an
error of the whole file, since its content cannot be trusted.
"""

from __future__ import annotations

import re

from ace321.exports.cbp_responses import CbpMessage, ResponseFormatError, code_for_text
from ace321.exports.x12 import assumptions as a
from ace321.exports.x12.reader import TransactionSet, parse_interchange
from ace321.exports.x12.syntax import DEFAULT_SEPARATORS, Segment, Separators

K1_CODE = re.compile(r"^(?=[A-Z]*\d)[A-Z0-9]{1,6}$")
K1_CODE_PREFIX = re.compile(r"^((?=[A-Z]*\d)[A-Z0-9]{1,6})\s+(.+)$")
X4_BILL, X4_CODE = 1, 3
V9_CODE, V9_TEXT = 1, 2
SUPPORTED = ("355", "350")


def _k1(segment: Segment) -> tuple[str | None, str]:
    first, second = segment.element(1).strip(), segment.element(2).strip()
    if K1_CODE.match(first):
        return first, second
    match = K1_CODE_PREFIX.match(first)
    if match:
        return match.group(1), " ".join(part for part in (match.group(2), second) if part)
    text = " ".join(part for part in (first, second) if part)
    return code_for_text(text), text


def _trip_number(m10: Segment) -> str | None:
    value = m10.element(a.M10_TRIP_NUMBER_POSITION).strip()
    if value:
        return value
    scac = m10.element(1).strip()
    for position in range(4, len(m10.elements) + 1):
        candidate = m10.element(position).strip()
        if scac and candidate.startswith(scac) and 8 <= len(candidate) <= 25:
            return candidate
    return None


def _scn(m11: Segment) -> str | None:
    bill, scac = m11.element(1).strip(), m11.element(12).strip()
    return (scac + bill) if scac and bill else (bill or None)


def _bill(bill: str, scac: str | None) -> str | None:
    bill = bill.strip()
    if not bill:
        return None
    if scac and not (bill.startswith(scac) and len(bill) >= 8):
        return scac + bill
    return bill


def _raw(segments: list[Segment], separators: Separators) -> str:
    return "".join(s.serialize(separators) for s in segments)


def transaction_messages(ts: TransactionSet,
                         separators: Separators = DEFAULT_SEPARATORS) -> list[CbpMessage]:
    """The messages of one 355 or 350 transaction set."""
    kind = ts.code
    if kind not in SUPPORTED:
        raise ResponseFormatError(f"transaction set {ts.control_number} is a {kind}: ace321 "
                                  f"reads {' and '.join(SUPPORTED)} responses")
    out: list[CbpMessage] = []
    trip: str | None = None
    scac: str | None = None
    scn: str | None = None  # the bill (LX/M11 or X4 loop) the next K1s are about
    context: list[Segment] = []  # the segments that name the bill, kept in ``raw``
    x4_pending: tuple[Segment, str | None] | None = None
    x4_texts: list[str] = []
    x4_k1: list[Segment] = []

    def flush_x4() -> None:
        nonlocal x4_pending
        if x4_pending is None:
            return
        segment, code = x4_pending
        texts = [t for t in x4_texts if t]
        out.append(CbpMessage(kind, trip, scn, code, " ".join(texts),
                              _raw([segment, *x4_k1], separators)))
        x4_pending = None
        x4_texts.clear()
        x4_k1.clear()

    for segment in ts.body:
        tag = segment.tag
        if tag in ("LX", "P4", "X4", "M10", "V9") or (tag == "M11" and kind == "355"):
            flush_x4()
        if tag == "M10":
            trip = _trip_number(segment)
            scac = segment.element(1).strip() or None
        elif tag == "P4":
            scn, context = None, []
        elif tag == "LX":
            scn, context = None, [segment]
        elif tag == "M11":
            scn = _scn(segment)
            context = [*context, segment]
        elif tag == "V9":
            code = segment.element(V9_CODE).strip() or None
            text = segment.element(V9_TEXT).strip()
            if code is None and text:
                code = code_for_text(text)
            out.append(CbpMessage(kind, trip, None, code, text, _raw([segment], separators)))
        elif tag == "X4":
            scn = _bill(segment.element(X4_BILL), scac)
            code = segment.element(X4_CODE).strip() or None
            x4_pending = (segment, code)
        elif tag == "K1":
            code, text = _k1(segment)
            if x4_pending is not None:
                if x4_pending[1] is None and code is not None:
                    x4_pending = (x4_pending[0], code)
                    x4_texts.append(text)
                elif code is not None and code != x4_pending[1]:
                    out.append(CbpMessage(kind, trip, scn, code, text,
                                          _raw([x4_pending[0], segment], separators)))
                else:
                    x4_texts.append(text)
                x4_k1.append(segment)
                continue
            out.append(CbpMessage(kind, trip, scn, code, text,
                                  _raw([*context, segment], separators)))
    flush_x4()
    return out


def parse_responses(text: str) -> list[CbpMessage]:
    """Every message of an interchange of 355s and 350s (raises ResponseFormatError)."""
    try:
        interchange = parse_interchange(text)
    except ValueError as error:
        raise ResponseFormatError(str(error)) from error
    if interchange.problems:
        raise ResponseFormatError("X12 envelope: " + "; ".join(interchange.problems))
    out: list[CbpMessage] = []
    for ts in interchange.transaction_sets:
        out.extend(transaction_messages(ts, interchange.separators))
    return out
