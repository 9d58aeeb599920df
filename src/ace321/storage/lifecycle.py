"""Shipment statuses, their legal transitions, and manual overrides to a stricter path.

SCREENED -> MANIFESTED -> TRANSMITTED -> ACCEPTED | REJECTED; ACCEPTED -> ARRIVED -> RELEASED |
HOLD; HOLD -> RELEASED; REJECTED -> MANIFESTED (corrected and sent again). A shipment may be
CANCELLED until it is transmitted, or after a rejection. RELEASED and CANCELLED are final.
MANIFESTED -> SCREENED when its trip is cancelled before transmission (``trips cancel``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ace321.screening.money import amount
from ace321.storage import audit
from ace321.storage.database import Database, StorageError, lock_names
from ace321.storage.history import STRICTNESS, strictest, tenant_id
from ace321.storage.models import Decision, DecisionReason, Shipment, StatusChange
from ace321.storage.types import stored_type
from ace321.vocabulary import OverrideDecision, ShipmentStatus

STATUSES = ShipmentStatus.values()
TRANSITIONS: dict[str, frozenset[str]] = {
    "SCREENED": frozenset({"MANIFESTED", "CANCELLED"}),
    "MANIFESTED": frozenset({"TRANSMITTED", "CANCELLED", "SCREENED"}),
    "TRANSMITTED": frozenset({"ACCEPTED", "REJECTED"}),
    "ACCEPTED": frozenset({"ARRIVED"}),
    "REJECTED": frozenset({"MANIFESTED", "CANCELLED"}),
    "ARRIVED": frozenset({"RELEASED", "HOLD"}),
    "HOLD": frozenset({"RELEASED"}),
    "RELEASED": frozenset(),
    "CANCELLED": frozenset(),
}
OVERRIDE_DECISIONS = OverrideDecision.values()
OVERRIDABLE_STATUSES = ("SCREENED", "MANIFESTED", "REJECTED")


class TransitionError(StorageError):
    pass


def find(session: Session, shipment_id: str, tenant: str = "default",
         *, for_update: bool = False) -> Shipment:
    query = select(Shipment).where(Shipment.tenant_id == tenant_id(session, tenant),
                                   Shipment.shipment_id == shipment_id)
    if for_update:
        query = query.with_for_update()
    shipment = session.scalars(query).one_or_none()
    if shipment is None:
        raise StorageError(f"no stored shipment {shipment_id!r}")
    return shipment


def _lock(session: Session, tenant: str, shipment_id: str) -> None:
    lock_names(session, {f"s|{tenant_id(session, tenant)}|{shipment_id}"})


def transition(db: Database, shipment_id: str, to: str, *, actor: str, cause: str,
               now: dt.datetime, tenant: str = "default") -> tuple[str, str]:
    """Move a shipment to status ``to``; returns (from, to). Illegal moves raise TransitionError."""
    to = to.upper()
    if to not in STATUSES:
        raise TransitionError(f"unknown status {to!r}; statuses: {', '.join(STATUSES)}")
    if not cause.strip():
        raise TransitionError("a status change needs a cause")
    with db.transaction() as session:
        _lock(session, tenant, shipment_id)
        shipment = find(session, shipment_id, tenant, for_update=True)
        current = shipment.status
        if to not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final status)"
            raise TransitionError(
                f"shipment {shipment_id}: {current} -> {to} is not allowed (from {current}: "
                f"{allowed})")
        if to == "MANIFESTED" and shipment.decision == "INVALID":
            raise TransitionError(f"shipment {shipment_id} is INVALID and cannot be manifested")
        session.execute(update(Shipment).where(Shipment.id == shipment.id).values(
            status=to, updated_at=now))
        session.execute(insert(StatusChange), [{
            "shipment_pk": shipment.id, "from_status": current, "to_status": to,
            "changed_at": now, "actor": actor, "cause": cause}])
        audit.append(session, tenant_id=shipment.tenant_id, actor=actor, at=now, entries=[
            audit.Entry("status", "shipment", shipment_id, before={"status": current},
                        after={"status": to, "cause": cause})])
        return current, to


def stricter_paths(decision: str) -> tuple[str, ...]:
    """The decisions an override may set on a shipment decided ``decision`` (maybe none)."""
    return tuple(d for d in OVERRIDE_DECISIONS if STRICTNESS[d] > STRICTNESS[decision])


def override_refusal(shipment: Shipment, decision: str | None = None) -> str | None:
    """Why ``shipment`` cannot be overridden to ``decision`` (``None``: to any path), or None.

    ``override`` refuses with it; the pages ask it first, to show the refusal before the form.
    """
    shipment_id, before = shipment.shipment_id, shipment.decision
    if before == "INVALID":
        return f"shipment {shipment_id} is INVALID: correct and re-import it"
    if decision is not None and STRICTNESS[decision] <= STRICTNESS[before]:
        return (f"override of {shipment_id} to {decision} refused: it is not stricter than its "
                f"decision {before} (SECTION_321/GIFT < INFORMAL_ENTRY < FORMAL_ENTRY)")
    if decision is None and not stricter_paths(before):
        return (f"shipment {shipment_id} is already {before}, the strictest path: no override "
                "can make it stricter")
    if shipment.status not in OVERRIDABLE_STATUSES:
        return f"shipment {shipment_id} is {shipment.status}: its decision can no longer change"
    return None


def override(db: Database, shipment_id: str, decision: str, *, reason: str, actor: str,
             now: dt.datetime, rules_version: str, tenant: str = "default",
             check: Callable[[Session, Shipment], None] | None = None) -> tuple[str, str]:
    """Set a stricter entry path by hand; returns (before, after).

    Only INFORMAL_ENTRY or FORMAL_ENTRY, only stricter than the current decision (never granting
    de minimis or a gift the rules deny), only with a reason, and only before transmission.
    ``check`` runs on the locked shipment inside the transaction and may raise to refuse.
    """
    decision = decision.upper()
    if not reason.strip():
        raise TransitionError("an override needs a reason")
    if decision not in OVERRIDE_DECISIONS:
        raise TransitionError(
            f"override to {decision!r} refused: only a stricter path, "
            f"{' or '.join(OVERRIDE_DECISIONS)}, may be set by hand")
    with db.transaction() as session:
        _lock(session, tenant, shipment_id)
        shipment = find(session, shipment_id, tenant, for_update=True)
        if check is not None:
            check(session, shipment)
        refused = override_refusal(shipment, decision)
        if refused is not None:
            raise TransitionError(refused)
        before = shipment.decision
        after = strictest(decision, shipment.rules_decision)
        session.execute(update(Shipment).where(Shipment.id == shipment.id).values(
            override_decision=decision, decision=after, ace_shipment_type=stored_type(after),
            updated_at=now))
        last = session.scalars(select(Decision).where(Decision.shipment_pk == shipment.id)
                               .order_by(Decision.seq.desc())).first()
        decision_id = uuid.uuid4()
        session.execute(insert(Decision), [{
            "id": decision_id, "shipment_pk": shipment.id, "cause": "OVERRIDE",
            "seq": (last.seq + 1) if last else 1,
            "decision": after, "rules_decision": shipment.rules_decision,
            "ace_shipment_type": stored_type(after), "value_usd": shipment.value_usd,
            "consignee_key": shipment.consignee_key,
            "rules_version": shipment.rules_version, "caused_by": None, "note": reason,
            "issues": last.issues if last else "[]", "actor": actor, "decided_at": now}])
        if last is not None:
            reasons = session.scalars(select(DecisionReason).where(
                DecisionReason.decision_id == last.id).order_by(DecisionReason.position)).all()
            rows: list[dict[str, Any]] = [
                {"decision_id": decision_id, "position": r.position, "code": r.code,
                 "message": r.message, "reference": r.reference} for r in reasons]
            if rows:
                session.execute(insert(DecisionReason), rows)
        audit.append(session, tenant_id=shipment.tenant_id, actor=actor, at=now, entries=[
            audit.Entry("override", "shipment", shipment_id,
                        before={"decision": before},
                        after={"decision": after, "reason": reason},
                        rules_version=rules_version)])
        return before, after


def history(session: Session, shipment: Shipment) -> dict[str, Any]:
    """Decisions (with reasons) and status changes of a stored shipment, oldest first."""
    decisions = session.scalars(select(Decision).where(Decision.shipment_pk == shipment.id)
                                .order_by(Decision.seq)).all()
    out_decisions = []
    for d in decisions:
        reasons = session.scalars(select(DecisionReason).where(
            DecisionReason.decision_id == d.id).order_by(DecisionReason.position)).all()
        out_decisions.append({
            "seq": d.seq, "cause": d.cause, "decision": d.decision, "rules_decision": d.rules_decision,
            "value_usd": None if d.value_usd is None else amount(d.value_usd),
            "rules_version": d.rules_version, "caused_by": d.caused_by, "note": d.note,
            "actor": d.actor, "decided_at": d.decided_at.isoformat(),
            "reasons": [{"code": r.code, "message": r.message, "reference": r.reference}
                        for r in reasons],
            "issues": json.loads(d.issues),
        })
    statuses = session.scalars(select(StatusChange).where(StatusChange.shipment_pk == shipment.id)
                               .order_by(StatusChange.id)).all()
    return {
        "decisions": out_decisions,
        "status_history": [{"from": s.from_status, "to": s.to_status,
                            "at": s.changed_at.isoformat(), "actor": s.actor, "cause": s.cause}
                           for s in statuses],
    }
