"""Pages: data entry per unit and period, review, report status, value history, Excel exchange.

Views stay thin: they parse the request, call a selector or a service and render. Every read
goes through the scoped selectors (404 out of scope); every write through a service.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kieumau.accounts.permissions import APPROVE_DATA, ENTER_DATA, VIEW_DATA
from kieumau.accounts.scope import grant_for, has_perm
from kieumau.core.errors import Conflict, DomainError, NotFound
from kieumau.core.web import require_perm
from kieumau.datavalues import selectors
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.checks import run_checks
from kieumau.datavalues.choices import SubmissionStatus
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import DataSet, ImportJob, Submission
from kieumau.datavalues.parsing import parse_value
from kieumau.datavalues.services import comment_on_value
from kieumau.datavalues.workflow import add_comment, get_or_start, transition
from kieumau.engine import period_containing
from kieumau.orgunits.models import OrgUnit


def _entry_url(unit: str, form: str, period: str) -> str:
    return reverse("datavalues:entry", kwargs={"unit": unit, "form": form, "period": period})


@require_perm(VIEW_DATA)
def index(request):
    """Start page: open a report, and the reports waiting for the signed-in user."""
    forms = list(DataSet.objects.visible_to(request.user, VIEW_DATA).filter(is_active=True))
    today = timezone.localdate()
    defaults = {f.code: period_containing(today, f.period_type).previous().code for f in forms}
    unit = request.GET.get("unit", "").strip()
    form = request.GET.get("form", "").strip()
    period = request.GET.get("period", "").strip()
    if unit and form:
        return redirect(_entry_url(unit, form, period or defaults.get(form, "")))
    waiting = []
    if has_perm(request.user, APPROVE_DATA):
        waiting = list(
            Submission.objects.visible_to(request.user, APPROVE_DATA)
            .filter(status=SubmissionStatus.SUBMITTED)
            .select_related("unit", "dataset")
            .order_by("submitted_at")[:100]
        )
    returned = list(
        Submission.objects.visible_to(request.user, ENTER_DATA)
        .filter(status=SubmissionStatus.RETURNED)
        .select_related("unit", "dataset")
        .order_by("-decided_at")[:100]
    )
    own_units = []
    grant = grant_for(request.user, ENTER_DATA)
    if not grant.national and grant.unit_ids:
        own_units = list(OrgUnit.objects.filter(pk__in=grant.unit_ids).order_by("code"))
    return render(
        request,
        "datavalues/index.html",
        {
            "forms": forms,
            "defaults": defaults,
            "waiting": waiting,
            "returned": returned,
            "own_units": own_units,
        },
    )


def _posted_values(request, sheet) -> tuple[list[Entry], dict[str, str]]:
    """The form's inputs as batch entries (blank inputs are left alone, not erased)."""
    entries, typed = [], {}
    for _section, rows in sheet.sections:
        for row in rows:
            code = row.indicator.code
            raw = request.POST.get(f"v_{code}", "")
            typed[code] = raw
            if raw.strip() == "" or raw.strip() == row.text:
                continue
            rev = request.POST.get(f"r_{code}", "")
            entries.append(
                Entry(
                    unit=sheet.unit.code,
                    indicator=code,
                    period=sheet.period.code,
                    raw=raw,
                    expected_revision=int(rev) if rev.isdigit() else None,
                )
            )
    return entries, typed


@require_perm(VIEW_DATA)
def entry(request, unit: str, form: str, period: str):
    """The data-entry page: save as draft, submit; shows the state, timeline and checks."""
    try:
        sheet = selectors.entry_sheet(request.user, unit, form, period)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("datavalues:index")
    errors, typed, conflict = [], {}, False
    if request.method == "POST":
        if not sheet.can_edit:
            raise Http404
        entries, typed = _posted_values(request, sheet)
        try:
            # Save and submit land together or not at all: a refused submission keeps no
            # values either, as the page then says.
            with transaction.atomic():
                result = None
                if entries:
                    result = apply_entries(actor=request.user, entries=entries, source="form")
                if request.POST.get("action") == "submit":
                    report = sheet.submission.pk or _start_report(request, unit, form, period)
                    transition(
                        actor=request.user,
                        submission_id=report,
                        action="submit",
                        expected_revision=int(request.POST.get("sub_rev", "0") or 0),
                    )
            if request.POST.get("action") == "submit":
                messages.success(request, _("Report submitted to the province."))
            else:
                messages.success(
                    request,
                    _("Saved: %(n)s value(s) changed.")
                    % {"n": (result.created + result.updated) if result else 0},
                )
            for warning in result.warnings if result else []:
                messages.warning(request, warning.located())
            return redirect(_entry_url(unit, form, period))
        except Conflict as exc:
            errors, conflict = exc.messages(), True
        except DomainError as exc:
            errors = exc.messages()
        sheet = selectors.entry_sheet(request.user, unit, form, period)
    return render(
        request,
        "datavalues/entry.html",
        {"sheet": sheet, "errors": errors, "typed": typed, "conflict": conflict},
        status=409 if conflict else (400 if errors else 200),
    )


def _start_report(request, unit: str, form: str, period: str) -> int:
    """The report row, created inside the caller's write (whose audit entry records it)."""
    return get_or_start(
        actor=request.user, unit_code=unit, form_code=form, period_code=period, perm=VIEW_DATA
    ).pk


@require_perm(VIEW_DATA)
@require_POST
def check(request, unit: str, form: str, period: str):
    """htmx: the checks and affected criteria for what is typed, before anything is saved."""
    sheet = selectors.entry_sheet(request.user, unit, form, period)
    catalog = FormCatalog.load(active_only=False)
    cform = catalog.forms[sheet.form.pk]
    values, problems = {}, []
    for _section, rows in sheet.sections:
        for row in rows:
            raw = request.POST.get(f"v_{row.indicator.code}", "")
            if raw.strip() == "":
                continue
            value, problem = parse_value(row.indicator, raw)
            if problem:
                problems.append(problem.located())
            else:
                values[row.indicator.code] = value
    outcome = run_checks(cform.checks, values, cform.labels)
    changed = [
        row
        for _s, rows in sheet.sections
        for row in rows
        if request.POST.get(f"v_{row.indicator.code}", "").strip() not in ("", row.text)
    ]
    affected = {c["code"]: c for row in changed for c in row.affects}
    return render(
        request,
        "datavalues/_checks.html",
        {
            "problems": problems + [p.located() for p in outcome.errors],
            "warnings": [p.located() for p in outcome.warnings],
            "changed": changed,
            "affected": [affected[k] for k in sorted(affected, key=_criterion_order)],
        },
    )


def _criterion_order(code: str) -> list[int]:
    return [int(part) for part in code.split(".") if part.isdigit()]


@require_perm(VIEW_DATA)
@require_POST
def review(request, unit: str, form: str, period: str):
    """Approve, return (with a reason), unlock (with a reason) or comment on a report."""
    sheet = selectors.entry_sheet(request.user, unit, form, period)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        if action == "comment":
            with transaction.atomic():
                report = sheet.submission.pk or _start_report(request, unit, form, period)
                add_comment(actor=request.user, submission_id=report, comment=comment)
        elif sheet.submission.pk is None:
            messages.error(request, _("This report has not been started yet."))
        else:
            transition(
                actor=request.user,
                submission_id=sheet.submission.pk,
                action=action,
                expected_revision=int(request.POST.get("sub_rev", "0") or 0),
                comment=comment,
            )
            messages.success(request, _("Done."))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect(_entry_url(unit, form, period))


@require_perm(VIEW_DATA)
def value_history(request, unit: str, period: str, indicator: str):
    """One value's changes and comments; posting adds a comment."""
    if request.method == "POST":
        try:
            comment_on_value(
                actor=request.user,
                unit_code=unit,
                period_code=period,
                indicator_code=indicator,
                text=request.POST.get("text", ""),
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, exc.summary())
        return redirect(
            reverse(
                "datavalues:history",
                kwargs={"unit": unit, "period": period, "indicator": indicator},
            )
        )
    data = selectors.value_history(request.user, unit, period, indicator)
    return render(request, "datavalues/history.html", data)


@require_perm(VIEW_DATA)
def status(request):
    """Who has reported: units of a province, or provinces of the nation."""
    forms = list(DataSet.objects.filter(is_active=True))
    form_code = request.GET.get("form") or (forms[0].code if forms else "")
    chosen = next((f for f in forms if f.code == form_code), None)
    today = timezone.localdate()
    default_period = period_containing(today, chosen.period_type).previous().code if chosen else ""
    period_code = request.GET.get("period", "").strip() or default_period
    root = request.GET.get("under", "").strip() or None
    grant = grant_for(request.user, VIEW_DATA)
    if root is None and not grant.national and len(grant.unit_ids) == 1:
        root = OrgUnit.objects.get(pk=next(iter(grant.unit_ids))).code
    data, error = None, None
    try:
        data = selectors.report_status(request.user, form_code, period_code, root)
    except NotFound:
        if root:
            raise
        error = _("No report form is defined yet.")
    except DomainError as exc:
        error = exc.summary()
    return render(
        request,
        "datavalues/status.html",
        {
            "forms": forms,
            "form_code": form_code,
            "period_code": period_code,
            "under": root or "",
            "data": data,
            "error": error,
            "national": root is None,
            "today": today,
        },
    )


@require_perm(VIEW_DATA)
def template(request):
    """Download the Excel template of a unit or of all units under a city or province."""
    from kieumau.datavalues.excel.template import build_template

    unit = request.GET.get("unit", "").strip() or None
    under = request.GET.get("under", "").strip() or None
    period = request.GET.get("period", "").strip()
    try:
        content = build_template(
            actor=request.user, unit_code=unit, under_code=under, period_code=period
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("datavalues:upload")
    name = f"kieumau-{unit or under}-{period}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_perm(ENTER_DATA)
def upload(request):
    """Upload a filled workbook; it is checked and imported in the background."""
    from kieumau.datavalues.imports import queue_import

    if request.method == "POST":
        upload_file = request.FILES.get("file")
        try:
            job = queue_import(actor=request.user, upload=upload_file)
        except DomainError as exc:
            messages.error(request, exc.summary())
            return redirect("datavalues:upload")
        return redirect("datavalues:import_job", job_id=job.pk)
    jobs = list(ImportJob.objects.filter(created_by=request.user).defer("content")[:20])
    return render(request, "datavalues/upload.html", {"jobs": jobs})


def _own_job(request, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, created_by=request.user).defer("content").first()
    if job is None:
        raise Http404
    return job


@require_perm(ENTER_DATA)
def import_job(request, job_id: int):
    """An import's progress bar and, when finished, its result or its error list (htmx polls)."""
    job = _own_job(request, job_id)
    template_name = "datavalues/_import_job.html" if request.htmx else "datavalues/import_job.html"
    return render(request, template_name, {"job": job})


@require_perm(ENTER_DATA)
def import_errors(request, job_id: int):
    """The refused import's errors as a workbook (sheet, cell, value, reason)."""
    from kieumau.core.errors import Problem
    from kieumau.datavalues.excel.report import error_report_xlsx

    job = _own_job(request, job_id)
    problems = [
        Problem(
            p.get("message", ""),
            p.get("message_en", ""),
            field=p.get("field"),
            row=p.get("row"),
            sheet=p.get("sheet"),
            cell=p.get("cell"),
            value=p.get("value"),
        )
        for p in job.problems
    ]
    response = HttpResponse(
        error_report_xlsx(problems),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.xlsx"'
    return response
