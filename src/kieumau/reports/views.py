"""Pages: the report list with the form to ask for one, a report's progress and downloads,
regeneration, and the monthly schedules."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kieumau.accounts.permissions import GENERATE_REPORTS, VIEW_REPORTS
from kieumau.accounts.scope import has_perm
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import require_perm
from kieumau.reports import selectors, services
from kieumau.reports.choices import CONTENT_TYPES, FORMATS, ReportKind

FIELDS = ("unit_code", "year", "month", "half", "number", "date", "signer_title", "signer_name")


def _defaults() -> dict:
    today = timezone.localdate()
    previous = today.replace(day=1) - timezone.timedelta(days=1)
    return {
        "kind": ReportKind.MONTHLY,
        "year": previous.year,
        "month": previous.month,
        "half": 1,
        "date": today.strftime("%d/%m/%Y"),
    }


@require_perm(VIEW_REPORTS)
def index(request):
    can_generate = has_perm(request.user, GENERATE_REPORTS)
    values = _defaults()
    error = None
    if request.method == "POST":
        if not can_generate:
            raise NotFound.single("không tìm thấy", "not found")
        values = {k: request.POST.get(k, "").strip() for k in ("kind", *FIELDS)}
        kwargs = {k: values[k] for k in FIELDS if values[k] != "" or k == "unit_code"}
        try:
            report = services.request_report(actor=request.user, kind=values["kind"], **kwargs)
        except NotFound:
            raise
        except DomainError as exc:
            error = exc.summary()
        else:
            return redirect("reports:detail", report_id=report.pk)
    context = {
        "reports": selectors.report_list(request.user),
        "kinds": ReportKind.choices,
        "values": values,
        "error": error,
        "can_generate": can_generate,
    }
    return render(request, "reports/index.html", context, status=400 if error else 200)


@require_perm(VIEW_REPORTS)
def detail(request, report_id: int):
    report = selectors.get_report(request.user, report_id)
    template = "reports/detail.html#progress" if request.htmx else "reports/detail.html"
    context = {
        "report": report,
        "formats": FORMATS,
        "can_generate": has_perm(request.user, GENERATE_REPORTS),
    }
    return render(request, template, context)


@require_perm(VIEW_REPORTS)
def download(request, report_id: int, fmt: str):
    report = selectors.get_report(request.user, report_id)
    if fmt not in FORMATS:
        raise NotFound.single("định dạng không hợp lệ", "unknown format")
    path, info = services.file_of(report, fmt)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=info["name"], content_type=CONTENT_TYPES[fmt]
    )
    response["X-Content-SHA256"] = info["sha256"]
    return response


@require_POST
@require_perm(GENERATE_REPORTS)
def regenerate(request, report_id: int):
    selectors.get_report(request.user, report_id)
    try:
        report = services.regenerate(actor=request.user, report_id=report_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("reports:detail", report_id=report_id)
    return redirect("reports:detail", report_id=report.pk)


@require_perm(VIEW_REPORTS)
def schedules(request):
    can_generate = has_perm(request.user, GENERATE_REPORTS)
    error = None
    values = {"kind": ReportKind.MONTHLY, "unit_code": "", "day_of_month": "15"}
    if request.method == "POST":
        if not can_generate:
            raise NotFound.single("không tìm thấy", "not found")
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            services.create_schedule(actor=request.user, **values)
        except NotFound:
            raise
        except DomainError as exc:
            error = exc.summary()
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("reports:schedules")
    context = {
        "schedules": selectors.schedule_list(request.user),
        "kinds": ReportKind.choices,
        "values": values,
        "error": error,
        "can_generate": can_generate,
    }
    return render(request, "reports/schedules.html", context, status=400 if error else 200)
