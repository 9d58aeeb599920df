"""Stored shipments: list (all, or a page), read, explain; override a decision by hand and
change a status, with the checks every delivery layer shares."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ace321.app.errors import InvalidInput, NotFound, Refused, problem
from ace321.app.paging import decode_cursor, encode_cursor
from ace321.app.permissions import check_override
from ace321.rules import RuleSet
from ace321.storage import Database, StorageError, queries
from ace321.storage.lifecycle import (
    TransitionError,
    find,
    override,
    override_refusal,
    stricter_paths,
    transition,
)
from ace321.storage.models import AuditEvent, Shipment
from ace321.storage.trips import open_trips_of


@dataclass
class ShipmentPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_shipments(db: Database, *, tenant: str, status: str | None = None,
                   decision: str | None = None, arrival_date: dt.date | None = None,
                   consignee: str | None = None, risk_band: str | None = None,
                   limit: int | None = None, after: str | None = None
                   ) -> list[dict[str, Any]]:
    """The matching shipments by shipment id: at most ``limit``, those after ``after``."""
    with db.reading() as session:
        return queries.list_shipments(session, tenant=tenant, status=status, decision=decision,
                                      arrival_date=arrival_date, consignee=consignee,
                                      risk_band=risk_band, limit=limit, after=after)


def shipment_page(db: Database, *, tenant_pk: int, status: str | None = None,
                  decision: str | None = None, arrival_date: dt.date | None = None,
                  consignee: str | None = None, cursor: str | None = None, limit: int = 100,
                  risk_band: str | None = None) -> ShipmentPage:
    """One page of matching shipments, by shipment id."""
    query = queries.filtered(select(Shipment).where(Shipment.tenant_id == tenant_pk),
                             status=status, decision=decision, arrival_date=arrival_date,
                             consignee=consignee, risk_band=risk_band)
    if cursor:
        query = query.where(Shipment.shipment_id > decode_cursor(cursor, 1)[0])
    query = query.order_by(Shipment.shipment_id).limit(limit + 1)
    with db.reading() as session:
        rows = [queries.summary(s) for s in session.scalars(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return ShipmentPage(rows, encode_cursor([rows[-1]["shipment_id"]]) if more and rows
                        else None)


def show_shipment(db: Database, *, tenant: str, shipment_id: str) -> dict[str, Any]:
    """Parties, lines, decisions with reasons, status history."""
    with db.reading() as session:
        try:
            return queries.show(session, shipment_id, tenant)
        except StorageError:
            raise NotFound(f"no stored shipment {shipment_id!r}") from None


def shipment_detail(db: Database, *, tenant: str, shipment_id: str) -> dict[str, Any]:
    """``show_shipment`` with the reasons and issues of the decision in effect and the
    shipment's audit events."""
    from ace321.app.batches import latest_decisions

    with db.reading() as session:
        try:
            shown = queries.show(session, shipment_id, tenant)
        except StorageError:
            raise NotFound(f"no shipment {shipment_id!r}") from None
        shipment = find(session, shipment_id, tenant)
        reasons, issues = latest_decisions(session, [shipment.id]).get(shipment.id, ([], []))
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == shipment.tenant_id, AuditEvent.entity_type == "shipment",
            AuditEvent.entity_id == shipment_id).order_by(AuditEvent.id)).all()
    return {
        **shown, "reasons": reasons, "issues": issues,
        "audit_events": [{
            "id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
            "before": None if e.before is None else json.loads(e.before),
            "after": None if e.after is None else json.loads(e.after),
            "rules_version": e.rules_version, "hash": e.hash} for e in events],
    }


def explain_shipment(db: Database, rules: RuleSet, *, tenant: str, shipment_id: str,
                     rates: pl.DataFrame | None = None) -> queries.Explanation:
    """Screen the stored shipment again and compare with its stored decision."""
    with db.reading() as session:
        try:
            return queries.explain(session, shipment_id, rules, tenant=tenant, rates=rates)
        except StorageError as error:
            if str(error).startswith("no stored shipment"):
                raise NotFound(str(error)) from None
            raise


@dataclass
class Change:
    shipment_id: str
    before: str
    after: str


def _refuse_on_filed_trip(session: Session, shipment: Shipment) -> None:
    """An override must not contradict a filed trip: while the shipment travels on a filed,
    not cancelled trip (and CBP has not rejected it), the trip must be cancelled or amended
    first."""
    if shipment.status == "REJECTED":
        return
    filed = open_trips_of(session, [shipment.id]).get(shipment.id)
    if filed is None:
        return
    number, status = filed
    shipment_id = shipment.shipment_id
    message = (f"shipment {shipment_id} is on trip {number} ({status}), filed with its current "
               f"decision {shipment.decision}: cancel the trip first (ace321 trips cancel "
               f"{number} --reason ..., or POST /v1/trips/{number}/cancel), or amend it with "
               "CBP, then override")
    raise Refused(message, code="SHIPMENT_ON_FILED_TRIP", problems=[
        problem("SHIPMENT_ON_FILED_TRIP", f"shipments[{shipment_id}]", message)])


@dataclass
class OverrideOptions:
    """What an override of a shipment may do now: the stricter paths, or why none."""

    choices: tuple[str, ...]
    refusal: str | None = None
    code: str | None = None


def override_options(db: Database, *, tenant: str, shipment_id: str) -> OverrideOptions:
    """The decisions strictly stricter than the shipment's, unless ``override_decision`` would
    refuse any override now (filed trip, INVALID, a status past transmission, none stricter):
    then no choice and the refusal, with the same code and message."""
    with db.reading() as session:
        try:
            shipment = find(session, shipment_id, tenant)
        except StorageError:
            raise NotFound(f"no shipment {shipment_id!r}") from None
        try:
            _refuse_on_filed_trip(session, shipment)
        except Refused as refused:
            return OverrideOptions((), refused.message, refused.code)
        message = override_refusal(shipment)
        if message is not None:
            return OverrideOptions((), message, "OVERRIDE_REFUSED")
        return OverrideOptions(stricter_paths(shipment.decision))


def override_decision(db: Database, rules: RuleSet, *, tenant: str, actor: str, role: str,
                      now: dt.datetime, shipment_id: str, decision: str, reason: str) -> Change:
    """Set a stricter entry path by hand (INFORMAL_ENTRY or FORMAL_ENTRY), with a reason, as
    an account with ``role`` (``ace321.app.permissions``: not a viewer).

    Refused while the shipment is on a filed trip that is not cancelled: the trip's files say
    what was filed, so the trip must be cancelled (or amended with CBP) first.
    """
    check_override(role)
    try:
        before, after = override(db, shipment_id, decision, reason=reason, actor=actor, now=now,
                                 rules_version=rules.version, tenant=tenant,
                                 check=_refuse_on_filed_trip)
    except TransitionError as error:
        raise Refused(str(error), code="OVERRIDE_REFUSED") from None
    except StorageError:
        raise NotFound(f"no shipment {shipment_id!r}") from None
    return Change(shipment_id, before, after)


def change_status(db: Database, *, tenant: str, actor: str, now: dt.datetime,
                  shipment_id: str, to: str, cause: str) -> Change:
    """Move a shipment to status ``to``, only along the allowed transitions, with a cause."""
    try:
        before, after = transition(db, shipment_id, to, actor=actor, cause=cause, now=now,
                                   tenant=tenant)
    except TransitionError as error:
        raise Refused(str(error), code="TRANSITION_REFUSED") from None
    except StorageError:
        raise NotFound(f"no shipment {shipment_id!r}") from None
    return Change(shipment_id, before, after)


def refuse_unknown(value: str | None, known: tuple[str, ...], field: str) -> None:
    """``InvalidInput`` naming ``field`` when ``value`` is not one of ``known`` (any case)."""
    if value is not None and value.upper() not in known:
        message = f"{value!r} is not one of {', '.join(known)}"
        raise InvalidInput(f"{field}: {message}", problems=[
            problem("INVALID_REQUEST", field, message)])
