"""BorderConnect ACE shipment CSV upload: one row per commodity.

Rules from BorderConnect's "ACE Shipment CSV Upload Feature" wiki page (``ace_emanifest.md``
§4.2) [C]: headers must not be renamed or reordered; SCN 8-16 upper-case alphanumerics;
shipment type values are case-sensitive; description at most 45 characters; value numeric
without ``$``; weight in whole numbers.
"""

from __future__ import annotations

import csv
import io

from ace321.exports import codes
from ace321.exports.borderconnect_json import money
from ace321.exports.spreadsheet import safe_cell
from ace321.exports.text import clip, collapse
from ace321.manifest.model import Commodity, Manifest, ManifestShipment

# ASSUMPTION [I] (reference §4.2, "Probable header set"): the template file
# (borderconnect.com/dist/ace-shipment-csv-template.csv) could not be read; this header row is
# the one a third-party tool writes for "BorderConnect-style" CSVs. Replace it with the
# template's exact row before uploading. Order matters: BorderConnect maps columns by position.
HEADERS: tuple[str, ...] = (
    "SCN",
    "Shipment Type",
    "Province Of Loading",
    "Shipper Name",
    "Shipper Address",
    "Shipper City",
    "Shipper State",
    "Shipper Zip",
    "Consignee Name",
    "Consignee Address",
    "Consignee City",
    "Consignee State",
    "Consignee Zip",
    "Commodity Description",
    "Commodity Value",
    "Commodity Quantity",
    "Commodity Quantity Unit",
    "Commodity Weight",
    "Commodity Weight Unit",
    "Commodity Country of Origin",
)


def shipments_csv(manifest: Manifest) -> str:
    """The CSV upload for the shipments of ``manifest`` (header row, then one row per commodity).

    Lines end with CRLF (RFC 4180). Descriptions are cut to 45 characters, the format's limit.
    A cell a spreadsheet would run as a formula gets a leading ``'`` (``exports.spreadsheet``).
    Raises ``ValueError`` for a shipment type the CSV upload does not accept.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for shipment in manifest.shipments:
        if shipment.type not in codes.CSV_SHIPMENT_TYPES:
            raise ValueError(
                f"shipment {shipment.scn}: type {shipment.type!r} is not accepted by the "
                f"BorderConnect CSV upload (one of {', '.join(codes.CSV_SHIPMENT_TYPES)})"
            )
        for commodity in shipment.commodities:
            # Screening refuses formula-like text in these fields (FORMULA_TEXT); neutralised
            # here too, as the file is also opened in spreadsheets.
            writer.writerow([safe_cell(cell) for cell in _row(shipment, commodity)])
    return out.getvalue()


def _row(shipment: ManifestShipment, commodity: Commodity) -> list[str]:
    shipper, consignee = shipment.shipper, shipment.consignee
    return [
        shipment.scn,
        shipment.type,
        shipment.province_of_loading,
        collapse(shipper.name),
        collapse(shipper.address.line),
        collapse(shipper.address.city),
        shipper.address.state_province or "",
        shipper.address.postal_code,
        collapse(consignee.name),
        collapse(consignee.address.line),
        collapse(consignee.address.city),
        consignee.address.state_province or "",
        consignee.address.postal_code,
        clip(commodity.description, codes.DESCRIPTION_MAX),
        money(commodity.value_usd),
        str(commodity.quantity),
        commodity.packaging_unit,
        str(commodity.weight),
        commodity.weight_unit,
        commodity.country_of_origin,
    ]
