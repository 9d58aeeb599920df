"""The ``costs`` object of each shipment (JSON), built from ``duty.Costs``.

Shape: ``{"entry_type", "value_usd", "duty_usd", "mpf_usd", "total_usd", "fiscal_year",
"hts_revision", "lines": [{"row", "hts_code", "value_usd", "rate_line", "column", "rate_text", "duty_usd",
"measures": [{"code", "heading", "rate", "amount_usd", "reference"}], "not_estimated": [...]}],
"not_estimated": [{"code", "message"}], "warnings": [{"code", "message"}]}``, money as decimal
strings. A line's ``value_usd`` is the value its duty is assessed on (quantity x unit price x
the line's USD rate, as screened); its ``duty_usd`` is its ordinary duty (the rate of its column); its additional
duties are its ``measures``; the shipment's ``duty_usd`` is the sum of both over its lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ace321.costs import fees
from ace321.costs.duty import MAX_MEASURES, MAX_SPECIFIC, Costs, money
from ace321.costs.pricing import percent_text

CENT = Decimal("0.01")


def _entries(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for code, message in pairs:
        seen.setdefault(code, message)
    return [{"code": code, "message": message} for code, message in seen.items()]


def line_documents(costs: Costs) -> dict[str, list[dict[str, Any]]]:
    """Each priced shipment's lines, by shipment id, in input order."""
    by_shipment: dict[str, list[dict[str, Any]]] = {}
    columns = ["shipment_id", "_row", "hts_code", "value_line", "key_id", "duty_cents",
               *(f"m{i}_cents" for i in range(MAX_MEASURES)),
               *(f"_s{i}_missing" for i in range(MAX_SPECIFIC)), "adcvd_case"]
    for row in costs.lines.sort("_row").select(columns).iter_rows():
        shipment_id, line_row, hts_code, value_line, key_id, duty_cents = row[:6]
        amounts = row[6:6 + MAX_MEASURES]
        missing = row[6 + MAX_MEASURES:6 + MAX_MEASURES + MAX_SPECIFIC]
        adcvd_case = row[-1]
        price = costs.keys[key_id]
        not_estimated = list(price.not_estimated)
        units = [unit for (_, unit), gone in zip(price.specific(), missing, strict=False) if gone]
        for unit in units:
            not_estimated.append(("QUANTITY_NOT_DECLARED", (
                f"the rate {price.rate_text!r} is per {unit}: give the line's quantity in that unit "
                "(hts_quantity) to estimate this part"
            )))
        if adcvd_case:
            from ace321.costs.measures import load_measures

            message = load_measures().texts["ADCVD"]["message"].format(case=adcvd_case)
            not_estimated.append(("ADCVD", message))
        by_shipment.setdefault(shipment_id, []).append({
            "row": line_row,
            "hts_code": hts_code,
            "value_usd": None if value_line is None else str(
                Decimal(value_line).quantize(CENT, ROUND_HALF_UP)),
            "rate_line": price.rate_line,
            "column": price.column,
            "rate_text": price.rate_text,
            "duty_usd": money(duty_cents),
            "measures": [
                {"code": m.code, "heading": m.heading, "rate": percent_text(m.rate),
                 "amount_usd": money(amount), "reference": m.reference + (f" ({m.note})" if m.note else "")}
                for m, amount in zip(price.measures, amounts, strict=False)
            ],
            "not_estimated": _entries(not_estimated),
            "_warnings": price.warnings,
        })
    return by_shipment


def shipment_documents(costs: Costs, *, with_rule: bool = False) -> dict[str, dict[str, Any]]:
    """The ``costs`` object of every shipment, by shipment id; ``with_rule`` adds the fee rule
    used (``mpf_rule``: rule and reference) for explanations."""
    lines = line_documents(costs)
    documents = {}
    for row in costs.shipments.iter_rows(named=True):
        shipment_lines = lines.get(row["shipment_id"], [])
        not_estimated: list[tuple[str, str]] = []
        warnings: list[tuple[str, str]] = []
        for line in shipment_lines:
            not_estimated += [(item["code"], item["message"]) for item in line["not_estimated"]]
            warnings += line.pop("_warnings")
        decision = row["decision"]
        if decision == "INVALID":
            not_estimated.append(("INVALID_SHIPMENT", "the shipment has errors: fix them to get an estimate"))
        elif row["entry_type"] is not None:
            if not row["known"]:
                not_estimated.append(("MPF_RATE_UNKNOWN", (
                    f"no Merchandise Processing Fee figures for {row['fiscal_year']} in the rule data"
                )))
            elif row["unconfirmed"]:
                warnings.append(("MPF_RATE_UNCONFIRMED", (
                    f"arrival in {row['fiscal_year']}, after the last fiscal year in the rule data: "
                    f"the {row['data_year']} figures are used"
                )))
        rule = fees.mpf_rule(row["entry_type"], row, bool(row["exempt_all"]))
        value = row["value"]
        document = {
            "entry_type": row["entry_type"],
            "value_usd": None if value is None else str(value.quantize(CENT, ROUND_HALF_UP)),
            "duty_usd": money(row["duty_cents"]),
            "mpf_usd": money(row["mpf_cents"]),
            "total_usd": money(row["total_cents"]),
            "fiscal_year": row["fiscal_year"],
            "hts_revision": costs.revision,
            "lines": shipment_lines,
            "not_estimated": _entries(not_estimated),
            "warnings": _entries(warnings),
        }
        if with_rule:
            document["mpf_rule"] = None if rule is None else {"rule": rule[0], "reference": rule[1]}
        documents[row["shipment_id"]] = document
    return documents


def totals(costs: Costs) -> dict[str, Any]:
    """Sums over the shipments that have a figure, and the entries by type."""
    frame = costs.shipments
    return {
        "hts_revision": costs.revision,
        "duty_usd": money(int(frame["duty_cents"].fill_null(0).sum())),
        "mpf_usd": money(int(frame["mpf_cents"].fill_null(0).sum())),
        "total_usd": money(int(frame["total_cents"].fill_null(0).sum())),
        "by_entry_type": {kind: int((frame["entry_type"] == kind).sum()) for kind in ("11", "01")},
    }


def screening_document(result: Any, costs: Costs) -> dict[str, Any]:
    """The screening document (``ScreeningResult.to_document``) with every shipment's ``costs``
    and the summary's ``costs`` totals."""
    base: dict[str, Any] = result.to_document()
    documents = shipment_documents(costs)
    for record in base["shipments"]:
        record["costs"] = documents[record["shipment_id"]]
    base["summary"]["costs"] = totals(costs)
    return base
