"""Kinds of generated report, their states, and the file formats each one is rendered in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly progress report")
    SEMIANNUAL = "semiannual", _("Six-month review")
    ANNUAL = "annual", _("Annual report")
    BASELINE = "baseline", _("Baseline survey report")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FORMATS = ("docx", "xlsx", "pdf")
"""Every report is written in these three formats (Word is the signed original)."""

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

TITLE_VI = {
    ReportKind.MONTHLY: "Báo cáo tiến độ xây dựng Công an xã, phường điển hình, kiểu mẫu tháng",
    ReportKind.SEMIANNUAL: "Báo cáo sơ kết 6 tháng xây dựng Công an xã, phường điển hình, kiểu mẫu",
    ReportKind.ANNUAL: "Báo cáo kết quả xây dựng Công an xã, phường điển hình, kiểu mẫu năm",
    ReportKind.BASELINE: "Báo cáo kết quả khảo sát thực trạng theo Bộ tiêu chí",
}
