"""Checking the audit chain end to end (`kieumau audit verify`)."""

from dataclasses import dataclass

from kieumau.audit.chain import GENESIS_HASH, hash_of
from kieumau.audit.models import AuditChainHead, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain(chunk_size: int = 2000) -> ChainReport:
    """Walk every entry in order; report the first one whose content or link does not match.

    Detects edited content (hash mismatch), deleted or inserted entries (seq gap, broken link)
    and a truncated tail (the head row remembers the last seq and hash).
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, f"thiếu mục số {expected_seq} (gặp mục {entry.seq})"
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.seq, "liên kết với mục trước không khớp")
        if hash_of(entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, "nội dung đã bị sửa (hash không khớp)")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return ChainReport(
            False, checked, checked + 1, f"mất các mục cuối (đầu chuỗi ghi mục {head.last_seq})"
        )
    return ChainReport(True, checked)
