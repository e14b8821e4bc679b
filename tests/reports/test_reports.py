"""Official reports: numbers and lists against the known data, the administrative format,
the three files re-opened (python-docx, openpyxl, pypdf), identical regeneration, background
generation with progress, schedules, the API, and scope."""

import datetime as dt
import hashlib
import io
import re
import zipfile

import pytest
from django_tasks_db.models import DBTaskResult
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.reports import services
from kieumau.reports.document import ReportDocument
from kieumau.reports.models import GeneratedReport, ReportSchedule
from kieumau.reports.tasks import run_report
from tests.dashboards import data

pytestmark = pytest.mark.usefixtures("hierarchy")


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def known(db):
    return data.build()


def make(kind: str, unit: str = "A", **extra) -> GeneratedReport:
    fields = {"year": 2025, "number": "12", "date": "15/11/2026", **extra}
    report = services.request_report(actor=CLI, kind=kind, unit_code=unit, **fields)
    return services.generate(report.pk)


def read(report: GeneratedReport, fmt: str) -> bytes:
    path, _ = services.file_of(report, fmt)
    return path.read_bytes()


def docx_text(report) -> str:
    doc = Document(io.BytesIO(read(report, "docx")))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def pdf_text(report) -> str:
    reader = PdfReader(io.BytesIO(read(report, "pdf")))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def sheet_rows(report, name: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(read(report, "xlsx")))
    return list(book[name].iter_rows(min_row=5, values_only=True))


# -- the administrative format ----------------------------------------------------------------
def test_word_follows_the_administrative_format(known):
    report = make("annual")
    doc = Document(io.BytesIO(read(report, "docx")))
    header = doc.tables[0]
    assert header.cell(0, 0).text == "BỘ CÔNG AN\nCÔNG AN TỈNH A"
    assert (
        header.cell(0, 1).text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    )
    assert header.cell(1, 0).text == "Số: 12/BC-CAT"
    assert header.cell(1, 1).text == "A, ngày 15 tháng 11 năm 2026"
    titles = [p.text for p in doc.paragraphs[:2]]
    assert titles == ["BÁO CÁO", "Kết quả xây dựng Công an xã, phường điển hình, kiểu mẫu năm 2025"]
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs}
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}
    assert sizes <= {13.0, 14.0}
    signature = doc.tables[-1]
    assert signature.cell(0, 0).text.startswith("Nơi nhận:")
    assert "Bộ Công an (qua Cục V05)" in signature.cell(0, 0).text
    assert "THỦ TRƯỞNG ĐƠN VỊ" in signature.cell(0, 1).text


def test_place_and_date_keep_the_leading_zeros_of_nd30():
    doc = ReportDocument(
        "BỘ CÔNG AN",
        "CÔNG AN TỈNH HƯNG YÊN",
        "Số: 1/BC-CAT",
        "Hưng Yên",
        dt.date(2026, 2, 5),
        "BÁO CÁO",
        "x",
    )
    assert doc.place_date == "Hưng Yên, ngày 05 tháng 02 năm 2026"
    doc.issue_date = dt.date(2026, 11, 15)
    assert doc.place_date == "Hưng Yên, ngày 15 tháng 11 năm 2026"


# -- numbers and lists against the data --------------------------------------------------------
def test_annual_report_numbers(known):
    report = make("annual")
    assert report.status == "done" and report.progress == 100
    text = docx_text(report)
    assert "có 2/2 đơn vị đã được đánh giá; 1 đơn vị đạt toàn bộ tiêu chí; 1 đơn vị đã được" in text
    assert "(tỷ lệ 50,0%)" in text
    assert "22/22 | 1" in text and "21/22 | 1" in text
    assert "Phường Chín | 21/22 | 1.1" in text  # the unit short of the standard and what it lacks
    assert "Phường Một | 12/QĐ-BCA | 10/02/2026" in text  # the recognition decision
    assert "tháng 1/2025 | 1 | 0 | 1 | 50,0" in text  # A-W1 on time; A-W9 missing
    pdf = pdf_text(report)
    assert "CÔNG AN TỈNH A" in pdf and "Số: 12/BC-CAT" in pdf
    assert "A, ngày 15 tháng 11 năm 2026" in pdf
    assert "1 đơn vị đạt toàn bộ tiêu chí" in pdf
    assert "Phường Chín" in pdf and "12/QĐ-BCA" in pdf
    assert ("1", "Xây dựng Đảng, xây dựng hệ thống chính trị phường", 1, "50,0") in sheet_rows(
        report, "Nhóm tiêu chí"
    )
    assert sheet_rows(report, "Chưa đạt") == [("Phường Chín", "21/22", "1.1")]


def test_national_annual_report_lists_provinces(known):
    report = make("annual", unit="VN")
    text = docx_text(report)
    assert "CỤC XÂY DỰNG PHONG TRÀO BẢO VỆ AN NINH TỔ QUỐC" in text
    assert "Số: 12/BC-V05" in text
    assert "có 3/3 đơn vị đã được đánh giá" in text
    assert sheet_rows(report, "Tỉnh, thành phố") == [
        ("Tỉnh A", 2, 1, 1, "50,0"),
        ("Tỉnh C", 1, 0, 0, "0,0"),
    ]


def test_monthly_report_numbers(known):
    report = make("monthly", month=1)
    text = docx_text(report)
    assert "tháng 1/2025" in text
    assert (
        "Tổng số 2 đơn vị cấp xã phải báo cáo; 1 đơn vị đã báo cáo; 1 đơn vị chưa báo cáo." in text
    )
    # Structure of 31/01/2025: A held A-W1 and A-W2 (Phường Chín came in July).
    assert "Đơn vị chưa báo cáo: Phường Hai." in text
    rows = {r[0]: r[1] for r in sheet_rows(report, "Số liệu")}
    assert rows["Số tin báo, tố giác tội phạm tiếp nhận"] == "10"  # A-W1 only (C-W1 is in C)
    whole = make("monthly", unit="VN", month=1)
    rows = {r[0]: r[1] for r in sheet_rows(whole, "Số liệu")}
    assert rows["Số tin báo, tố giác tội phạm tiếp nhận"] == "20"
    assert "Tổng số 4 đơn vị cấp xã phải báo cáo; 2 đơn vị đã báo cáo" in docx_text(whole)
    assert "Đơn vị chưa báo cáo: Phường Hai." in pdf_text(report)


def test_six_month_review(known):
    report = make("semiannual", half=1)
    text = docx_text(report)
    assert "Sơ kết 6 tháng xây dựng Công an xã, phường điển hình, kiểu mẫu đầu năm 2025" in text
    assert [r[0] for r in sheet_rows(report, "Báo cáo định kỳ")] == [
        f"tháng {m}/2025" for m in range(1, 7)
    ]
    assert sheet_rows(report, "Báo cáo định kỳ")[0][1:4] == (1, 0, 1)
    assert sheet_rows(report, "Được công nhận") == [("Phường Một", "12/QĐ-BCA", "10/02/2026")]


def test_baseline_survey_per_group_who_fails_and_why(known):
    report = make("baseline", unit="VN")
    text = docx_text(report)
    assert "Qua khảo sát, tình hình của 3 đơn vị" in text
    assert "2.1. Nhóm tiêu chí Xây dựng Đảng, xây dựng hệ thống chính trị phường" in text
    assert "Có 02/03 đơn vị đạt nhóm tiêu chí; 01/03 đơn vị không đạt." in text
    assert (
        f"- Phường Chín: tiêu chí 1.1 (Xếp loại thi đua Đảng bộ, UBND phường): {data.EXPLAIN['1.1']}."
        in text
    )
    assert "Có 02/03 đơn vị đạt nhóm tiêu chí; 01/03 đơn vị không đạt." in text.split("2.3.")[1]
    assert sheet_rows(report, "Nhóm 3") == [
        ("Xã Bốn", "3.1", data.EXPLAIN["3.1"]),
        ("Xã Bốn", "3.2", data.EXPLAIN["3.2"]),
    ]
    assert sheet_rows(report, "Nhóm 2") == []
    pdf = pdf_text(report)
    assert "Có 02/03 đơn vị đạt nhóm tiêu chí" in pdf
    assert "Diện tích đất an ninh 390 m² < 500 m²" in pdf


# -- reproducibility ---------------------------------------------------------------------------
def test_regeneration_gives_identical_bytes(known):
    first = make("annual")
    again = services.generate(services.regenerate(actor=CLI, report_id=first.pk).pk)
    assert again.pk != first.pk and again.parameters == first.parameters
    for fmt in ("docx", "xlsx", "pdf"):
        assert read(again, fmt) == read(first, fmt), fmt
        assert again.files[fmt]["sha256"] == hashlib.sha256(read(first, fmt)).hexdigest()
    assert again.sha256 == first.sha256 == first.files["docx"]["sha256"]
    for fmt in ("docx", "xlsx"):
        archive = zipfile.ZipFile(io.BytesIO(read(first, fmt)))
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
        assert "2026-11-15T08:00:00Z" in core


def test_changed_data_changes_the_report(known):
    from kieumau.assessments.models import AssessmentCase

    first = make("annual")
    AssessmentCase.objects.filter(unit__code="A-W1").update(status="revoked")
    second = make("annual")
    assert second.sha256 != first.sha256
    assert "0 đơn vị đã được Bộ trưởng công nhận" in docx_text(second)


# -- validation and scope ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "fields,message",
    [
        (
            {"kind": "monthly", "unit_code": "A", "year": "2025", "month": "13"},
            "tháng '13' không hợp lệ",
        ),
        ({"kind": "annual", "unit_code": "A", "year": "20"}, "năm '20' không hợp lệ"),
        ({"kind": "annual", "unit_code": "A-W1", "year": "2025"}, "không cho đơn vị cấp xã"),
        ({"kind": "annual", "unit_code": "B", "year": "2026"}, "không tồn tại vào ngày 31/12/2026"),
        (
            {"kind": "annual", "unit_code": "A", "year": "2025", "date": "31/02/2026"},
            "ngày ban hành",
        ),
        ({"kind": "weekly", "unit_code": "A", "year": "2025"}, "loại báo cáo 'weekly'"),
    ],
)
def test_bad_parameters_are_refused_in_vietnamese(known, fields, message):
    with pytest.raises(ValidationFailed) as error:
        services.request_report(actor=CLI, **fields)
    assert message in error.value.summary()
    assert not GeneratedReport.objects.exists()


def test_a_province_cannot_ask_for_another_provinces_report(known, make_user):
    admin = make_user("province_admin", "A")
    with pytest.raises(NotFound):
        services.request_report(actor=admin, kind="annual", unit_code="C", year=2025)
    report = services.request_report(actor=admin, kind="annual", unit_code="A", year=2025)
    assert report.author == admin


# -- background generation with a progress bar ------------------------------------------------
def test_the_page_queues_the_job_and_shows_progress(
    known, client, make_user, django_capture_on_commit_callbacks
):
    client.force_login(make_user("province_admin", "A"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/",
            {
                "kind": "monthly",
                "unit_code": "A",
                "year": "2025",
                "month": "1",
                "date": "18/02/2025",
            },
        )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("run_report") and task.args_kwargs["args"] == [report.pk]
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and '<progress value="0" max="100"' in page

    assert run_report.call(report.pk) == GeneratedReport.objects.get().sha256
    fragment = client.get(f"/reports/{report.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in fragment and '<progress value="100"' in fragment
    assert "monthly-A-2025-01.docx" in fragment
    download = client.get(f"/reports/{report.pk}/docx/")
    body = b"".join(download.streaming_content)
    assert (
        download["X-Content-SHA256"]
        == hashlib.sha256(body).hexdigest()
        == report.__class__.objects.get().sha256
    )
    assert client.get(f"/reports/{report.pk}/exe/").status_code == 404


def test_a_failing_generation_is_shown_as_failed(known, monkeypatch):
    report = services.request_report(actor=CLI, kind="annual", unit_code="A", year=2025)

    def broken(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr("kieumau.reports.builders.build_annual", broken)
    monkeypatch.setitem(
        __import__("kieumau.reports.builders").reports.builders.BUILDERS, "annual", broken
    )
    with pytest.raises(RuntimeError):
        services.generate(report.pk)
    report.refresh_from_db()
    assert (report.status, report.message) == ("failed", "hỏng")
    with pytest.raises(NotFound):
        services.file_of(report, "docx")


def test_report_list_queries_do_not_grow(known, client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("ministry_viewer", "VN"))
    services.request_report(actor=CLI, kind="annual", unit_code="A", year=2025)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/reports/").status_code == 200
    for _ in range(5):
        services.request_report(actor=CLI, kind="annual", unit_code="C", year=2025)
    with CaptureQueriesContext(connection) as six:
        page = client.get("/reports/")
    assert len(page.context["reports"]) == 6
    assert len(six) == len(one)
    with CaptureQueriesContext(connection) as listed:
        assert len(client.get("/api/v1/reports").json()) == 6
    assert len(listed) <= 6


# -- schedules ---------------------------------------------------------------------------------
def test_a_schedule_queues_a_report_on_its_day_once(known, make_user):
    admin = make_user("province_admin", "A")
    schedule = services.create_schedule(
        actor=admin, kind="monthly", unit_code="A", day_of_month="15"
    )
    assert services.daily_job(today=dt.date(2026, 3, 14)) == {"queued": [], "failed": []}
    result = services.daily_job(today=dt.date(2026, 3, 15))
    (report,) = GeneratedReport.objects.all()
    assert result == {"queued": [report.pk], "failed": []}
    assert report.parameters["year"] == 2026 and report.parameters["month"] == 2
    assert report.parameters["date"] == "2026-03-15" and report.schedule == schedule
    assert services.daily_job(today=dt.date(2026, 3, 15))["queued"] == []
    assert GeneratedReport.objects.count() == 1
    with pytest.raises(ValidationFailed):
        services.create_schedule(actor=admin, kind="monthly", unit_code="A", day_of_month="31")
    with pytest.raises(NotFound):
        services.create_schedule(actor=admin, kind="monthly", unit_code="C", day_of_month="15")


def test_the_daily_job_is_registered_with_the_scheduler():
    from kieumau.core.scheduler import DAILY_JOBS

    assert "kieumau.reports.services.daily_job" in DAILY_JOBS


def test_schedule_page(known, client, make_user):
    client.force_login(make_user("province_admin", "A"))
    response = client.post(
        "/reports/schedules/", {"kind": "annual", "unit_code": "A", "day_of_month": "15"}
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.get().day_of_month == 15
    bad = client.post(
        "/reports/schedules/", {"kind": "annual", "unit_code": "A", "day_of_month": "40"}
    )
    assert bad.status_code == 400 and "ngày trong tháng '40'" in bad.context["error"]


# -- API ---------------------------------------------------------------------------------------
def test_api_create_status_and_download(known, client, make_user):
    client.force_login(make_user("province_admin", "A"))
    response = client.post(
        "/api/v1/reports",
        {"kind": "baseline", "unit": "A", "year": 2025, "date": "15/11/2026", "number": "7"},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["parameters"]["number"] == "7"
    services.generate(body["id"])
    status = client.get(f"/api/v1/reports/{body['id']}").json()
    assert status["status"] == "done" and {f["format"] for f in status["files"]} == {
        "docx",
        "xlsx",
        "pdf",
    }
    pdf = next(f for f in status["files"] if f["format"] == "pdf")
    download = client.get(pdf["url"])
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == pdf["sha256"]
    assert [r["id"] for r in client.get("/api/v1/reports").json()] == [body["id"]]
    bad = client.post(
        "/api/v1/reports",
        {"kind": "monthly", "unit": "A", "year": 2025},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "tháng" in bad.json()["detail"]
