"""The driver's cover sheet (lead sheet) for an ACE truck eManifest, as a PDF.

Page 1 carries the trip number as a Code 128 barcode with its text (the primary barcode, CBP 2006
notice, ``ace_emanifest.md`` §3.2/§3.8), the CBP QR code (:mod:`ace321.exports.cbp_qr`), the trip
data an officer checks against the truck (carrier, port, ETA, drivers, truck, trailers), then one
row per shipment with its SCN as a Code 128 barcode. Long manifests continue on further pages with
the table header repeated and "page N of M" in every footer.

Print rules kept here:

* margins of 0.5 inch (12.7 mm) on Letter and A4, so nothing falls in a printer's dead zone;
* Code 128 X-dimension (narrowest bar) of at least 0.01 inch and a quiet zone of 10 X on each
  side, so phone cameras and zbar read the codes from a print or a 200 dpi render;
* all text is real PDF text (searchable, copyable), set in Helvetica. Helvetica's standard
  encoding covers Latin-1 / Windows-1252 (accents of French, Spanish, Portuguese…); any other
  character is replaced by its unaccented form, or "?" (see :func:`_printable`).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ace321.exports.cbp_qr import qr_payload

if TYPE_CHECKING:
    from ace321.manifest.model import Commodity, LicensePlate, Manifest, ManifestShipment, Person

PageSize = Literal["letter", "a4"]

TITLE = "ACE eManifest — Cover Sheet"
_PAGE_SIZES = {"letter": LETTER, "a4": A4}
MARGIN = 0.5 * inch  # 12.7 mm: ≥ 12 mm on both paper sizes
HEADER_HEIGHT = 0.25 * inch  # running header of pages 2…
FOOTER_HEIGHT = 0.3 * inch

#: Narrowest bar of the trip-number barcode (inches → points).
TRIP_BAR_WIDTH = 0.015 * inch
#: Narrowest bar of the SCN barcodes: 0.011 inch, or the 0.010 floor when the table is too narrow.
SCN_BAR_WIDTH = 0.011 * inch
MIN_BAR_WIDTH = 0.010 * inch
QR_SIZE = 1.45 * inch  # ≈ 0.8 mm per module for a version-5 QR code with its 4-module quiet zone

_FONT = "Helvetica"
_FONT_BOLD = "Helvetica-Bold"
_WEIGHT_UNITS = {"L": "LB", "K": "KG"}
KG_PER_LB = Decimal("0.45359237")  # exact, by definition

_styles = {
    "title": ParagraphStyle("title", fontName=_FONT_BOLD, fontSize=18, leading=22, spaceAfter=8),
    "label": ParagraphStyle("label", fontName=_FONT_BOLD, fontSize=9, leading=11),
    "value": ParagraphStyle("value", fontName=_FONT, fontSize=10, leading=12.5),
    "trip": ParagraphStyle("trip", fontName=_FONT_BOLD, fontSize=16, leading=19),
    "small": ParagraphStyle("small", fontName=_FONT, fontSize=7.5, leading=9),
    "heading": ParagraphStyle(
        "heading", fontName=_FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
    ),
    "cell": ParagraphStyle("cell", fontName=_FONT, fontSize=8.5, leading=10.5),
    "cell_right": ParagraphStyle(
        "cell_right", fontName=_FONT, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
    ),
    "th": ParagraphStyle("th", fontName=_FONT_BOLD, fontSize=8.5, leading=10.5),
    "th_right": ParagraphStyle(
        "th_right", fontName=_FONT_BOLD, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
    ),
    "scn": ParagraphStyle("scn", fontName=_FONT_BOLD, fontSize=9, leading=11),
}


def cover_sheet_pdf(
    manifest: Manifest,
    *,
    page_size: PageSize = "letter",
    port_name: str | None = None,
) -> bytes:
    """Render the cover sheet of ``manifest`` as PDF bytes.

    ``page_size`` is ``"letter"`` or ``"a4"``; ``port_name`` (e.g. "Buffalo-Niagara Falls NY") is
    printed after the Schedule D port code when given. Raises ``ValueError`` when the trip number
    or an SCN cannot be barcoded (non-ASCII), or when the CBP QR payload cannot be built (see
    :func:`ace321.exports.cbp_qr.qr_payload`).
    """
    try:
        pagesize = _PAGE_SIZES[page_size]
    except KeyError:
        raise ValueError(f"page_size must be 'letter' or 'a4', not {page_size!r}") from None
    for label, code in [
        ("trip number", manifest.trip_number),
        *(("SCN", s.scn) for s in manifest.shipments),
    ]:
        _check_barcodable(label, code)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=f"{TITLE} {manifest.trip_number}",
        author="ace321",
        subject=f"ACE truck eManifest trip {manifest.trip_number}",
        creator="ace321",
        invariant=True,  # no timestamps or random IDs: the same manifest gives the same bytes
    )
    trip_number = manifest.trip_number

    def running_header(canvas: Canvas, doc_: BaseDocTemplate) -> None:
        if canvas.getPageNumber() == 1:
            return  # page 1 has the full title
        canvas.saveState()
        canvas.setFont(_FONT_BOLD, 9)
        canvas.drawString(
            MARGIN,
            pagesize[1] - MARGIN - 9,
            _printable(f"{TITLE} — trip {trip_number} (continued)"),
        )
        canvas.restoreState()

    # A frame without inner padding: tables sized to ``doc.width`` end exactly at the margin.
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=running_header)])
    story = [
        Paragraph(_text(TITLE), _styles["title"]),
        _top_block(manifest, doc.width),
        Spacer(1, 8),
        _trip_details(manifest, doc.width, port_name),
        Paragraph(_text(f"Shipments ({len(manifest.shipments)})"), _styles["heading"]),
        _shipments_table(manifest.shipments, doc.width)
        if manifest.shipments
        else Paragraph(_text("No shipments (empty truck)."), _styles["value"]),
    ]
    doc.build(story, canvasmaker=_numbered_canvas(trip_number))
    return buffer.getvalue()


# --- blocks -----------------------------------------------------------------------------------


def _top_block(manifest: Manifest, width: float) -> Table:
    """Trip-number barcode and text on the left, the CBP QR code on the right."""
    barcode = _code128(manifest.trip_number, TRIP_BAR_WIDTH, bar_height=0.6 * inch)
    left = [
        Paragraph(_text("Trip number"), _styles["label"]),
        Spacer(1, 4),
        barcode,
        Spacer(1, 3),
        Paragraph(_text(manifest.trip_number), _styles["trip"]),
    ]
    right = [
        _qr_drawing(qr_payload(manifest), QR_SIZE),
        Paragraph(_text("CBP QR code"), _styles["small"]),
    ]
    table = Table(
        [[left, right]],
        colWidths=[width - QR_SIZE - 12, QR_SIZE + 12],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("LINEBEFORE", (1, 0), (1, 0), 0.5, colors.grey),
                ("LEFTPADDING", (0, 0), (0, 0), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _trip_details(manifest: Manifest, width: float, port_name: str | None) -> Table:
    trip = manifest.trip
    port = trip.port_of_arrival + (f" — {port_name}" if port_name else "")
    truck = trip.truck
    truck_parts = [
        f"{truck.number} ({truck.type})",
        _plates(truck.license_plates),
        f"VIN {truck.vin}",
    ]
    if truck.seals:
        truck_parts.append("seals " + ", ".join(truck.seals))
    rows: list[tuple[str, list[str]]] = [
        ("Carrier SCAC", [trip.carrier_scac]),
        ("US port of arrival", [port]),
        ("Estimated arrival", [_format_arrival(trip.estimated_arrival)]),
        (
            "Driver" if len(trip.drivers) == 1 else "Drivers",
            [_person(p) for p in trip.drivers] or ["—"],
        ),
        ("Truck", [" · ".join(p for p in truck_parts if p)]),
        (
            "Trailer" if len(trip.trailers) == 1 else "Trailers",
            [
                " · ".join(
                    p
                    for p in (
                        f"{t.number} ({t.type})",
                        _plates(t.license_plates),
                        ("seals " + ", ".join(t.seals)) if t.seals else "",
                    )
                    if p
                )
                for t in trip.trailers
            ]
            or ["none"],
        ),
    ]
    if trip.passengers:
        rows.append(("Passengers", [_person(p) for p in trip.passengers]))
    data = [
        [
            Paragraph(_text(label), _styles["label"]),
            Paragraph("<br/>".join(_text(v) for v in values), _styles["value"]),
        ]
        for label, values in rows
    ]
    label_width = 1.35 * inch
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


_HEADERS = ("#", "SCN", "Type", "Consignee", "Pieces", "Weight", "Value USD")
_RIGHT_ALIGNED = {0, 4, 5, 6}


def _shipments_table(shipments: Sequence[ManifestShipment], width: float) -> Table:
    # Fixed columns, in points; the SCN column fits the widest barcode, the consignee takes the rest.
    fixed = {0: 0.32 * inch, 2: 0.85 * inch, 4: 0.6 * inch, 5: 0.85 * inch, 6: 0.9 * inch}
    bar_width = SCN_BAR_WIDTH
    scn_col = _scn_column_width(shipments, bar_width)
    if width - sum(fixed.values()) - scn_col < 1.6 * inch:
        bar_width = MIN_BAR_WIDTH
        scn_col = _scn_column_width(shipments, bar_width)
    widths = [fixed.get(i, 0.0) for i in range(len(_HEADERS))]
    widths[1] = scn_col
    widths[3] = width - sum(widths)

    # The SCN text starts under the first bar, not under the quiet zone.
    scn_style = ParagraphStyle("scn_row", parent=_styles["scn"], leftIndent=10 * bar_width)
    header = [
        Paragraph(_text(h), _styles["th_right" if i in _RIGHT_ALIGNED else "th"])
        for i, h in enumerate(_HEADERS)
    ]
    rows: list[list[object]] = [header]
    unit = _sheet_unit(shipments)
    total_pieces = 0
    total_weight = Decimal(0)
    total_value = Decimal(0)
    for n, shipment in enumerate(shipments, start=1):
        pieces = sum(c.quantity for c in shipment.commodities)
        weight = sum((_exact_weight(c, unit) for c in shipment.commodities), Decimal(0))
        value = sum((c.value_usd for c in shipment.commodities), Decimal(0))
        total_pieces += pieces
        total_weight += weight
        total_value += value
        consignee = shipment.consignee
        place = ", ".join(
            p
            for p in (
                consignee.address.city,
                consignee.address.state_province,
                consignee.address.country,
            )
            if p
        )
        rows.append(
            [
                Paragraph(str(n), _styles["cell_right"]),
                [
                    _code128(shipment.scn, bar_width, bar_height=0.38 * inch),
                    Paragraph(_text(shipment.scn), scn_style),
                ],
                Paragraph(_text(shipment.type), _styles["cell"]),
                Paragraph(f"<b>{_text(consignee.name)}</b><br/>{_text(place)}", _styles["cell"]),
                Paragraph(f"{pieces:,}", _styles["cell_right"]),
                Paragraph(_text(_format_weight(weight, unit)), _styles["cell_right"]),
                Paragraph(f"{value:,.2f}", _styles["cell_right"]),
            ]
        )
    rows.append(
        [
            "",
            Paragraph(_text(f"Total ({len(shipments)} shipments)"), _styles["th"]),
            "",
            "",
            Paragraph(f"{total_pieces:,}", _styles["th_right"]),
            Paragraph(_text(_format_weight(total_weight, unit)), _styles["th_right"]),
            Paragraph(f"{total_value:,.2f}", _styles["th_right"]),
        ]
    )
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.grey),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
                ("SPAN", (1, -1), (3, -1)),
                # The totals row never stands alone on a page: it keeps the last shipment.
                ("NOSPLIT", (0, -2), (-1, -1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
            ]
        )
    )
    return table


def _scn_column_width(shipments: Iterable[ManifestShipment], bar_width: float) -> float:
    widest = max(_code128(s.scn, bar_width, bar_height=0.38 * inch).width for s in shipments)
    return max(widest, 1.2 * inch) + 6  # + the cell's left and right padding


# --- barcodes ---------------------------------------------------------------------------------


def _code128(value: str, bar_width: float, *, bar_height: float) -> Code128:
    """A Code 128 symbol with a 10 X quiet zone on each side (the ISO/IEC 15417 minimum)."""
    return Code128(
        value,
        barWidth=bar_width,
        barHeight=bar_height,
        humanReadable=False,  # the text is set separately, as a searchable paragraph
        quiet=True,
        lquiet=10 * bar_width,
        rquiet=10 * bar_width,
    )


def _qr_drawing(payload: str, size: float) -> Drawing:
    widget = QrCodeWidget(payload, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _check_barcodable(label: str, value: str) -> None:
    if not value or not all(" " <= ch <= "~" for ch in value):
        raise ValueError(f"{label} {value!r} cannot be printed as a Code 128 barcode (ASCII only)")


# --- text -------------------------------------------------------------------------------------


def _printable(text: str) -> str:
    """``text`` restricted to what Helvetica's standard encoding (Windows-1252) can show.

    Other characters lose their accents ("Ł" has none to lose and becomes "?"); nothing is dropped
    silently, so a name never shrinks into a different-looking one.
    """
    out = []
    for ch in text:
        if _encodable(ch):
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(_encodable(c) for c in base) else "?")
    return "".join(out)


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _text(text: str) -> str:
    """Plain text made safe for a ReportLab Paragraph (printable, XML-escaped)."""
    return escape(_printable(text))


def _format_arrival(when: dt.datetime) -> str:
    local = when.strftime("%Y-%m-%d %H:%M")
    offset = when.utcoffset()
    if offset is None:
        return f"{local} (no UTC offset given)"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{local} (UTC{sign}{hours:02d}:{mins:02d})"


def _person(person: Person) -> str:
    name = f"{person.first_name} {person.last_name}"
    if person.fast_card_number:
        return f"{name} — FAST card {person.fast_card_number}"
    docs = [
        " ".join(
            p
            for p in (
                d.type,
                d.number,
                f"({', '.join(x for x in (d.state_province, d.country) if x)})"
                if (d.state_province or d.country)
                else "",
            )
            if p
        )
        for d in person.travel_documents
    ]
    return f"{name} — " + "; ".join(docs) if docs else f"{name} — no FAST card or travel document"


def _plates(plates: Sequence[LicensePlate]) -> str:
    if not plates:
        return "no plate"
    shown = [
        f"{p.number} ({', '.join(x for x in (p.state_province, p.country) if x)})" for p in plates
    ]
    return ("plate " if len(shown) == 1 else "plates ") + ", ".join(shown)


def _sheet_unit(shipments: Sequence[ManifestShipment]) -> str:
    """One unit for every weight on the sheet: pounds when every commodity is in pounds."""
    units = {c.weight_unit for s in shipments for c in s.commodities}
    return "L" if units == {"L"} else "K"


def _exact_weight(commodity: Commodity, unit: str) -> Decimal:
    """The commodity's weight as declared (not its whole-unit ACE figure), in ``unit``."""
    weight = (commodity.exact_weight if commodity.exact_weight is not None
              else Decimal(commodity.weight))
    if commodity.weight_unit == unit:
        return weight
    return weight * KG_PER_LB if unit == "K" else weight / KG_PER_LB


def _format_weight(weight: Decimal, unit: str) -> str:
    """Summed exactly, rounded once here: 0.4 kg + 0.7 kg is 1.1 KG."""
    shown = weight.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown:,.1f} {_WEIGHT_UNITS[unit]}"


# --- page numbers -----------------------------------------------------------------------------


def _numbered_canvas(trip_number: str) -> type[Canvas]:
    """A canvas class that writes "trip … · page N of M" in every footer once M is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # ReportLab API name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            y = MARGIN + 3  # baseline a little above the margin: descenders stay inside it
            self.saveState()
            self.setStrokeColor(colors.grey)
            self.setLineWidth(0.5)
            self.line(MARGIN, y + 11, width - MARGIN, y + 11)
            self.setFont(_FONT, 8)
            self.drawString(MARGIN, y, _printable(f"ACE eManifest trip {trip_number}"))
            self.drawRightString(width - MARGIN, y, f"page {number} of {total}")
            self.restoreState()

    return NumberedCanvas
