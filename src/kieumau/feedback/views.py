"""Staff pages of the feedback app under /feedback/: items and answers, statistics and the
indicator computation, survey results, QR posters, province settings, forums.

Views stay thin: reads through `feedback.selectors` (404 out of scope), writes through
`feedback.services` (which authorise again). A refused write renders the page again with the
Vietnamese messages and status 400 (409 for a conflict); a successful one redirects.
"""

import datetime as dt
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kieumau.accounts.permissions import MANAGE_FEEDBACK, VIEW_FEEDBACK
from kieumau.accounts.scope import has_perm
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import require_perm, status_of
from kieumau.feedback import selectors, services
from kieumau.feedback.choices import Kind, Status


def _report(request, exc: DomainError) -> None:
    for message in exc.messages():
        messages.error(request, message)


def _offset(value) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _day(text) -> dt.date | None:
    text = str(text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# -- items -------------------------------------------------------------------------------------
@require_perm(VIEW_FEEDBACK)
@require_safe
def item_list(request):
    """Feedback items in the user's scope, filtered by unit, status, kind and overdue."""
    get = request.GET
    listing = selectors.item_list(
        request.user,
        under=get.get("under"),
        status=get.get("status"),
        kind=get.get("kind"),
        overdue=get.get("overdue") == "1",
        offset=_offset(get.get("offset")),
    )
    return render(
        request,
        "feedback/list.html",
        {
            "listing": listing,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "provinces": selectors.managed_provinces(request.user),
            "own_units": selectors.own_units(request.user),
        },
    )


@require_perm(VIEW_FEEDBACK)
@require_http_methods(["GET", "HEAD", "POST"])
def item_page(request, pk: int):
    """One item; those who answer for its unit see the contact details and the answer form."""
    detail = selectors.item_detail(request.user, pk)
    status = 200
    typed: dict = {}
    if request.method == "POST":
        if not detail.can_answer:
            raise Http404
        typed = request.POST
        action = request.POST.get("action", "answer")
        try:
            if action == "close":
                services.close_item(actor=request.user, item_id=pk)
            else:
                justified = {"1": True, "0": False}.get(request.POST.get("justified", ""))
                revision = request.POST.get("revision", "")
                services.answer_item(
                    actor=request.user,
                    item_id=pk,
                    answer=request.POST.get("answer", ""),
                    justified=justified,
                    close=request.POST.get("close") == "1",
                    revision=int(revision) if revision.isdigit() else None,
                )
        except NotFound:
            raise
        except DomainError as exc:
            _report(request, exc)
            status = status_of(exc)
            detail = selectors.item_detail(request.user, pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("feedback:item", pk=pk)
    return render(
        request,
        "feedback/item.html",
        {"detail": detail, "item": detail.item, "typed": typed, "conduct": Kind.CONDUCT},
        status=status,
    )


# -- statistics --------------------------------------------------------------------------------
@require_perm(VIEW_FEEDBACK)
@require_safe
def stats(request):
    """Response rate, answer times and survey results per unit for a period."""
    get = request.GET
    status = 200
    try:
        period = selectors.period_of(get.get("period"))
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        period, status = selectors.period_of(""), 400
    rows = selectors.unit_stats_rows(request.user, under=get.get("under"), period=period)
    return render(
        request,
        "feedback/stats.html",
        {
            "rows": rows,
            "period": period,
            "filters": {"under": get.get("under", ""), "period": get.get("period", "")},
            "provinces": selectors.managed_provinces(request.user),
            "can_compute": has_perm(request.user, MANAGE_FEEDBACK),
        },
        status=status,
    )


@require_perm(MANAGE_FEEDBACK)
@require_POST
def compute(request):
    """Write the period's feedback indicators (criteria 7.2, 7.3) for a province or unit."""
    under = request.POST.get("under", "").strip()
    period = request.POST.get("period", "").strip()
    try:
        result = services.compute_indicators(actor=request.user, period=period, under=under or None)
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
    else:
        messages.success(
            request,
            _("Indicator values written for %(n)s unit(s) for %(period)s.")
            % {"n": len(result.written), "period": result.period},
        )
        for code, reason in sorted(result.skipped.items()):
            messages.warning(request, f"{code}: {reason}")
        for code, problems in sorted(result.refused.items()):
            messages.error(request, f"{code}: {'; '.join(problems)}")
    query = "?" + urlencode({"period": period, "under": under}) if period or under else ""
    return redirect(reverse("feedback:stats") + query)


@require_perm(VIEW_FEEDBACK)
@require_safe
def unit_survey(request, code: str):
    """One unit's survey for a period: each question's mean and spread, the latest comments."""
    status = 200
    try:
        period = selectors.period_of(request.GET.get("period"))
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        period, status = selectors.period_of(""), 400
    results = selectors.survey_results(request.user, code, period)
    return render(
        request, "feedback/unit_survey.html", {"results": results, "period": period}, status=status
    )


@require_perm(VIEW_FEEDBACK)
@require_http_methods(["GET", "HEAD", "POST"])
def poster(request, code: str):
    """The printable poster of a unit: its short address and QR code; POST opens the page."""
    page = selectors.poster_page(request.user, code)
    if request.method == "POST":
        if not page.can_open:
            raise Http404
        try:
            services.open_channel(actor=request.user, unit_code=code)
        except NotFound:
            raise
        except DomainError as exc:
            _report(request, exc)
            return render(request, "feedback/poster.html", {"page": page}, status=status_of(exc))
        return redirect("feedback:poster", code=code)
    url = qr = None
    if page.channel is not None:
        url = request.build_absolute_uri(reverse("public:landing", args=[page.channel.code]))
        # The SVG is generated by segno from our own URL (no user text): safe to inline.
        qr = mark_safe(segno.make(url, error="m").svg_inline(scale=8, omitsize=True))
    return render(request, "feedback/poster.html", {"page": page, "url": url, "qr": qr})


@require_perm(MANAGE_FEEDBACK)
@require_http_methods(["GET", "HEAD", "POST"])
def province_settings(request, code: str):
    """A province's answer deadline, minimum sample size and survey questions."""
    page = selectors.settings_page(request.user, code)
    status = 200
    typed: dict = {}
    if request.method == "POST":
        typed = request.POST
        try:
            services.save_settings(
                actor=request.user,
                province_code=code,
                answer_days=request.POST.get("answer_days", ""),
                min_sample=request.POST.get("min_sample", ""),
                questions=request.POST.get("questions", "").splitlines(),
            )
        except NotFound:
            raise
        except DomainError as exc:
            _report(request, exc)
            status = status_of(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("feedback:settings", code=code)
    return render(
        request,
        "feedback/settings.html",
        {"page": page, "typed": typed, "questions_text": "\n".join(page.questions)},
        status=status,
    )


# -- forums ------------------------------------------------------------------------------------
@require_perm(VIEW_FEEDBACK)
@require_http_methods(["GET", "HEAD", "POST"])
def forum_list(request):
    """Forums "Công an lắng nghe ý kiến Nhân dân" in scope; the form to record one."""
    status = 200
    typed: dict = {}
    if request.method == "POST":
        typed = request.POST
        try:
            session = services.record_forum(
                actor=request.user,
                unit_code=request.POST.get("unit", "").strip(),
                held_on=_day(request.POST.get("held_on")),
                attendees=request.POST.get("attendees", ""),
                place=request.POST.get("place", ""),
                notes=request.POST.get("notes", ""),
                issues=request.POST.get("issues", "").splitlines(),
            )
        except NotFound:
            raise
        except DomainError as exc:
            _report(request, exc)
            status = status_of(exc)
        else:
            return redirect("feedback:forum", pk=session.pk)
    listing = selectors.forum_list(
        request.user, under=request.GET.get("under"), offset=_offset(request.GET.get("offset"))
    )
    return render(
        request,
        "feedback/forums.html",
        {"listing": listing, "typed": typed, "today": timezone.localdate()},
        status=status,
    )


@require_perm(VIEW_FEEDBACK)
@require_http_methods(["GET", "HEAD", "POST"])
def forum_page(request, pk: int):
    """One forum, its issues and their follow-up tasks; add an issue or create a task."""
    detail = selectors.forum_detail(request.user, pk)
    status = 200
    if request.method == "POST":
        if not detail.can_edit:
            raise Http404
        try:
            if request.POST.get("action") == "task":
                issue = request.POST.get("issue", "")
                services.create_followup(
                    actor=request.user,
                    issue_id=int(issue) if issue.isdigit() else 0,
                    due_date=_day(request.POST.get("due_date")),
                    title=request.POST.get("title", ""),
                )
            else:
                services.add_forum_issue(
                    actor=request.user, session_id=pk, text=request.POST.get("text", "")
                )
        except NotFound:
            raise
        except DomainError as exc:
            _report(request, exc)
            status = status_of(exc)
            detail = selectors.forum_detail(request.user, pk)
        else:
            return redirect("feedback:forum", pk=pk)
    return render(
        request,
        "feedback/forum.html",
        {"detail": detail, "default_due": timezone.localdate() + dt.timedelta(days=30)},
        status=status,
    )
