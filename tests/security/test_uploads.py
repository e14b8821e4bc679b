"""Hostile uploads: path traversal in file names, zip bombs, sheets declaring huge dimensions.

The bomb tests count work instead of timing it: the bytes the zip module inflates are summed,
and openpyxl (which would expand everything) must never be reached.
"""

import builtins
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from kieumau.assessments.evidence import store_evidence
from kieumau.assessments.models import EvidenceFile
from kieumau.core.actors import CLI
from kieumau.datavalues.excel import ImportRefused, import_workbook
from kieumau.datavalues.excel.safety import check_upload
from kieumau.datavalues.imports import execute_import, queue_import
from kieumau.datavalues.models import ImportJob
from tests.assessments import evidence_samples as samples

TRAVERSALS = [
    "../../etc/passwd",
    "..\\..\\windows\\system32\\config\\sam.pdf",
    "/etc/shadow.pdf",
    "C:\\fakepath\\..\\..\\bien-ban.pdf",
    "bien-ban\x00../../x.pdf",
    "bien\u202egpj.pdf",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd.pdf",
]


def small_workbook() -> bytes:
    book = Workbook()
    book.active["A1"] = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, *, add: dict | None = None, replace: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in (add or {}).items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture
def inflated(monkeypatch):
    """Counts the bytes the zip module inflates, and forbids openpyxl from opening anything."""
    counter = {"bytes": 0}
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        counter["bytes"] += len(data)
        return data

    def no_parsing(*args, **kwargs):
        raise AssertionError("the workbook reached openpyxl")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    monkeypatch.setattr("kieumau.datavalues.excel.reader.load_workbook", no_parsing)
    return counter


def test_the_sample_workbook_passes_the_safety_checks():
    check_upload(small_workbook(), "ok.xlsx").close()


def test_a_zip_bomb_is_refused_after_reading_almost_nothing(inflated):
    bomb = rezip(small_workbook(), add={"xl/media/image1.bin": b"\0" * (64 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # 64 MB of zeros packed in about 64 KB
    with pytest.raises(ImportRefused, match="bom nén"):
        check_upload(bomb, "bom.xlsx")
    assert inflated["bytes"] < 256 * 1024


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_by_the_import_before_parsing(inflated):
    bomb = rezip(small_workbook(), add={"xl/media/image1.bin": b"\0" * (64 * 1024 * 1024)})
    with pytest.raises(ImportRefused):
        import_workbook(actor=CLI, data=bomb, filename="bom.xlsx")
    assert inflated["bytes"] < 256 * 1024


def test_a_sheet_declaring_a_million_rows_is_refused_before_parsing(inflated):
    data = small_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    huge, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    assert n == 1
    with pytest.raises(ImportRefused, match="vượt giới hạn"):
        check_upload(rezip(data, replace={"xl/worksheets/sheet1.xml": huge}), "to.xlsx")
    assert inflated["bytes"] < 64 * 1024


# -- file names never become paths ---------------------------------------------------------------
@pytest.fixture
def evidence_root(settings, tmp_path):
    root = tmp_path / "evidence"
    samples.evidence_storage_settings(settings, root)
    return root


@pytest.mark.parametrize("name", TRAVERSALS)
def test_evidence_file_names_never_reach_the_storage_path(
    name, evidence_root, hierarchy, make_user, tmp_path
):
    officer = make_user("unit_officer", "A-W1")
    upload = SimpleUploadedFile(name, samples.PDF, content_type="application/pdf")
    evidence = store_evidence(actor=officer, unit_code="A-W1", upload=upload)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [evidence_root / evidence.path]
    assert ".." not in evidence.path and not evidence.path.startswith("/")
    assert re.fullmatch(r"A-W1/[0-9a-f]{2}/[0-9a-f]{64}", evidence.path)
    assert "/" not in evidence.filename and "\\" not in evidence.filename
    assert "\x00" not in evidence.filename

    client = Client()
    client.force_login(officer)
    response = client.get(f"/assessments/evidence/{evidence.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "/" not in disposition and "\\" not in disposition and "\n" not in disposition
    assert b"".join(response.streaming_content) == samples.PDF
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize("name", TRAVERSALS)
def test_import_file_names_are_only_labels(name, hierarchy, make_user, monkeypatch):
    """The import keeps the upload's bytes in the database; its name never opens a file."""
    officer = make_user("unit_officer", "A-W1")
    opened: list[str] = []
    real_open = builtins.open

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    upload = SimpleUploadedFile(name, b"not a workbook", content_type="application/octet-stream")
    job = queue_import(actor=officer, upload=upload)
    job = execute_import(job.pk)
    assert job.status == "refused"
    assert not any("passwd" in p or "shadow" in p or ".." in p for p in opened), opened
    assert ImportJob.objects.get(pk=job.pk).filename  # kept as a label only


def test_an_import_file_name_is_shown_escaped(hierarchy, make_user):
    officer = make_user("unit_officer", "A-W1")
    name = '<img src=x onerror="alert(1)">.xlsx'
    job = queue_import(
        actor=officer, upload=SimpleUploadedFile(name, b"x", content_type="application/zip")
    )
    execute_import(job.pk)
    client = Client()
    client.force_login(officer)
    response = client.get(f"/data/import/{job.pk}/")
    assert response.status_code == 200
    assert b"<img src=x" not in response.content
