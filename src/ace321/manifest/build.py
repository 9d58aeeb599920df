"""Build a manifest from screened shipments: ACE shipment types, SCNs, commodities.

Pure: the caller supplies the trip, the screening result, the SCNs to use (allocated and
recorded by the storage layer) and the code list of packaging units. Problems come back as
issues in the screening form; the manifest is only built when there is no error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from ace321.intake import columns
from ace321.manifest.model import (
    Address,
    Commodity,
    LoadedOn,
    Manifest,
    ManifestShipment,
    Party,
    Reason,
    Trip,
)
from ace321.screening import ScreeningResult

DESCRIPTION_LIMIT = 45
DEFAULT_PACKAGING_UNIT = "PKG"
SECTION_321 = "SECTION 321"
PAPS = "PAPS"
GIFT_NOTE = (
    "bona fide gift (19 CFR 10.152): filed as PAPS; the broker's entry claims the gift exemption"
)


@dataclass
class BuildOutcome:
    manifest: Manifest | None
    issues: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.manifest is not None


def ace_text(text: str) -> str:
    """Upper-case ASCII, accents transliterated: "Café crème" -> "CAFE CREME".

    >>> ace_text("Pâte à crêpes, 1 kg")
    'PATE A CREPES, 1 KG'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.upper().split())


def _issue(code: str, severity: str, field_path: str, row: int | None, message: str,
           shipment_id: str | None = None) -> dict[str, Any]:
    return {"shipment_id": shipment_id, "code": code, "severity": severity, "field": field_path,
            "row": row, "message": message}


def _party(line: dict[str, Any], prefix: str) -> Party:
    street = " ".join(
        part for part in (line.get(f"{prefix}_address"), line.get(f"{prefix}_address2")) if part
    )
    return Party(
        name=ace_text(line[f"{prefix}_name"] or ""),
        address=Address(
            line=ace_text(street),
            city=ace_text(line[f"{prefix}_city"] or ""),
            state_province=(line.get(f"{prefix}_state") or None),
            postal_code=(line[f"{prefix}_postal_code"] or "").upper(),
            country=(line[f"{prefix}_country"] or "").upper(),
        ),
    )


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at the last word boundary (a single word
    longer than ``limit`` is cut at ``limit``: the field holds no more)."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    boundary = head.rstrip().rfind(" ") if not head[limit].isspace() else limit
    cut = text[:boundary] if boundary > 0 else text[:limit]
    return cut.rstrip(" ,;:-/")


def _whole(weight: Decimal) -> int:
    return int(weight.to_integral_value(rounding=ROUND_CEILING))


def build_manifest(
    trip: Trip,
    trip_number: str,
    result: ScreeningResult,
    *,
    allocate_scns: Callable[[int], list[str]],
    packaging_units: Collection[str],
    group_commodities: bool = False,
    skip_invalid: bool = False,
) -> BuildOutcome:
    """Turn every screened shipment into an ACE shipment of ``trip``.

    One SCN per consignee drop: screened shipments to the same person at the same address
    that take the same ACE type travel as one ACE shipment. A user-supplied ``scn`` column is
    used as given (validated by the caller); otherwise ``allocate_scns`` provides them.
    """
    outcome = BuildOutcome(manifest=None)
    decided = result.shipments
    invalid = decided.filter(pl.col("decision") == "INVALID")["shipment_id"].to_list()
    if invalid and not skip_invalid:
        for shipment_id in invalid:
            outcome.issues.append(_issue(
                "INVALID_SHIPMENT", "error", "shipments", None,
                f"shipment {shipment_id} is INVALID and cannot be manifested "
                "(fix it or use --skip-invalid)", shipment_id))
        return outcome
    outcome.skipped = invalid
    kept = decided.filter(pl.col("decision") != "INVALID")
    if kept.is_empty():
        outcome.issues.append(_issue("NO_SHIPMENTS", "error", "shipments", None,
                                     "no valid shipment to manifest"))
        return outcome
    lines = result.lines.filter(pl.col("shipment_id").is_in(kept["shipment_id"].implode()))
    by_shipment: dict[str, list[dict[str, Any]]] = {}
    for line in lines.sort(columns.ROW).iter_rows(named=True):
        by_shipment.setdefault(line["shipment_id"], []).append(line)

    loaded_on = (
        LoadedOn(type="TRAILER", number=trip.trailers[0].number)
        if trip.trailers
        else LoadedOn(type="TRUCK", number=trip.truck.number)
    )
    drops: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for shipment in kept.iter_rows(named=True):
        first = by_shipment[shipment["shipment_id"]][0]
        ace_type = SECTION_321 if shipment["decision"] == "SECTION_321" else PAPS
        key = (
            shipment["consignee_key"], ace_type, first.get("scn") or "",
            *(first.get(c) or "" for c in ("consignee_address", "consignee_address2",
                                           "consignee_city", "consignee_postal_code")),
        )
        drops.setdefault(key, []).append(shipment)

    needs_scn = sum(1 for key in drops if not key[2])
    fresh = iter(allocate_scns(needs_scn)) if needs_scn else iter(())
    built: list[ManifestShipment] = []
    for key, shipments in drops.items():
        ids = [s["shipment_id"] for s in shipments]
        drop_lines = [line for shipment_id in ids for line in by_shipment[shipment_id]]
        first = drop_lines[0]
        commodities = _commodities(drop_lines, loaded_on, packaging_units, group_commodities,
                                   outcome.issues)
        reasons = [Reason(**r) for s in shipments for r in (s["reasons"] or [])]
        notes = [GIFT_NOTE] if any(s["decision"] == "GIFT" for s in shipments) else []
        if len(ids) > 1:
            notes.append("one drop for shipments " + ", ".join(ids))
        province = trip.province_of_loading or (first.get("shipper_state") or "").upper()
        built.append(ManifestShipment(
            shipment_id=ids[0] if len(ids) == 1 else "+".join(ids),
            scn=key[2] or next(fresh),
            type=key[1],
            decision=shipments[0]["decision"],
            province_of_loading=province,
            shipper=_party(first, "shipper"),
            consignee=_party(first, "consignee"),
            commodities=commodities,
            reasons=reasons,
            notes=notes,
        ))
    if any(i["severity"] == "error" for i in outcome.issues):
        return outcome
    outcome.manifest = Manifest(trip=trip, trip_number=trip_number, shipments=built,
                                rules_version=result.rules_version)
    return outcome


def _commodities(
    lines: list[dict[str, Any]],
    loaded_on: LoadedOn,
    packaging_units: Collection[str],
    group: bool,
    issues: list[dict[str, Any]],
) -> list[Commodity]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for index, line in enumerate(lines):
        key = (line["hts"], line["origin"]) if group else (str(index),)
        groups.setdefault(key, []).append(line)
    commodities = []
    for members in groups.values():
        first = members[0]
        path = f"lines[{first[columns.LINE_INDEX]}]"
        description = ace_text(first["description"] or "")
        if len(description) > DESCRIPTION_LIMIT:
            description = cut_at_word(description, DESCRIPTION_LIMIT)
            issues.append(_issue(
                "DESCRIPTION_TRUNCATED", "warning", f"{path}.description", first[columns.ROW],
                f'description shortened to {len(description)} characters for ACE (at most '
                f'{DESCRIPTION_LIMIT}): "{description}"', first["shipment_id"]))
        unit = (first.get("packaging_unit") or DEFAULT_PACKAGING_UNIT).upper()
        if unit not in packaging_units:
            issues.append(_issue(
                "INVALID_PACKAGING_UNIT", "error", f"{path}.packaging_unit", first[columns.ROW],
                f'"{unit}" is not an ACE packaging unit', first["shipment_id"]))
        # Weights are summed in one unit: the first line's; pounds and kilograms never mix.
        unit_of_weight = first["weight_unit_norm"]
        weight = Decimal(0)
        for line in members:
            value = Decimal(line["weight_value"])
            if line["weight_unit_norm"] != unit_of_weight:
                value = value * (Decimal("2.20462262185") if unit_of_weight == "lb"
                                 else Decimal("0.45359237"))
            weight += value
        value_usd = sum((Decimal(line["value_line"]) for line in members), Decimal(0))
        hazmat_line = next((line for line in members if line.get("hazmat_un")), None)
        hazmat = hazmat_line["hazmat_un"] if hazmat_line else None
        if hazmat_line and not (hazmat_line.get("hazmat_contact_name")
                                and hazmat_line.get("hazmat_contact_phone")):
            issues.append(_issue(
                "HAZMAT_NO_CONTACT", "error", f"{path}.hazmat_contact_name", hazmat_line[columns.ROW],
                f"hazardous material {hazmat} needs an emergency contact name and 24-hour phone "
                "(hazmat_contact_name, hazmat_contact_phone)", first["shipment_id"]))
        marks = [line["marks"] for line in members if line.get("marks")]
        commodities.append(Commodity(
            description=description,
            quantity=sum(int(line["qty"]) for line in members),
            packaging_unit=unit,
            weight=max(_whole(weight), 1),
            weight_unit="L" if unit_of_weight == "lb" else "K",
            exact_weight=weight,
            value_usd=value_usd.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            country_of_origin=first["origin"],
            hts=first["hts"],
            loaded_on=loaded_on,
            hazmat_un=hazmat.upper().replace(" ", "").removeprefix("UN") if hazmat else None,
            hazmat_contact_name=hazmat_line.get("hazmat_contact_name") if hazmat_line else None,
            hazmat_contact_phone=hazmat_line.get("hazmat_contact_phone") if hazmat_line else None,
            marks=[ace_text(m)[:DESCRIPTION_LIMIT] for m in marks],
        ))
    return commodities
