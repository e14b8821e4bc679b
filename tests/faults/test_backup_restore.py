"""`kieumau backup` / `kieumau restore`: a round trip gives back the same data and files.

The world: the small hierarchy, the default criteria and forms, stored values, an evidence file
(in a temporary "evidence" storage) and a generated report file (in a temporary REPORTS_DIR).
Checksums compared: the database member (every row, canonical JSON) and every file's SHA-256.
Runs on SQLite and PostgreSQL (the CI runs the suite on both).
"""

import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from kieumau.accounts.models import User
from kieumau.assessments.evidence import evidence_storage, store_evidence
from kieumau.audit.models import AuditEntry
from kieumau.audit.verify import verify_chain
from kieumau.core import backup
from kieumau.core.actors import CLI
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.services import set_values
from tests.assessments import evidence_samples as samples
from tests.criteria.conftest import import_default

PERIOD = "2025-05"


@pytest.fixture
def world(hierarchy, make_user, settings, tmp_path):
    samples.evidence_storage_settings(settings, tmp_path / "evidence")
    settings.REPORTS_DIR = str(tmp_path / "reports")
    (tmp_path / "reports" / "2025").mkdir(parents=True)
    (tmp_path / "reports" / "2025" / "bao-cao-quy-1.docx").write_bytes(samples.docx())
    import_default()
    load_default_forms(CLI)
    officer = make_user("unit_officer", "A-W1")
    set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, values={"crime_social_order": 3})
    store_evidence(
        actor=officer,
        unit_code="A-W1",
        upload=SimpleUploadedFile("bien-ban.pdf", samples.PDF, content_type="application/pdf"),
    )
    return tmp_path


def members(archive) -> dict[str, str]:
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    return {name: m["sha256"] for name, m in manifest["members"].items()}


def test_the_archive_has_a_manifest_the_database_and_the_files(world):
    archive = world / "a.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", "database.jsonl", "files/reports/2025/bao-cao-quy-1.docx"} <= names
    assert any(n.startswith("files/evidence/A-W1/") for n in names)
    assert manifest["version"] and manifest["created"]
    assert manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    assert manifest["tables"]["datavalues.datavalue"] == DataValue.objects.count() > 0
    assert manifest["tables"]["audit.auditentry"] == AuditEntry.objects.count() > 0
    assert set(manifest["members"]) == names - {"manifest.json"}


def test_round_trip_gives_back_the_same_data_and_files(world):
    first = world / "first.tar.gz"
    call_command("backup", "-o", str(first), stdout=io.StringIO())
    before = members(first)

    # Life goes on after the backup: a value changes, a file is lost, a report is damaged.
    set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, values={"crime_social_order": 9})
    storage = evidence_storage()
    evidence_name = next(n for n in before if n.startswith("files/evidence/"))
    storage.delete(evidence_name.removeprefix("files/evidence/"))
    (world / "reports" / "2025" / "bao-cao-quy-1.docx").write_bytes(b"damaged")

    out = io.StringIO()
    call_command("restore", str(first), "--force", stdout=out)
    assert "chuỗi nhật ký nguyên vẹn" in out.getvalue()
    assert DataValue.objects.get(unit__code="A-W1", indicator__code="crime_social_order").value == 3
    assert verify_chain().ok

    second = world / "second.tar.gz"
    call_command("backup", "-o", str(second), stdout=io.StringIO())
    assert members(second) == before  # same rows (database.jsonl) and same files, byte for byte


def test_restore_into_an_empty_database_needs_no_force(world):
    archive = world / "a.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    before = members(archive)
    models = backup.backed_up_models()
    backup._clear_tables(models + backup.auto_created_tables(models))
    assert not backup.database_has_data()
    call_command("restore", str(archive), stdout=io.StringIO())
    assert User.objects.filter(username="unit_officer-a-w1").exists()
    again = world / "again.tar.gz"
    call_command("backup", "-o", str(again), stdout=io.StringIO())
    assert members(again) == before


def test_a_non_empty_database_is_not_overwritten_without_force(world):
    archive = world / "a.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, values={"crime_social_order": 9})
    with pytest.raises(CommandError, match="đã có dữ liệu") as refused:
        call_command("restore", str(archive))
    assert refused.value.returncode == 1
    assert DataValue.objects.get(unit__code="A-W1", indicator__code="crime_social_order").value == 9


def rewrite(archive, out, change):
    """Copy an archive, passing every member's (TarInfo, bytes) through change()."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            for info, content in change(member, data):
                info.size = len(content)
                dst.addfile(info, io.BytesIO(content))


def test_a_tampered_archive_is_refused_before_anything_changes(world):
    archive = world / "a.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    set_values(actor=CLI, unit_code="A-W1", period_code=PERIOD, values={"crime_social_order": 9})

    def tamper(member, data):
        if member.name == "database.jsonl":
            assert b'"code": "A-W1"' in data
            data = data.replace(b'"code": "A-W1"', b'"code": "A-W0"', 1)
        yield member, data

    tampered = world / "tampered.tar.gz"
    rewrite(archive, tampered, tamper)
    with pytest.raises(CommandError, match="bị hỏng hoặc đã bị sửa") as refused:
        call_command("restore", str(tampered), "--force")
    assert refused.value.returncode == 1
    assert DataValue.objects.get(unit__code="A-W1", indicator__code="crime_social_order").value == 9


def test_a_member_escaping_its_folder_is_refused(world):
    archive = world / "a.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())

    def escape(member, data):
        yield member, data
        if member.name == "database.jsonl":
            evil = tarfile.TarInfo("files/reports/../../../etc/cron.d/x")
            yield evil, b"* * * * * root true\n"

    evil = world / "evil.tar.gz"
    rewrite(archive, evil, escape)
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("restore", str(evil), "--force")


def test_not_an_archive_is_refused(world):
    junk = world / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(junk))
