"""Writes of the reports app: ask for a report, generate its files, schedule reports.

Asking is a service like any other (keyword-only, actor first, one transaction, authorised on
the unit with reports.generate, validated, audited); the files are written by the background
worker through `generate`, which reads as the system so the content depends only on the
parameters and the data.
"""

import datetime as dt
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kieumau.accounts.permissions import GENERATE_REPORTS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.audit.services import record
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from kieumau.reports.choices import FORMATS, ReportKind, ReportStatus
from kieumau.reports.models import GeneratedReport, ReportSchedule

log = logging.getLogger(__name__)


def reports_dir() -> Path:
    """Where report files are written (setting REPORTS_DIR; default var/reports)."""
    path = Path(getattr(settings, "REPORTS_DIR", None) or Path(settings.VAR_DIR) / "reports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _int(value, name: str, low: int, high: int, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationFailed.single(
            f"{label} '{text}' không hợp lệ (từ {low} đến {high})", f"invalid {name}", field=name
        )
    return int(text)


def structure_day(kind: str, params: dict) -> dt.date:
    """The day the unit structure of a report is read on: the end of its period."""
    year = params["year"]
    if kind == ReportKind.MONTHLY:
        month = params["month"]
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if kind == ReportKind.SEMIANNUAL:
        return dt.date(year, 6, 30) if params["half"] == 1 else dt.date(year, 12, 31)
    return dt.date(year, 12, 31)


def normalise_params(
    *,
    kind: str,
    unit_code: str,
    year,
    month=None,
    half=None,
    number: str = "",
    date=None,
    signer_title: str = "",
    signer_name: str = "",
) -> dict:
    """Validated, complete parameters: what is stored and what regeneration replays.

    Protects reproducibility: everything the document depends on (including its issue date) is
    fixed here, so nothing is read from the clock at generation time.
    """
    if kind not in ReportKind.values:
        raise ValidationFailed.single(
            f"loại báo cáo '{kind}' không hợp lệ", "invalid kind", field="kind"
        )
    params: dict = {"unit": str(unit_code or "").strip()}
    params["year"] = _int(year, "year", 2000, 2100, "năm")
    if kind == ReportKind.MONTHLY:
        params["month"] = _int(month, "month", 1, 12, "tháng")
    if kind == ReportKind.SEMIANNUAL:
        params["half"] = _int(half, "half", 1, 2, "kỳ 6 tháng")
    if date in (None, ""):
        issue = timezone.localdate()
    elif isinstance(date, dt.date):
        issue = date
    else:
        from kieumau.assessments.selectors import parse_day

        issue = parse_day(date)
        if issue is None:
            raise ValidationFailed.single(
                f"ngày ban hành '{date}' không hợp lệ (dd/mm/yyyy)", "invalid date", field="date"
            )
    params["date"] = issue.isoformat()
    params["number"] = str(number or "").strip()[:20]
    params["signer_title"] = str(signer_title or "").strip()[:120]
    params["signer_name"] = str(signer_name or "").strip()[:120]
    return params


def _authorised_unit(actor, kind: str, params: dict) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=params["unit"]).first()
    if unit is None or not can_act_on_unit(actor, GENERATE_REPORTS, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{params['unit']}'", "unit not found", field="unit"
        )
    day = structure_day(kind, params)
    version = OrgUnitVersion.objects.active_on(day).filter(unit=unit).first()
    if version is None:
        raise ValidationFailed.single(
            f"đơn vị '{unit.code}' không tồn tại vào ngày {day:%d/%m/%Y}",
            "unit not in force at the end of the period",
            field="unit",
        )
    if version.level > Level.DISTRICT:
        raise ValidationFailed.single(
            "báo cáo được lập cho toàn quốc, tỉnh/thành phố hoặc cấp huyện, không cho đơn vị cấp xã",
            "reports are for the nation, a province or a district",
            field="unit",
        )
    return unit


@transaction.atomic
def request_report(
    *, actor, kind: str, schedule: ReportSchedule | None = None, **fields
) -> GeneratedReport:
    """Queue one report for the background worker (audited).

    Protects the worker and the scope: the parameters are validated and the unit must be
    within the actor's reports.generate scope (NotFound otherwise, as for a missing unit).
    """
    from kieumau.reports.tasks import run_report

    params = normalise_params(kind=kind, **fields)
    unit = _authorised_unit(actor, kind, params)
    report = GeneratedReport.objects.create(
        kind=kind,
        unit=unit,
        parameters=params,
        author=actor if getattr(actor, "pk", None) else None,
        author_repr=str(actor)[:200],
        schedule=schedule,
    )
    record(
        actor=actor,
        event="reports.requested",
        target=report,
        unit=unit,
        after={"kind": kind, **params},
    )
    transaction.on_commit(lambda: run_report.enqueue(report.pk))
    return report


@transaction.atomic
def regenerate(*, actor, report_id: int) -> GeneratedReport:
    """Queue the same report again (same kind and parameters): the files must come out
    identical while the data is unchanged. Authorised like a new request."""
    original = GeneratedReport.objects.filter(pk=report_id).first()
    if original is None:
        raise NotFound.single("không tìm thấy báo cáo", "report not found")
    params = dict(original.parameters)
    unit_code = params.pop("unit")
    return request_report(actor=actor, kind=original.kind, unit_code=unit_code, **params)


def generate(report_id: int, progress=None) -> GeneratedReport:
    """Build and write the report's files (Word, Excel, PDF) and their SHA-256; the worker's job.

    Protects reproducibility: the document is built from the stored parameters only (read as
    the system) and rendered with fixed metadata, so equal data give equal bytes.
    """
    from kieumau.reports.builders import build
    from kieumau.reports.renderers import RENDERERS

    report = GeneratedReport.objects.get(pk=report_id)

    def step(percent: int) -> None:
        GeneratedReport.objects.filter(pk=report_id).update(progress=percent)
        if progress:
            progress(percent)

    GeneratedReport.objects.filter(pk=report_id).update(status=ReportStatus.RUNNING, progress=5)
    try:
        document = build(report.kind, report.parameters, step)
        folder = reports_dir() / str(report.pk)
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        p = report.parameters
        stem = f"{report.kind}-{p['unit']}-{p['year']}" + (
            f"-{p['month']:02d}" if "month" in p else f"-H{p['half']}" if "half" in p else ""
        )
        for i, fmt in enumerate(FORMATS):
            data = RENDERERS[fmt](document)
            path = folder / f"{stem}.{fmt}"
            path.write_bytes(data)
            files[fmt] = {
                "path": str(path.relative_to(reports_dir())),
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "name": path.name,
            }
            step(85 + 5 * i)
    except Exception as exc:
        log.exception("report %s failed", report_id)
        GeneratedReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    GeneratedReport.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE,
        progress=100,
        files=files,
        sha256=files["docx"]["sha256"],
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def file_of(report: GeneratedReport, fmt: str) -> tuple[Path, dict]:
    """The stored file of a finished report (NotFound when not generated or missing)."""
    info = (report.files or {}).get(fmt)
    if report.status != ReportStatus.DONE or not info:
        raise NotFound.single("báo cáo chưa được tạo xong", "report file not ready")
    path = (reports_dir() / info["path"]).resolve()
    if not path.is_file() or reports_dir().resolve() not in path.parents:
        raise NotFound.single("không tìm thấy tệp báo cáo", "report file missing")
    return path, info


# -- schedules -------------------------------------------------------------------------------
@transaction.atomic
def create_schedule(*, actor, kind: str, unit_code: str, day_of_month) -> ReportSchedule:
    """A monthly schedule: report `kind` for `unit_code` generated on `day_of_month` (audited).

    Protects scope (reports.generate on the unit, else NotFound) and sanity (day 1–28 so that
    every month has it; a monthly report is for the month before, the others for their year).
    """
    day = _int(day_of_month, "day_of_month", 1, 28, "ngày trong tháng")
    if kind not in ReportKind.values:
        raise ValidationFailed.single(
            f"loại báo cáo '{kind}' không hợp lệ", "invalid kind", field="kind"
        )
    unit = OrgUnit.objects.filter(code=str(unit_code or "").strip()).first()
    if unit is None or not can_act_on_unit(actor, GENERATE_REPORTS, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    schedule = ReportSchedule.objects.create(
        kind=kind,
        unit=unit,
        day_of_month=day,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        event="reports.schedule_created",
        target=schedule,
        unit=unit,
        after={"kind": kind, "day": day},
    )
    return schedule


def scheduled_params(schedule: ReportSchedule, today: dt.date) -> dict:
    """What a schedule asks for on `today`: the month before for a monthly report, the half
    just ended (or running) for a six-month review, the year before for the others."""
    previous_month = today.replace(day=1) - dt.timedelta(days=1)
    if schedule.kind == ReportKind.MONTHLY:
        return {"year": previous_month.year, "month": previous_month.month}
    if schedule.kind == ReportKind.SEMIANNUAL:
        if today.month > 6:
            return {"year": today.year, "half": 1}
        return {"year": today.year - 1, "half": 2}
    return {"year": today.year - 1}


def daily_job(today: dt.date) -> dict:
    """The scheduler's daily job: queue every active schedule due today (once per day).

    Idempotent: a schedule already run today is skipped (`last_run_on`), so a retry or a second
    scheduler cannot queue a report twice. A schedule whose unit is gone is reported, not fatal.
    """
    from kieumau.core.actors import SystemActor

    actor = SystemActor("scheduler")
    queued, failed = [], []
    for schedule in (
        ReportSchedule.objects.filter(is_active=True, day_of_month=today.day)
        .exclude(last_run_on=today)
        .select_related("unit")
    ):
        try:
            with transaction.atomic():
                report = request_report(
                    actor=actor,
                    kind=schedule.kind,
                    unit_code=schedule.unit.code,
                    date=today,
                    schedule=schedule,
                    **scheduled_params(schedule, today),
                )
                ReportSchedule.objects.filter(pk=schedule.pk).update(last_run_on=today)
            queued.append(report.pk)
        except (NotFound, ValidationFailed) as exc:
            failed.append({"schedule": schedule.pk, "error": exc.summary()})
    return {"queued": queued, "failed": failed}
