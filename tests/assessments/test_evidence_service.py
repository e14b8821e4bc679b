"""Storing and reading evidence files: scope, limits, dedupe, storage paths, audit, integrity.

Data: the `hierarchy` fixture (province A with wards A-W1 and A-W9, province C with C-W1); the
"evidence" storage points at a temporary directory.
"""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kieumau.assessments import evidence as service
from kieumau.assessments.evidence import EvidenceDamaged, open_evidence, store_evidence
from kieumau.assessments.models import EvidenceFile
from kieumau.audit.models import AuditEntry
from kieumau.core.errors import NotFound, ValidationFailed
from tests.assessments import evidence_samples as samples

pytestmark = pytest.mark.usefixtures("hierarchy")
PDF_SHA = hashlib.sha256(samples.PDF).hexdigest()


@pytest.fixture
def root(settings, tmp_path):
    root = tmp_path / "evidence"
    samples.evidence_storage_settings(settings, root)
    return root


@pytest.fixture
def officer(make_user):
    return make_user("unit_officer", "A-W1")


def upload(data: bytes = samples.PDF, name: str = "bien-ban.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_file_is_stored_under_its_sha256_and_audited(root, officer):
    evidence = store_evidence(
        actor=officer, unit_code="A-W1", upload=upload(), title="Biên bản họp"
    )
    assert not evidence.reused
    assert (evidence.kind, evidence.content_type) == ("pdf", "application/pdf")
    assert (evidence.sha256, evidence.size) == (PDF_SHA, len(samples.PDF))
    assert (evidence.filename, evidence.title) == ("bien-ban.pdf", "Biên bản họp")
    assert evidence.uploaded_by == officer
    assert evidence.path == f"A-W1/{PDF_SHA[:2]}/{PDF_SHA}"
    assert samples.stored_files(root) == [evidence.path]
    assert (root / evidence.path).read_bytes() == samples.PDF
    entry = AuditEntry.objects.get(event="assessments.evidence_stored")
    assert (entry.actor_id, entry.unit.code) == (officer.pk, "A-W1")
    assert (entry.target_type, entry.target_id) == ("assessments.evidencefile", str(evidence.pk))
    assert entry.after["sha256"] == PDF_SHA


def test_the_same_bytes_again_reuse_the_stored_file(root, officer):
    first = store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    again = store_evidence(
        actor=officer, unit_code="A-W1", upload=upload(name="ban-sao.pdf"), title="khác"
    )
    assert again.pk == first.pk and again.reused
    assert again.filename == "bien-ban.pdf"
    assert EvidenceFile.objects.count() == 1
    assert AuditEntry.objects.filter(event__startswith="assessments.evidence").count() == 1
    assert samples.stored_files(root) == [first.path]


def test_each_unit_keeps_its_own_copy(root, make_user):
    admin = make_user("province_admin", "A")
    one = store_evidence(actor=admin, unit_code="A-W1", upload=upload())
    two = store_evidence(actor=admin, unit_code="A-W9", upload=upload())
    assert one.pk != two.pk
    assert samples.stored_files(root) == sorted([one.path, two.path])


def test_a_name_without_extension_gets_the_detected_one(root, officer):
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=upload(samples.png(), "scan"))
    assert (evidence.filename, evidence.kind) == ("scan.png", "png")


def test_a_twin_upload_that_committed_first_is_reused(root, officer, monkeypatch):
    """Two uploads of the same file race: the loser's insert hits the unique constraint, and
    it answers with the winner's row instead of an error (the transaction stays usable)."""
    first = store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    real_filter = EvidenceFile.objects.filter
    calls = []

    def filter_missing_the_twin(*args, **kwargs):
        calls.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(calls) == 1 else found

    monkeypatch.setattr(EvidenceFile.objects, "filter", filter_missing_the_twin)
    again = store_evidence(actor=officer, unit_code="A-W1", upload=upload(name="b.pdf"))
    assert calls, "the existence check was not made through the manager"
    assert again.pk == first.pk and again.reused
    assert EvidenceFile.objects.count() == 1
    assert samples.stored_files(root) == [first.path]


@pytest.mark.parametrize(
    "role,unit", [("unit_officer", "C-W1"), ("viewer", "A-W1"), ("province_appraiser", "A")]
)
def test_without_self_assess_on_the_unit_it_is_not_found(root, make_user, role, unit):
    actor = make_user(role, unit)
    with pytest.raises(NotFound) as hidden:
        store_evidence(actor=actor, unit_code="A-W1", upload=upload())
    with pytest.raises(NotFound) as missing:
        store_evidence(actor=actor, unit_code="KHONG-CO", upload=upload())
    assert hidden.value.summary() == missing.value.summary().replace("KHONG-CO", "A-W1")
    assert not EvidenceFile.objects.exists()
    assert samples.stored_files(root) == []


class NoReading(io.BytesIO):
    """An upload that states its size and must not be read."""

    def __init__(self, size: int, name: str = "lon.pdf"):
        super().__init__(b"")
        self.size, self.name = size, name

    def read(self, *args):
        raise AssertionError("an oversized upload was read")


def test_an_oversized_file_is_refused_before_it_is_read(root, officer, settings):
    settings.KIEUMAU_EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        store_evidence(actor=officer, unit_code="A-W1", upload=NoReading(3 * 1024 * 1024))
    assert refused.value.summary() == (
        "tệp 'lon.pdf' có dung lượng 3 MB, vượt giới hạn 1 MB; hãy nén hoặc chia nhỏ tệp rồi "
        "tải lên"
    )
    assert not EvidenceFile.objects.exists()
    assert samples.stored_files(root) == []


def test_the_default_limit_is_20_mb():
    from django.conf import settings

    assert settings.KIEUMAU_EVIDENCE_MAX_BYTES == 20 * 1024 * 1024
    assert service.max_bytes() == 20 * 1024 * 1024


class Unsized(io.BytesIO):
    """A stream that hides its size; records how much it was asked for."""

    name = "luong.pdf"

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


def test_a_stream_without_a_size_is_read_no_further_than_the_limit(root, officer, settings):
    settings.KIEUMAU_EVIDENCE_MAX_BYTES = 1000
    stream = Unsized(samples.PDF + b"%" * 5000)
    with pytest.raises(ValidationFailed, match="vượt giới hạn"):
        store_evidence(actor=officer, unit_code="A-W1", upload=stream)
    assert stream.asked == [1001]
    settings.KIEUMAU_EVIDENCE_MAX_BYTES = len(samples.PDF)
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=Unsized(samples.PDF))
    assert evidence.size == len(samples.PDF)


@pytest.mark.parametrize(
    "data,name",
    [
        (samples.png(), "ho-so.pdf"),
        (samples.EXE, "ho-so.pdf"),
        (samples.HTML, "ho-so.pdf"),
        (b"", "rong.pdf"),
    ],
)
def test_refused_files_leave_nothing_behind(root, officer, data, name):
    with pytest.raises(ValidationFailed):
        store_evidence(actor=officer, unit_code="A-W1", upload=upload(data, name))
    assert not EvidenceFile.objects.exists()
    assert not AuditEntry.objects.filter(event__startswith="assessments.").exists()
    assert samples.stored_files(root) == []


def test_a_missing_upload_is_refused(root, officer):
    with pytest.raises(ValidationFailed, match="chưa chọn tệp minh chứng"):
        store_evidence(actor=officer, unit_code="A-W1", upload=None)


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\win.pdf",
        "/tmp/abs.pdf",
        "A-W1/00/evil.pdf",
        "..",
    ],
)
def test_the_file_name_never_reaches_the_storage_path(root, officer, name):
    """Names as an API or CLI client could send them (Django's own uploads strip folders)."""
    raw = io.BytesIO(samples.PDF)
    raw.name = name
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=raw)
    assert evidence.path == f"A-W1/{PDF_SHA[:2]}/{PDF_SHA}"
    assert samples.stored_files(root) == [evidence.path]
    assert [p.name for p in root.parent.iterdir()] == ["evidence"]
    assert "/" not in evidence.filename and "\\" not in evidence.filename
    assert evidence.filename.endswith(".pdf")


def test_an_unusual_unit_code_falls_back_to_the_unit_id():
    assert service.storage_path("A-W1", PDF_SHA, 7) == f"A-W1/{PDF_SHA[:2]}/{PDF_SHA}"
    assert service.storage_path("../x", PDF_SHA, 7) == f"unit-7/{PDF_SHA[:2]}/{PDF_SHA}"
    assert service.storage_path("A..B", PDF_SHA, 7).startswith("unit-7/")
    with pytest.raises(ValueError):
        service.storage_path("A-W1", "../../etc/passwd", 7)


def test_a_failure_inside_the_transaction_removes_the_stored_file(root, officer, monkeypatch):
    def broken_record(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(service, "record", broken_record)
    with pytest.raises(RuntimeError, match="audit down"):
        store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    assert not EvidenceFile.objects.exists()
    assert samples.stored_files(root) == []


def test_bytes_left_by_a_rolled_back_caller_are_verified_and_reused(root, officer):
    with transaction.atomic():
        store_evidence(actor=officer, unit_code="A-W1", upload=upload())
        transaction.set_rollback(True)
    assert not EvidenceFile.objects.exists()
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    assert not evidence.reused
    _row, handle = open_evidence(officer, evidence.pk)
    with handle:
        assert handle.read() == samples.PDF


def test_damaged_leftover_bytes_are_replaced(root, officer):
    path = root / "A-W1" / PDF_SHA[:2] / PDF_SHA
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4 not the same")
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    assert path.read_bytes() == samples.PDF
    assert samples.stored_files(root) == [evidence.path]


# -- reading back ---------------------------------------------------------------------------------
@pytest.fixture
def stored(root, officer):
    return store_evidence(actor=officer, unit_code="A-W1", upload=upload())


@pytest.mark.parametrize(
    "role,unit",
    [("unit_officer", "A-W1"), ("province_appraiser", "A"), ("ministry_viewer", "VN")],
)
def test_people_in_scope_read_the_verified_bytes(stored, make_user, role, unit):
    row, handle = open_evidence(make_user(role, unit, username=f"r-{role}"), stored.pk)
    with handle:
        assert row.pk == stored.pk
        assert handle.read() == samples.PDF


@pytest.mark.parametrize(
    "role,unit", [("unit_officer", "C-W1"), ("viewer", "C"), ("agency_officer", "A")]
)
def test_out_of_scope_reads_are_not_found(stored, make_user, role, unit):
    actor = make_user(role, unit, username=f"r-{role}")
    with pytest.raises(NotFound) as hidden:
        open_evidence(actor, stored.pk)
    with pytest.raises(NotFound) as missing:
        open_evidence(actor, 10**9)
    assert hidden.value.summary() == missing.value.summary()


def test_a_tampered_file_is_refused_not_served(root, stored, officer):
    (root / stored.path).write_bytes(samples.PDF.replace(b"200 200", b"999 999"))
    with pytest.raises(EvidenceDamaged) as damaged:
        open_evidence(officer, stored.pk)
    assert damaged.value.status_code == 409
    message = damaged.value.summary()
    assert message.startswith("tệp minh chứng 'bien-ban.pdf' đã bị thay đổi hoặc hỏng")
    assert PDF_SHA[:12] in message


def test_a_longer_replacement_is_refused_too(root, stored, officer):
    (root / stored.path).write_bytes(samples.PDF + b"<script>alert(1)</script>")
    with pytest.raises(EvidenceDamaged):
        open_evidence(officer, stored.pk)


def test_a_lost_file_is_reported_as_missing(root, stored, officer):
    (root / stored.path).unlink()
    with pytest.raises(EvidenceDamaged, match="không còn trên nơi lưu trữ"):
        open_evidence(officer, stored.pk)


def test_uploading_the_original_again_restores_a_damaged_copy(root, stored, officer):
    (root / stored.path).write_bytes(b"%PDF-1.4 tampered")
    again = store_evidence(actor=officer, unit_code="A-W1", upload=upload())
    assert again.pk == stored.pk and again.reused
    assert (root / stored.path).read_bytes() == samples.PDF
    assert AuditEntry.objects.filter(
        event="assessments.evidence_restored", target_id=str(stored.pk)
    ).exists()
    _row, handle = open_evidence(officer, stored.pk)
    with handle:
        assert handle.read() == samples.PDF
