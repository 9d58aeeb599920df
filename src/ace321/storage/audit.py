"""The audit trail: append-only events in one keyed hash chain.

``hash = HMAC-SHA-256(key, canonical JSON of the event with its prev_hash)``, canonical JSON
being sorted keys, no spaces, UTF-8; the key lives outside the database
(``storage.audit_key``). The event id and time are hashed too, so an event changed, deleted or
moved breaks the chain at that event, and without the key nobody can recompute the hashes of a
rewritten chain. ``audit_head`` keeps the newest event's id and hash with its own MAC, so
deleting the newest events and rewinding the head is found as well. No application path updates
or deletes events.

Chains written before the key (migration 0005) keep their events 1..``legacy_last_id`` hashed
with plain SHA-256; the migration appends a ``rekey`` event, keyed, that records the legacy
head, so a later rewrite of the legacy part breaks the keyed chain at that event.
Verification, anchors and the decision check: ``storage.audit_verify``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_string
from typing import IO, Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ace321.storage.audit_key import AuditKey, AuditKeyError, key_location, load_key
from ace321.storage.database import StorageError
from ace321.storage.models import AuditEvent, AuditHead

GENESIS = "0" * 64
SYSTEM_TENANT = 0
"""``tenant_id`` of the chain's own events (``rekey``): no tenant's view shows them."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def normalized(value: Any) -> Any:
    """The JSON value as it reads back from its canonical text (Decimals and dates as strings)."""
    return None if value is None else json.loads(canonical_json(value))


def timestamp(at: dt.datetime) -> str:
    """UTC ISO text with microseconds: the form stored and hashed."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: dict[str, Any], key: AuditKey | None) -> str:
    """Hash of an event dict (every field but ``hash``; ``before``/``after`` as JSON values):
    HMAC-SHA-256 with ``key``, plain SHA-256 for the legacy events (``key`` None)."""
    text = event_text(event)
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if key is None else key.mac(text)


def event_text(event: dict[str, Any]) -> str:
    """The canonical JSON an event's hash is taken over (every field but ``hash``)."""
    return canonical_json({name: value for name, value in event.items() if name != "hash"})


def head_mac(key: AuditKey, *, last_id: int, last_hash: str, legacy_last_id: int) -> str:
    """The MAC of the chain head: rewinding the head by SQL needs the key."""
    return key.mac(f"ace321 audit head\0{int(last_id)}\0{last_hash}\0{int(legacy_last_id)}"
                   f"\0{key.key_id}")


def chain_key(head: AuditHead, *, create: bool = False) -> AuditKey:
    """The key of the chain ``head`` records; a StorageError when it is not the one at hand."""
    if head.key_id is None:
        raise StorageError("the audit chain head carries no key record (a database not "
                           "migrated, or the record was removed): run `ace321 audit verify`")
    try:
        key = load_key(create=create)
    except AuditKeyError as error:
        raise StorageError(str(error)) from None
    if key.key_id != head.key_id:
        raise StorageError(
            f"the audit key at {key_location()} (key id {key.key_id}) is not the key of this "
            f"database's audit chain (key id {head.key_id}): restore the right key file from its "
            "backup, or point ACE321_AUDIT_KEY_FILE at it")
    return key


@dataclass(frozen=True)
class Entry:
    action: str
    entity_type: str
    entity_id: str
    before: Any = None
    after: Any = None
    rules_version: str | None = None


def append(session: Session, *, tenant_id: int, actor: str, at: dt.datetime,
           entries: list[Entry]) -> list[int]:
    """Append events in order (locks the chain head until the transaction ends)."""
    return append_serialized(session, tenant_id=tenant_id, actor=actor, at=at,
                             events=serialized(entries))


Serialized = tuple[str, str, str, str | None, str | None, str | None]
"""(action, entity_type, entity_id, before, after, rules_version); before and after as their
canonical JSON text (``canonical_json(normalized(value))``), None for no value."""


def serialized(entries: Iterable[Entry]) -> list[Serialized]:
    return [(entry.action, entry.entity_type, entry.entity_id, _value_json(entry.before),
             _value_json(entry.after), entry.rules_version) for entry in entries]


def _value_json(value: Any) -> str | None:
    return None if value is None else canonical_json(normalized(value))


def append_serialized(session: Session, *, tenant_id: int, actor: str, at: dt.datetime,
                      events: Iterable[Serialized]) -> list[int]:
    """``append`` for events whose before/after are already canonical JSON text.

    The event's canonical JSON is assembled from the pre-serialised parts in the fixed sorted
    key order, so each event costs one SHA-256 and no JSON round trip: byte for byte the text
    ``event_hash`` hashes (tests compare the two).
    """
    events = list(events)
    if not events:
        return []
    from ace321.storage.bulk import write_frame

    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    key = chain_key(head)
    if head.mac is None or not hmac.compare_digest(head.mac, head_mac(
            key, last_id=head.last_id, last_hash=head.last_hash,
            legacy_last_id=head.legacy_last_id or 0)):
        raise StorageError("the audit chain head does not carry its MAC (it was rewritten by "
                           "hand): nothing was written; run `ace321 audit verify`")
    mac = key.mac_function()
    prev_id, prev_hash = head.last_id, head.last_hash
    stamp = timestamp(at)
    # Keys in sorted order: action, actor, after, at, before, entity_id, entity_type, id,
    # prev_hash, rules_version, tenant_id.
    actor_at = f'"actor":{_text(actor)},"after":'
    at_before = f',"at":{_text(stamp)},"before":'
    tenant = f',"tenant_id":{int(tenant_id)}}}'
    ids, hashes = [], []
    for action, entity_type, entity_id, before, after, rules_version in events:
        prev_id += 1
        text = "".join((
            '{"action":', _text(action), ",", actor_at, after or "null", at_before,
            before or "null", ',"entity_id":', _text(entity_id), ',"entity_type":',
            _text(entity_type), ',"id":', str(prev_id), ',"prev_hash":"', prev_hash,
            '","rules_version":', "null" if rules_version is None else _text(rules_version),
            tenant))
        prev_hash = mac(text.encode("utf-8"))
        ids.append(prev_id)
        hashes.append(prev_hash)
    actions, entity_types, entity_ids, befores, afters, versions = (
        list(column) for column in zip(*events, strict=True))
    frame = pl.DataFrame({
        "id": ids, "tenant_id": [tenant_id] * len(ids), "at": [stamp] * len(ids),
        "actor": [actor] * len(ids), "action": actions, "entity_type": entity_types,
        "entity_id": entity_ids, "before": befores, "after": afters, "rules_version": versions,
        "prev_hash": [head.last_hash, *hashes[:-1]], "hash": hashes,
    }, schema={"id": pl.Int64, "tenant_id": pl.Int64, **{name: pl.String for name in (
        "at", "actor", "action", "entity_type", "entity_id", "before", "after", "rules_version",
        "prev_hash", "hash")}})
    write_frame(session, AuditEvent.__table__, frame)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(
        last_id=prev_id, last_hash=prev_hash, mac=head_mac(
            key, last_id=prev_id, last_hash=prev_hash, legacy_last_id=head.legacy_last_id or 0)))
    return ids


def _text(value: Any) -> str:
    """A value as ``canonical_json`` writes it (the C string encoder for the usual str)."""
    return _encode_string(value) if isinstance(value, str) else canonical_json(value)


def decision_json(*, arrival_date: str | None, batch: str, consignee_key: str | None,
                  decision: str, issues: list[str], reasons: list[str], status: str,
                  value_usd: str | None) -> str:
    """``canonical_json`` of a stored decision's view (``rules_decision`` = ``decision``),
    written from a template in sorted key order: an ingest writes one per shipment, and
    ``json.dumps`` with sorted keys took 3.5 s for 300,000 of them (tests compare the two)."""
    text = _text(decision)
    return "".join((
        '{"arrival_date":', _text(arrival_date), ',"batch":', _text(batch),
        ',"consignee_key":', _text(consignee_key), ',"decision":', text,
        ',"issues":[', ",".join(map(_encode_string, issues)),
        '],"reasons":[', ",".join(map(_encode_string, reasons)),
        '],"rules_decision":', text, ',"status":', _text(status),
        ',"value_usd":', _text(value_usd), "}"))


def _event_dict(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "tenant_id": row.tenant_id,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "before": None if row.before is None else json.loads(row.before),
        "after": None if row.after is None else json.loads(row.after),
        "rules_version": row.rules_version,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def _events(session: Session, *conditions: Any) -> Iterator[AuditEvent]:
    query = select(AuditEvent).where(*conditions).order_by(AuditEvent.id).execution_options(
        yield_per=2000
    )
    yield from session.scalars(query)


def verify(session: Session) -> Any:
    """``storage.audit_verify.verify``: the chain, its head and the stored decisions."""
    from ace321.storage.audit_verify import verify as verify_all

    return verify_all(session)


def export(session: Session, out: IO[str], *, start: dt.date | None = None,
           end: dt.date | None = None) -> int:
    """Write the events with ``start <= day(at) <= end`` as JSON Lines; returns the count."""
    conditions = []
    if start is not None:
        conditions.append(AuditEvent.at >= start.isoformat())
    if end is not None:
        conditions.append(AuditEvent.at < (end + dt.timedelta(days=1)).isoformat())
    count = 0
    for row in _events(session, *conditions):
        out.write(canonical_json(_event_dict(row)) + "\n")
        count += 1
    return count
