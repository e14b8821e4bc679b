"""Evidence files: stored once per unit by their SHA-256, served back only when still intact.

`store_evidence` is the one write path (web form today, API and case pages later). It checks
permission, size and real type before anything is stored, keeps the bytes in the "evidence"
storage under `<unit code>/<sha[:2]>/<sha256>` (never the uploader's file name), and returns the
existing row when the unit already holds the same bytes, so one file serves many criteria and
years. `open_evidence` is the one read path: scoped like every read, and it refuses to hand out
bytes whose SHA-256 no longer matches what was recorded at upload.

Bytes and rows, and rollbacks. The row is inserted first (it takes the per-unit unique slot,
so a concurrent upload of the same file waits for this transaction), then the bytes are written,
then the audit entry. A failure after the bytes are written removes them again before the
transaction ends, while the slot is still held, so no concurrent upload can be relying on them.
Django has no hook for a rollback it does not raise through us — a caller's enclosing
transaction rolled back later, or a commit whose outcome is unknown (a lost connection) — and
deleting then could destroy the bytes of a row that did commit. Those rare cases leave an
unreachable, content-addressed file behind: every read goes through a row, and the next upload
of the same bytes for the unit verifies and reuses it. Never a row without its bytes.
"""

import hashlib
import logging
import re
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction

from kieumau.accounts.permissions import SELF_ASSESS, VIEW_ASSESSMENTS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.assessments.filetypes import BY_KIND, FileType, extension_of, identify
from kieumau.assessments.models import EvidenceFile
from kieumau.audit.services import record
from kieumau.core.errors import Conflict, NotFound, ValidationFailed
from kieumau.core.text import clean_filename
from kieumau.orgunits.models import OrgUnit

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "evidence"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024
"""Verified bytes kept in memory up to this size while being served; beyond it, a temp file."""
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class EvidenceDamaged(Conflict):
    """The stored bytes are gone or no longer match the SHA-256 recorded at upload."""


def evidence_storage():
    """The configured "evidence" storage (settings.STORAGES)."""
    return storages[STORAGE_ALIAS]


def max_bytes() -> int:
    """The largest accepted evidence file in bytes (KIEUMAU_EVIDENCE_MAX_BYTES, default 20 MB)."""
    return int(getattr(settings, "KIEUMAU_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    """A size as people read it, Vietnamese style: "20 MB", "20,5 MB"."""
    text = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')} MB"


def _too_large(name: str, size: int | None, limit: int) -> ValidationFailed:
    """The refusal of an oversized file, naming its size when it is known."""
    stated = f" có dung lượng {_megabytes(size)}," if size else ""
    return ValidationFailed.single(
        f"tệp '{name}'{stated} vượt giới hạn {_megabytes(limit)}; hãy nén hoặc chia nhỏ tệp "
        "rồi tải lên",
        "file too large",
        field="file",
        value=name or None,
    )


def storage_path(unit_code: str, sha256: str, unit_id: int) -> str:
    """Where a unit's file lives in the storage: `<unit code>/<sha[:2]>/<sha256>`.

    Protects the storage from the upload: the path is built only from the unit code (checked
    against a conservative pattern; anything else falls back to the unit's id) and the
    hex digest, so no file name, "..", slash or drive letter from the user reaches it.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    segment = unit_code if _SAFE_SEGMENT.fullmatch(unit_code) and ".." not in unit_code else ""
    return f"{segment or f'unit-{unit_id}'}/{sha256[:2]}/{sha256}"


def _unit_for_upload(actor, unit_code: str) -> OrgUnit:
    """The unit if it exists and the actor may self-assess it; NotFound otherwise (same answer)."""
    code = (unit_code or "").strip()
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    if unit is None or not can_act_on_unit(actor, SELF_ASSESS, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{code}'", f"unit '{code}' not found", field="unit"
        )
    return unit


def _read_upload(upload, name: str) -> bytes:
    """The upload's bytes, refusing an oversized file before reading it whole.

    Protects memory: when the upload states its size (Django's UploadedFile does) an oversized
    file is refused without reading a byte; otherwise at most limit + 1 bytes are read, so a
    stream that lies about or hides its size still cannot make us hold more than the limit.
    """
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_large(name, size, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(name, size if isinstance(size, int) and size > limit else None, limit)
    return data


def _display_name(name: str, filetype: FileType) -> str:
    """The name kept for display: the cleaned upload name, with the canonical extension added
    when it had none (so a download opens in the right program)."""
    if extension_of(name):
        return name
    return f"{name or 'minh-chung'}{filetype.extension}"[-255:]


def _stored_sha256(storage, path: str, limit: int) -> str | None:
    """SHA-256 of what the storage holds at `path` (reading at most `limit` + 1 bytes), or None
    when nothing readable is there."""
    digest = hashlib.sha256()
    read = 0
    try:
        with storage.open(path, "rb") as stored:
            while chunk := stored.read(CHUNK_BYTES):
                read += len(chunk)
                if read > limit:
                    return None
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def _put(storage, path: str, data: bytes, sha256: str) -> bool:
    """Make the storage hold exactly `data` at `path`; True when this call wrote it.

    Bytes already there with the right SHA-256 (left by a rolled-back upload) are kept as they
    are; anything else there (damaged, tampered) is replaced. The storage must not pick another
    name: the row points at `path`, so a renamed save is undone and refused.
    """
    if storage.exists(path):
        if _stored_sha256(storage, path, len(data)) == sha256:
            return False
        storage.delete(path)
    saved = storage.save(path, ContentFile(data))
    if saved != path:
        storage.delete(saved)
        raise RuntimeError(f"evidence storage saved {path!r} as {saved!r}")
    return True


def _reuse(actor, evidence: EvidenceFile, data: bytes) -> EvidenceFile:
    """The unit's existing row for these bytes; its stored copy is restored if it was damaged.

    Re-uploading the original is how a damaged or lost stored file is repaired, and the repair
    is audited like any write.
    """
    storage = evidence_storage()
    if _stored_sha256(storage, evidence.path, evidence.size) != evidence.sha256:
        _put(storage, evidence.path, data, evidence.sha256)
        record(
            actor=actor,
            event="assessments.evidence_restored",
            target=evidence,
            unit=evidence.unit,
            target_repr=evidence.filename,
            after={"sha256": evidence.sha256, "path": evidence.path},
        )
    evidence.reused = True
    return evidence


def store_evidence(*, actor, unit_code: str, upload, title: str = "") -> EvidenceFile:
    """Store an uploaded evidence file for a unit, audited; the unit's existing row if a copy
    of the same bytes is already there (then `.reused` is True on the returned row).

    Protects the evidence and the server: the actor needs SELF_ASSESS on the unit (a unit out
    of scope answers exactly like a missing one); oversized, empty, spoofed, macro-enabled,
    encrypted and unknown files are refused with a Vietnamese message before anything is
    written; the bytes are stored under their SHA-256, never under the user's file name. The
    checks run before the transaction opens, so a slow upload holds no database lock.
    """
    unit = _unit_for_upload(actor, unit_code)
    if upload is None:
        raise ValidationFailed.single("chưa chọn tệp minh chứng", "no file", field="file")
    name = clean_filename(getattr(upload, "name", "") or "")
    data = _read_upload(upload, name)
    filetype = identify(data, name)
    return _save(
        actor=actor,
        unit=unit,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        filename=_display_name(name, filetype),
        filetype=filetype,
        title=(title or "").strip()[:300],
    )


@transaction.atomic
def _save(*, actor, unit, data, sha256, filename, filetype, title) -> EvidenceFile:
    """Row, bytes and audit entry of a checked upload, in one transaction.

    Protects the pairing of rows and bytes (see the module docstring): the row takes the
    unit's unique slot for these bytes before they are written, and bytes written here are
    removed again if anything after them fails, while the slot is still held.
    """
    existing = EvidenceFile.objects.filter(unit=unit, sha256=sha256).select_related("unit").first()
    if existing is not None:
        return _reuse(actor, existing, data)
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                unit=unit,
                sha256=sha256,
                filename=filename,
                content_type=filetype.content_type,
                kind=filetype.kind,
                size=len(data),
                path=storage_path(unit.code, sha256, unit.pk),
                title=title,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        # The same bytes were stored for this unit by a concurrent upload that committed first.
        existing = EvidenceFile.objects.select_related("unit").get(unit=unit, sha256=sha256)
        return _reuse(actor, existing, data)
    storage = evidence_storage()
    wrote = _put(storage, evidence.path, data, sha256)
    try:
        record(
            actor=actor,
            event="assessments.evidence_stored",
            target=evidence,
            unit=unit,
            target_repr=evidence.filename,
            after={
                "sha256": sha256,
                "kind": filetype.kind,
                "size": len(data),
                "filename": evidence.filename,
                "title": evidence.title,
            },
        )
    except BaseException:
        if wrote:
            storage.delete(evidence.path)
        raise
    evidence.reused = False
    return evidence


def evidence_kind(evidence: EvidenceFile) -> FileType | None:
    """The accepted file type a stored row was identified as (None for an unknown code)."""
    return BY_KIND.get(evidence.kind)


def open_evidence(actor, evidence_id: int):
    """(row, file object) for an evidence file the actor may read, its bytes verified.

    Protects readers from scope leaks and from tampered storage: the row is read through
    `visible_to(actor, VIEW_ASSESSMENTS)` (out of scope answers NotFound, like a missing row);
    the bytes are read in full and their SHA-256 and size compared with the row before any of
    them is handed out, so a file changed or replaced in the storage answers EvidenceDamaged
    with a clear message instead of its content. The returned file is positioned at its start;
    the caller closes it.
    """
    evidence = (
        EvidenceFile.objects.visible_to(actor, VIEW_ASSESSMENTS)
        .select_related("unit")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise NotFound.single("không tìm thấy tệp minh chứng", "evidence file not found")
    # Handed to the caller (the response closes it), hence no context manager here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    digest = hashlib.sha256()
    read = 0
    try:
        with evidence_storage().open(evidence.path, "rb") as stored:
            while chunk := stored.read(CHUNK_BYTES):
                read += len(chunk)
                if read > evidence.size:
                    break
                digest.update(chunk)
                spool.write(chunk)
    except (FileNotFoundError, OSError):
        read = -1
    except BaseException:
        spool.close()
        raise
    if read != evidence.size or digest.hexdigest() != evidence.sha256:
        spool.close()
        missing = read < 0
        logger.error(
            "evidence %s (%s) %s in storage at %s",
            evidence.pk,
            evidence.sha256,
            "is missing" if missing else "does not match its SHA-256",
            evidence.path,
        )
        what = (
            "không còn trên nơi lưu trữ"
            if missing
            else "đã bị thay đổi hoặc hỏng trên nơi lưu trữ (không khớp mã SHA-256 "
            f"{evidence.sha256[:12]}… ghi lúc tải lên)"
        )
        raise EvidenceDamaged.single(
            f"tệp minh chứng '{evidence.filename}' {what} nên không được mở; hãy báo quản trị "
            "viên và tải lên lại tệp gốc để khôi phục",
            "stored evidence file is missing or does not match its SHA-256",
        )
    spool.seek(0)
    return evidence, spool
