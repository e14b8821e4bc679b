"""Canonical hashing of audit entries: the one definition both writing and verifying use."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

GENESIS_HASH = "0" * 64


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def normalise_json(value):
    """The JSON value as it will come back from the database (so hashing is stable)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_repr: str,
    request_id: str,
    event: str,
    target_type: str,
    target_id: str,
    target_repr: str,
    unit_id: int | None,
    before,
    after,
    note: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the entry's content and the previous hash; any edit changes it."""
    payload = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_repr": actor_repr,
        "request_id": request_id,
        "event": event,
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr,
        "unit_id": unit_id,
        "before": before,
        "after": after,
        "note": note,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(entry) -> str:
    """Recompute the hash of a stored AuditEntry."""
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_repr=entry.actor_repr,
        request_id=entry.request_id,
        event=entry.event,
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_repr=entry.target_repr,
        unit_id=entry.unit_id,
        before=entry.before,
        after=entry.after,
        note=entry.note,
        prev_hash=entry.prev_hash,
    )
