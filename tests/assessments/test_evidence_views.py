"""The evidence pages: a unit's list with its upload form, and each file's preview or download."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kieumau.assessments.evidence import store_evidence
from kieumau.assessments.evidence_views import ascii_filename, content_disposition
from kieumau.assessments.models import EvidenceFile
from kieumau.core.actors import CLI
from tests.assessments import evidence_samples as samples

pytestmark = pytest.mark.usefixtures("hierarchy")
LIST = "/assessments/evidence/"
FILE_CSP = "sandbox; default-src 'none'"


@pytest.fixture
def root(settings, tmp_path):
    root = tmp_path / "evidence"
    samples.evidence_storage_settings(settings, root)
    return root


def client_for(make_user, role: str, unit: str) -> Client:
    client = Client()
    client.force_login(make_user(role, unit, username=f"{role}-{unit}-web".lower()))
    return client


@pytest.fixture
def officer(make_user):
    return client_for(make_user, "unit_officer", "A-W1")


def store(data: bytes, name: str, unit: str = "A-W1") -> EvidenceFile:
    upload = SimpleUploadedFile(name, data)
    return store_evidence(actor=CLI, unit_code=unit, upload=upload)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# -- the list and the upload form ---------------------------------------------------------------
def test_the_list_shows_the_units_files_and_the_form(root, officer):
    pdf = store(samples.PDF, "Biên bản họp.pdf")
    store(samples.docx(), "bao-cao.docx", unit="C-W1")
    response = officer.get(LIST, {"unit": "A-W1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert [f.pk for f in response.context["files"]] == [pdf.pk]
    assert "Biên bản họp.pdf" in html and "bao-cao.docx" not in html
    assert pdf.sha256[:12] in html
    assert f'href="/assessments/evidence/{pdf.pk}/"' in html
    assert 'enctype="multipart/form-data"' in html


def test_readers_without_self_assess_see_no_upload_form(root, make_user):
    client = client_for(make_user, "province_appraiser", "A")
    response = client.get(LIST, {"unit": "A-W1"})
    assert response.status_code == 200
    assert not response.context["can_upload"]
    assert 'enctype="multipart/form-data"' not in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_file_or_many(root, officer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert officer.get(LIST, {"unit": "A-W1"}).status_code == 200
        return len(context)

    store(samples.PDF, "f0.pdf")
    one = queries()
    for i in range(1, 6):
        store(samples.PDF + b"%" * i, f"f{i}.pdf")
    assert queries() == one


@pytest.mark.parametrize("code", ["C-W1", "KHONG-CO"])
def test_a_unit_out_of_scope_is_not_found(root, officer, code):
    assert officer.get(LIST, {"unit": code}).status_code == 404


def test_without_a_unit_the_page_asks_for_one(root, officer):
    response = officer.get(LIST)
    assert response.status_code == 200
    assert response.context["unit"] is None


def test_an_upload_is_stored_and_announced(root, officer):
    response = officer.post(
        f"{LIST}?unit=A-W1",
        {"file": SimpleUploadedFile("anh.png", samples.png()), "title": "Ảnh hiện trường"},
        follow=True,
    )
    assert response.redirect_chain[-1] == (f"{LIST}?unit=A-W1", 302)
    evidence = EvidenceFile.objects.get()
    assert (evidence.unit.code, evidence.kind, evidence.title) == ("A-W1", "png", "Ảnh hiện trường")
    assert len(messages_of(response)) == 1
    again = officer.post(
        f"{LIST}?unit=A-W1", {"file": SimpleUploadedFile("lai.png", samples.png())}, follow=True
    )
    assert EvidenceFile.objects.count() == 1
    assert messages_of(again) != messages_of(response)


@pytest.mark.parametrize(
    "data,name,expected",
    [
        (samples.png(), "ho-so.pdf", "tệp 'ho-so.pdf' thực chất là ảnh PNG"),
        (samples.EXE, "ho-so.pdf", "thực chất là tệp chương trình Windows"),
        (samples.docm(), "bao-cao.docx", "không nhận tệp có macro"),
        (samples.encrypted_docx(), "bao-cao.docx", "được đặt mật khẩu"),
    ],
)
def test_a_refused_upload_says_why(root, officer, data, name, expected):
    response = officer.post(
        f"{LIST}?unit=A-W1", {"file": SimpleUploadedFile(name, data)}, follow=True
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert expected in message
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert not EvidenceFile.objects.exists()
    assert samples.stored_files(root) == []


def test_an_oversized_upload_is_refused_with_its_size(root, officer, settings):
    settings.KIEUMAU_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("lon.pdf", samples.PDF + b"%" * (2 * 1024 * 1024))
    response = officer.post(f"{LIST}?unit=A-W1", {"file": big}, follow=True)
    (message,) = messages_of(response)
    assert "vượt giới hạn 1 MB" in message
    assert not EvidenceFile.objects.exists()


def test_a_missing_file_is_refused(root, officer):
    response = officer.post(f"{LIST}?unit=A-W1", {}, follow=True)
    assert messages_of(response) == ["chưa chọn tệp minh chứng"]


@pytest.mark.parametrize(
    "role,unit", [("viewer", "A-W1"), ("province_appraiser", "A"), ("unit_officer", "C-W1")]
)
def test_an_upload_without_self_assess_is_not_found(root, make_user, role, unit):
    client = client_for(make_user, role, unit)
    response = client.post(f"{LIST}?unit=A-W1", {"file": SimpleUploadedFile("a.pdf", samples.PDF)})
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(root, client):
    evidence = store(samples.PDF, "a.pdf")
    for url in (f"{LIST}?unit=A-W1", f"{LIST}{evidence.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# -- the file itself --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data,name,content_type,disposition",
    [
        (samples.PDF, "bien-ban.pdf", "application/pdf", "inline"),
        (samples.JPEG, "anh.jpg", "image/jpeg", "inline"),
        (samples.WEBP, "anh.webp", "image/webp", "inline"),
        (
            samples.docx(),
            "bao-cao.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
        (
            samples.xlsx(),
            "so-lieu.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment",
        ),
    ],
)
def test_a_file_is_served_with_its_detected_type_and_safe_headers(
    root, officer, data, name, content_type, disposition
):
    evidence = store(data, name)
    response = officer.get(f"{LIST}{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == content_type
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == (
        f"{disposition}; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    assert "no-store" in response["Cache-Control"]


def test_a_vietnamese_name_has_an_ascii_fallback_and_an_rfc5987_form(root, officer):
    evidence = store(samples.PDF, 'Báo cáo "đợt 1"; bản cuối.pdf')
    response = officer.get(f"{LIST}{evidence.pk}/")
    assert response["Content-Disposition"] == (
        "inline; filename=\"Bao_cao_dot_1_ban_cuoi.pdf\"; filename*=UTF-8''"
        "B%C3%A1o%20c%C3%A1o%20%22%C4%91%E1%BB%A3t%201%22%3B%20b%E1%BA%A3n%20cu%E1%BB%91i.pdf"
    )


@pytest.mark.parametrize(
    "name,fallback",
    [
        ("Đề án.docx", "De_an.docx"),
        ('a"b\\c;d\r\ne.pdf', "a_b_c_d_e.pdf"),
        ("ảnh", "anh"),
        ("“”", "minh-chung"),
    ],
)
def test_ascii_fallback_cannot_break_the_header(name, fallback):
    assert ascii_filename(name) == fallback
    header = content_disposition("attachment", name)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


@pytest.mark.parametrize("role,unit", [("unit_officer", "C-W1"), ("viewer", "C")])
def test_a_file_out_of_scope_is_not_found(root, make_user, role, unit):
    evidence = store(samples.PDF, "a.pdf")
    client = client_for(make_user, role, unit)
    assert client.get(f"{LIST}{evidence.pk}/").status_code == 404
    assert client.get(f"{LIST}{10**9}/").status_code == 404


def test_a_tampered_file_answers_an_error_not_its_bytes(root, officer):
    evidence = store(samples.PDF, "bien-ban.pdf")
    hostile = b"<html><script>alert(document.cookie)</script></html>"
    (root / evidence.path).write_bytes(hostile)
    response = officer.get(f"{LIST}{evidence.pk}/")
    assert response.status_code == 409
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "đã bị thay đổi hoặc hỏng" in body
    assert "script" not in body
    assert hashlib.sha256(samples.PDF).hexdigest()[:12] in body


def test_the_file_route_only_reads(root, officer):
    evidence = store(samples.PDF, "a.pdf")
    assert officer.post(f"{LIST}{evidence.pk}/").status_code == 405
