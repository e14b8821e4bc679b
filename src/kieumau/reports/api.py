"""The reports API under /api/v1/reports/: list, ask for a report (queued), its status, and
its files. Reads through `reports.selectors` (404 out of scope); asking through the service."""

import datetime as dt

from django.http import FileResponse
from ninja import Router, Schema, Status

from kieumau.core.errors import NotFound
from kieumau.orgunits.schemas import ErrorOut
from kieumau.reports import selectors, services
from kieumau.reports.choices import CONTENT_TYPES, FORMATS
from kieumau.reports.models import GeneratedReport

router = Router()
ERRORS = {400: ErrorOut, 404: ErrorOut}


class FileOut(Schema):
    format: str
    name: str
    sha256: str
    size: int
    url: str


class ReportOut(Schema):
    id: int
    kind: str
    unit: str
    parameters: dict
    status: str
    progress: int
    message: str
    sha256: str
    author: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    files: list[FileOut]


class ReportIn(Schema):
    kind: str
    unit: str
    year: int
    month: int | None = None
    half: int | None = None
    number: str = ""
    date: str = ""
    signer_title: str = ""
    signer_name: str = ""


def _out(report: GeneratedReport) -> dict:
    return {
        "id": report.pk,
        "kind": report.kind,
        "unit": report.unit.code,
        "parameters": report.parameters,
        "status": report.status,
        "progress": report.progress,
        "message": report.message,
        "sha256": report.sha256,
        "author": report.author_repr,
        "created_at": report.created_at,
        "finished_at": report.finished_at,
        "files": [
            {
                "format": fmt,
                "name": info["name"],
                "sha256": info["sha256"],
                "size": info["size"],
                "url": f"/api/v1/reports/{report.pk}/download/{fmt}",
            }
            for fmt, info in (report.files or {}).items()
        ],
    }


@router.get("", response=list[ReportOut], summary="Generated reports")
def list_reports(request, kind: str = ""):
    """Các báo cáo đã tạo trong phạm vi của người dùng (mới nhất trước)."""
    return [_out(r) for r in selectors.report_list(request.auth, kind=kind or None)]


@router.post("", response={202: ReportOut, **ERRORS}, summary="Ask for a report")
def create_report(request, payload: ReportIn):
    """Yêu cầu tạo một báo cáo; báo cáo được tạo nền (trạng thái queued → running → done)."""
    fields = payload.dict()
    report = services.request_report(
        actor=request.auth,
        kind=fields.pop("kind"),
        unit_code=fields.pop("unit"),
        **{k: v for k, v in fields.items() if v not in (None, "")},
    )
    report = selectors.get_report(request.auth, report.pk)
    return Status(202, _out(report))


@router.get("/{report_id}", response={200: ReportOut, **ERRORS}, summary="Report status")
def report_status(request, report_id: int):
    """Trạng thái, tiến độ và các tệp của một báo cáo."""
    return _out(selectors.get_report(request.auth, report_id))


@router.get("/{report_id}/download/{fmt}", response={404: ErrorOut}, summary="Report file")
def download(request, report_id: int, fmt: str):
    """Tải tệp báo cáo (docx, xlsx hoặc pdf)."""
    report = selectors.get_report(request.auth, report_id)
    if fmt not in FORMATS:
        raise NotFound.single("định dạng không hợp lệ", "unknown format")
    path, info = services.file_of(report, fmt)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=info["name"], content_type=CONTENT_TYPES[fmt]
    )
    response["X-Content-SHA256"] = info["sha256"]
    return response
