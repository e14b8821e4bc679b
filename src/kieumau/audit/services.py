"""Writing to the audit log. Every service that changes data calls `record` in its transaction."""

from django.db import connection
from django.utils import timezone

from kieumau.audit.chain import entry_hash, normalise_json
from kieumau.audit.models import AuditChainHead, AuditEntry
from kieumau.core.request_context import current_request_id


def record(
    *,
    actor,
    event: str,
    target=None,
    unit=None,
    before=None,
    after=None,
    note: str = "",
    target_repr: str | None = None,
) -> AuditEntry:
    """Append one audit entry, chained to the previous one, inside the caller's transaction.

    Protects the history of every write: the caller must already be in a transaction (the entry
    lands or vanishes with the change it describes), and the chain head row is locked so that
    concurrent writers append one after another instead of forking the chain.
    """
    return record_many(
        actor=actor,
        entries=[
            {
                "event": event,
                "target": target,
                "unit": unit,
                "before": before,
                "after": after,
                "note": note,
                "target_repr": target_repr,
            }
        ],
    )[0]


def record_many(*, actor, entries: list[dict]) -> list[AuditEntry]:
    """Append several audit entries by one actor in one go (a whole import), chained in order.

    Each dict takes the keyword arguments of `record` except `actor`. The chain head is locked
    once and the entries are inserted together, so a workbook of 1,200 unit-periods costs a few
    queries instead of thousands, with exactly the chain `record` would have written.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the service's transaction")
    if not entries:
        return []
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_repr = (actor_obj.get_username() if actor_obj else str(actor or "system"))[:200]
    request_id = current_request_id() or ""
    now = timezone.now()
    seq, prev = head.last_seq, head.last_hash
    rows = []
    for item in entries:
        target = item.get("target")
        target_repr = item.get("target_repr")
        seq += 1
        fields = {
            "seq": seq,
            "at": now,
            "actor_id": actor_obj.pk if actor_obj else None,
            "actor_repr": actor_repr,
            "request_id": request_id,
            "event": item["event"],
            "target_type": target._meta.label_lower if target is not None else "",
            "target_id": str(target.pk) if target is not None else "",
            "target_repr": (target_repr if target_repr is not None else str(target or ""))[:300],
            "unit_id": getattr(item.get("unit"), "pk", item.get("unit")),
            "before": normalise_json(item.get("before")),
            "after": normalise_json(item.get("after")),
            "note": item.get("note", ""),
            "prev_hash": prev,
        }
        prev = entry_hash(**fields)
        rows.append(AuditEntry(hash=prev, **fields))
    created = AuditEntry.objects.bulk_create(rows, batch_size=500)
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return created
