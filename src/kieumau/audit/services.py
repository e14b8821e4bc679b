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
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the service's transaction")
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    actor_obj = actor if getattr(actor, "pk", None) else None
    fields = {
        "seq": head.last_seq + 1,
        "at": timezone.now(),
        "actor_id": actor_obj.pk if actor_obj else None,
        "actor_repr": (actor_obj.get_username() if actor_obj else str(actor or "system"))[:200],
        "request_id": current_request_id() or "",
        "event": event,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "target_repr": (target_repr if target_repr is not None else str(target or ""))[:300],
        "unit_id": getattr(unit, "pk", unit),
        "before": normalise_json(before),
        "after": normalise_json(after),
        "note": note,
        "prev_hash": head.last_hash,
    }
    digest = entry_hash(**fields)
    entry = AuditEntry.objects.create(hash=digest, **fields)
    head.last_seq = entry.seq
    head.last_hash = digest
    head.save(update_fields=["last_seq", "last_hash"])
    return entry
