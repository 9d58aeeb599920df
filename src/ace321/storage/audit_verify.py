"""Checking the audit trail: the keyed chain, its head, anchors and the stored decisions.

``verify`` walks every event from the first and reports the first one changed, deleted, moved
or added by hand (``event_id`` names it), then the head (its MAC: a head rewound by SQL to hide
deleted events does not carry it), then each stored shipment's decision and status against what
its audit events say (a direct ``UPDATE`` of the shipments table is found), then the anchors.

An anchor (``anchor``) is one JSON line an operator keeps outside the database: the event
count, the newest event's hash and the time, with an HMAC under the audit key. A chain cut back
below an anchor (truncation), or rewound and written again (rollback, restoring an old backup)
no longer holds the anchored event, which ``verify`` reports.

``seal_legacy`` keys a chain written before the key existed (migration 0005).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ace321.storage import audit
from ace321.storage.audit_key import AuditKey, AuditKeyError, load_key
from ace321.storage.database import StorageError
from ace321.storage.models import AuditEvent, AuditHead, Shipment

REKEY_ACTION = "rekey"
_ANCHOR_KEYS = ("anchor", "at", "events", "hash", "key_id", "mac")


@dataclass
class Verification:
    ok: bool
    events: int
    event_id: int | None = None
    """The first bad event (or the first missing one), when the problem is about an event."""
    problem: str | None = None
    details: list[str] = field(default_factory=list)
    key_id: str | None = None
    legacy_events: int = 0
    shipments: int = 0
    anchors: int = 0
    tenant_events: int | None = None
    """With ``verify(tenant=...)``: the events of that tenant among the ``events`` verified."""


@dataclass(frozen=True)
class _Broken:
    event_id: int | None
    problem: str


Fold = Callable[[AuditEvent, dict[str, Any]], None]


def _walk(session: Session, key: AuditKey | None, legacy_last_id: int, fold: Fold | None
          ) -> tuple[int, str, _Broken | None]:
    """(last id, last hash, first problem) of the events in id order; events up to
    ``legacy_last_id`` (all when ``key`` is None) are checked with plain SHA-256."""
    expected_id, prev_hash = 1, audit.GENESIS
    keyed = key.mac_function() if key is not None else None
    for row in audit._events(session):
        if row.id != expected_id:
            if row.id > expected_id:
                missing = (f"event {expected_id}" if row.id == expected_id + 1
                           else f"events {expected_id}-{row.id - 1}")
                return expected_id - 1, prev_hash, _Broken(
                    expected_id, f"{missing} deleted: the chain jumps from event "
                    f"{expected_id - 1} to event {row.id}")
            return expected_id - 1, prev_hash, _Broken(row.id, f"event {row.id} is out of order")
        try:
            event = audit._event_dict(row)
        except json.JSONDecodeError:
            return expected_id - 1, prev_hash, _Broken(
                row.id, f"event {row.id} changed (before/after is not JSON)")
        legacy = keyed is None or row.id <= legacy_last_id
        text = audit.event_text(event).encode("utf-8")
        expected = hashlib.sha256(text).hexdigest() if legacy or keyed is None else keyed(text)
        if not hmac.compare_digest(row.hash, expected):
            how = ("its content does not match its SHA-256 hash" if legacy else
                   "its content does not match its HMAC (changed, or its hash recomputed "
                   "without the audit key)")
            return expected_id - 1, prev_hash, _Broken(row.id, f"event {row.id} changed: {how}")
        if row.prev_hash != prev_hash:
            return expected_id - 1, prev_hash, _Broken(
                row.id, f"event {row.id} does not follow event {row.id - 1}: prev_hash differs "
                "(an event was changed, deleted or reordered)")
        if fold is not None:
            fold(row, event)
        prev_hash = row.hash
        expected_id += 1
    return expected_id - 1, prev_hash, None


class _States:
    """Each shipment's decision and status as its audit events tell them."""

    def __init__(self) -> None:
        self.decision: dict[tuple[int, str], tuple[str, int]] = {}
        self.status: dict[tuple[int, str], tuple[str, int]] = {}

    def __call__(self, row: AuditEvent, event: dict[str, Any]) -> None:
        if row.entity_type != "shipment" or not isinstance(event["after"], dict):
            return
        after, key = event["after"], (row.tenant_id, row.entity_id)
        if isinstance(after.get("decision"), str):
            self.decision[key] = (after["decision"], row.id)
        if isinstance(after.get("status"), str):
            self.status[key] = (after["status"], row.id)

    def differences(self, session: Session, tenant: int | None = None
                    ) -> tuple[int, list[tuple[int | None, str]]]:
        """(shipments compared, [(event id, problem)]) in the order of the shipments table;
        only ``tenant``'s shipments when it is given."""
        found: list[tuple[int | None, str]] = []
        seen: set[tuple[int, str]] = set()
        count = 0
        query = select(Shipment.tenant_id, Shipment.shipment_id, Shipment.decision,
                       Shipment.status).order_by(Shipment.tenant_id, Shipment.shipment_id)
        if tenant is not None:
            query = query.where(Shipment.tenant_id == tenant)
        for tenant, shipment_id, decision, status in session.execute(
                query.execution_options(yield_per=5000)):
            count += 1
            key = (tenant, shipment_id)
            seen.add(key)
            name = f"shipment {shipment_id!r} (tenant {tenant})"
            for label, stored, recorded in (("decision", decision, self.decision.get(key)),
                                            ("status", status, self.status.get(key))):
                if recorded is None:
                    found.append((None, f"{name}: no audit event records its {label} "
                                  f"({stored}): the shipment was inserted by hand"))
                elif recorded[0] != stored:
                    found.append((recorded[1], f"{name}: its {label} is {stored} but its audit "
                                  f"events say {recorded[0]} (event {recorded[1]}): changed "
                                  "without the application"))
        for key in sorted(set(self.decision) - seen):
            if tenant is not None and key[0] != tenant:
                continue
            event_id = self.decision[key][1]
            found.append((event_id, f"shipment {key[1]!r} (tenant {key[0]}) is in the audit "
                          f"trail (event {event_id}) but not in the database: deleted by hand"))
        return count, found


class _TenantEvents:
    """Counts the verified events of one tenant, then passes each event on to ``fold``."""

    def __init__(self, tenant: int, fold: Fold | None) -> None:
        self.tenant, self.fold, self.count = tenant, fold, 0

    def __call__(self, row: AuditEvent, event: dict[str, Any]) -> None:
        if row.tenant_id == self.tenant:
            self.count += 1
        if self.fold is not None:
            self.fold(row, event)


def _chain_key(head: AuditHead, key: AuditKey | None) -> AuditKey:
    if key is not None:
        if head.key_id != key.key_id:
            raise StorageError(f"the audit key given (key id {key.key_id}) is not the key of "
                               f"this chain (key id {head.key_id})")
        return key
    return audit.chain_key(head)


def verify(session: Session, *, anchors: Iterable[dict[str, Any]] = (),
           key: AuditKey | None = None, states: bool = True,
           tenant: int | None = None) -> Verification:
    """The chain, its head, the stored decisions and statuses, and ``anchors`` (parsed lines
    of an anchor file). Raises StorageError when the key at hand is not the chain's key.

    ``tenant`` (a tenant's id) still verifies the whole chain, which every tenant's events
    share, but reports for that tenant only: ``tenant_events`` counts its events, only its
    shipments are compared, and a break at another tenant's event names neither the event nor
    its content (``scoped_problem``)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        return Verification(False, 0, None, "the chain head (table audit_head) is missing: it "
                            "was deleted by hand")
    if head.key_id is None:
        return Verification(False, 0, None, "the chain head carries no key record: it was "
                            "removed by hand (or the database was not migrated: ace321 db "
                            "upgrade)")
    chain_key = _chain_key(head, key)
    legacy = head.legacy_last_id or 0
    fold: Any = _States() if states else None
    counter = _TenantEvents(tenant, fold) if tenant is not None else None
    last, last_hash, broken = _walk(session, chain_key, legacy, counter or fold)
    result = Verification(True, last, key_id=chain_key.key_id, legacy_events=legacy,
                          tenant_events=None if counter is None else counter.count)
    if broken is not None:
        return _fail(result, broken.event_id, broken.problem)
    expected_mac = audit.head_mac(chain_key, last_id=head.last_id, last_hash=head.last_hash,
                                  legacy_last_id=legacy)
    if head.mac is None or not hmac.compare_digest(head.mac, expected_mac):
        if head.last_id == last and head.last_hash == last_hash:
            problem = (f"the chain head was rewritten by hand (its MAC does not match): events "
                       f"after event {last} may have been deleted")
        else:
            problem = (f"the chain head was rewritten by hand (its MAC does not match; it "
                       f"records event {head.last_id}, the chain ends at event {last})")
        return _fail(result, last + 1, problem)
    if head.last_id > last:
        missing = (f"event {last + 1}" if head.last_id == last + 1
                   else f"events {last + 1}-{head.last_id}")
        return _fail(result, last + 1, f"{missing} deleted: the chain ends at event {last} but "
                     f"its head records event {head.last_id}")
    if head.last_id < last or head.last_hash != last_hash:
        first = head.last_id + 1 if head.last_id < last else head.last_id
        return _fail(result, first, f"event {first} was not written by ace321: the head "
                     f"records event {head.last_id}, the chain goes on to event {last}")
    if legacy:
        seal = _seal_problem(session, legacy)
        if seal is not None:
            return _fail(result, legacy + 1, seal)
    for number, anchor in enumerate(anchors, start=1):
        problem = _anchor_problem(session, chain_key, anchor, last)
        if problem is not None:
            return _fail(result, problem[0], f"anchor {number} ({anchor.get('at')}): "
                         f"{problem[1]}")
        result.anchors += 1
    if fold is not None:
        result.shipments, differences = fold.differences(session, tenant)
        if differences:
            result.details = [problem for _, problem in differences]
            event_id, problem = differences[0]
            more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
            return _fail(result, event_id, problem + more)
    return result


def scoped_problem(session: Session, result: Verification, tenant: int) -> str | None:
    """``result.problem`` as a user of ``tenant`` may read it: a break at another tenant's
    event (or at no event) says only that the shared chain is broken, and where to look."""
    if result.ok or result.problem is None:
        return None
    if result.details:
        return result.problem  # the shipments compared, with ``tenant`` given, are its own
    owner = None if result.event_id is None else session.scalar(
        select(AuditEvent.tenant_id).where(AuditEvent.id == result.event_id))
    if owner == tenant:
        return result.problem
    return ("the audit chain shared by every tenant is broken outside your tenant's events; "
            "the administrator of the installation sees where with `ace321 audit verify`")


def _fail(result: Verification, event_id: int | None, problem: str) -> Verification:
    result.ok, result.event_id, result.problem = False, event_id, problem
    return result


def _seal_problem(session: Session, legacy: int) -> str | None:
    seal = session.get(AuditEvent, legacy + 1)
    last_legacy = session.get(AuditEvent, legacy)
    after = json.loads(seal.after) if seal is not None and seal.after else {}
    if (seal is None or last_legacy is None or seal.action != REKEY_ACTION
            or after.get("legacy_events") != legacy
            or after.get("legacy_head") != last_legacy.hash):
        return (f"event {legacy + 1} is not the rekey event that seals the {legacy} legacy "
                "(SHA-256) events")
    return None


# -- anchors ------------------------------------------------------------------------------


def _anchor_text(anchor: dict[str, Any]) -> str:
    return (f"ace321 audit anchor\0{anchor['events']}\0{anchor['hash']}\0{anchor['at']}"
            f"\0{anchor['key_id']}")


def anchor(session: Session, at: dt.datetime, *, key: AuditKey | None = None
           ) -> tuple[Verification, dict[str, Any] | None]:
    """Verify the chain, then the anchor of its head (None when the chain is broken)."""
    result = verify(session, key=key)
    if not result.ok:
        return result, None
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    chain_key = _chain_key(head, key)
    line: dict[str, Any] = {"anchor": 1, "events": head.last_id, "hash": head.last_hash,
                            "at": at.isoformat(timespec="seconds"),
                            "key_id": chain_key.key_id}
    line["mac"] = chain_key.mac(_anchor_text(line))
    return result, line


def read_anchors(text: str, source: str) -> list[dict[str, Any]]:
    """The anchors of an anchor file (JSON Lines); ValueError naming the line otherwise."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{source} line {number}: not JSON ({error.msg})") from None
        if (not isinstance(item, dict) or sorted(item) != sorted(_ANCHOR_KEYS)
                or not isinstance(item["events"], int) or isinstance(item["events"], bool)
                or not all(isinstance(item[k], str) for k in ("hash", "at", "key_id", "mac"))):
            raise ValueError(f"{source} line {number}: not an ace321 audit anchor (keys "
                             f"{', '.join(_ANCHOR_KEYS)})")
        out.append(item)
    return out


def _anchor_problem(session: Session, key: AuditKey, item: dict[str, Any], last: int
                    ) -> tuple[int | None, str] | None:
    if item["key_id"] != key.key_id or not hmac.compare_digest(
            item["mac"], key.mac(_anchor_text(item))):
        return None, ("not signed by this chain's audit key (the anchor was edited, or belongs "
                      "to another database)")
    events = item["events"]
    if events > last:
        return last + 1, (f"the chain was cut back: the anchor records {events} event(s), the "
                          f"chain has {last} (events {last + 1}-{events} deleted)")
    if events == 0:
        return None
    row = session.get(AuditEvent, events)
    if row is None or row.hash != item["hash"]:
        return events, (f"event {events} is not the event anchored: the chain was rolled back "
                        "or rewritten from there")
    return None


# -- keying a legacy chain (migration 0005) -----------------------------------------------


def seal_legacy(session: Session, at: dt.datetime, *, actor: str = "ace321 db upgrade"
                ) -> dict[str, Any]:
    """Key the chain: a ``rekey`` event (keyed) records the legacy events' count and head, and
    whether their SHA-256 chain verified; the head gets the key id and its MAC. Creates the key
    file on first use. No-op for a chain already keyed. Returns the rekey event's ``after``."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)
                           .with_for_update()).scalar_one()
    if head.key_id is not None:
        return {}
    try:
        key = load_key(create=True)
    except AuditKeyError as error:
        raise StorageError(str(error)) from None
    legacy = head.last_id
    last_id, last_hash = head.last_id, head.last_hash
    after: dict[str, Any] = {"legacy_events": legacy, "key_id": key.key_id,
                             "scheme": "HMAC-SHA-256"}
    if legacy:
        walked, walked_hash, broken = _walk(session, None, legacy, None)
        intact = broken is None and walked == legacy and walked_hash == head.last_hash
        after.update(legacy_head=head.last_hash, legacy_intact=intact)
        if not intact:
            after["legacy_problem"] = (broken.problem if broken is not None else
                                       f"the head records event {legacy}, the chain ends at "
                                       f"event {walked}")
        event = {"id": legacy + 1, "tenant_id": audit.SYSTEM_TENANT, "at": audit.timestamp(at),
                 "actor": actor, "action": REKEY_ACTION, "entity_type": "audit",
                 "entity_id": "chain", "before": None, "after": audit.normalized(after),
                 "rules_version": None, "prev_hash": head.last_hash}
        last_id, last_hash = legacy + 1, audit.event_hash(event, key)
        session.add(AuditEvent(**{**event, "after": audit.canonical_json(event["after"]),
                                  "hash": last_hash}))
        session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(
        last_id=last_id, last_hash=last_hash, key_id=key.key_id, legacy_last_id=legacy,
        mac=audit.head_mac(key, last_id=last_id, last_hash=last_hash, legacy_last_id=legacy)))
    return after
