"""Pages of the annual assessment: case lists, the case page, the register, the national view.

Views stay thin: they parse the request, call a selector or a service and render. Every read
goes through `assessments.selectors` (404 out of scope); every write through a service, which
authorises again. A refused write renders the case page again with the services' Vietnamese
messages and the refusal's status (400 incomplete or invalid, 409 conflict: the case changed or
the action is not possible in its current state); a successful one redirects (post/redirect/get).
"""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kieumau.accounts.permissions import REGISTER_CASES, SELF_ASSESS, VIEW_ASSESSMENTS
from kieumau.accounts.scope import can_act_on_unit, grant_for, has_perm
from kieumau.assessments import selectors
from kieumau.assessments.choices import EDITABLE, CaseAction, CaseStatus, Decision, SelfStatus
from kieumau.assessments.services import (
    agree_remaining,
    decide_criterion,
    register_cases,
    save_self_assessment,
)
from kieumau.assessments.workflow import add_comment, case_url, transition
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import require_perm, status_of

_CODES = re.compile(r"[\s,;]+")
ACTION_ORDER = ("submit", "forward", "approve", "return", "refuse", "revoke", "withdraw")


def _int_or_none(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _report(request, exc: DomainError) -> None:
    for message in exc.messages():
        messages.error(request, message)


# -- the case list and the register form -------------------------------------------------------
@require_perm(VIEW_ASSESSMENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def case_list(request):
    """The cases the user may read, filtered by year, state, province and city/unit; the
    register form for those who register cases.

    Protects scope: the list comes from `selectors.case_list` (out-of-scope filters answer
    404); a POST (registering units for a year) needs REGISTER_CASES somewhere (404 otherwise)
    and `register_cases` checks each unit against the user's scope, all or nothing.
    """
    typed = {}
    status = 200
    if request.method == "POST":
        if not has_perm(request.user, REGISTER_CASES):
            raise Http404
        typed = {"units": request.POST.get("units", ""), "year": request.POST.get("year", "")}
        codes = [c for c in _CODES.split(typed["units"]) if c]
        try:
            year = selectors.parse_year(typed["year"], required=True)
            cases = register_cases(actor=request.user, unit_codes=codes, year=year)
        except DomainError as exc:
            _report(request, exc)
            status = status_of(exc)
        else:
            messages.success(
                request,
                _("Registered %(n)s unit(s) for %(year)s.") % {"n": len(cases), "year": year},
            )
            return redirect(f"{reverse('assessments:index')}?year={year}")
    get = request.GET
    try:
        listing = selectors.case_list(
            request.user,
            year=get.get("year"),
            status=get.get("status"),
            under=get.get("under"),
            province=get.get("province"),
            offset=_int_or_none(get.get("offset")) or 0,
        )
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        listing, status = None, 400
    year = listing.filters["year"] if listing else None
    today = timezone.localdate()
    return render(
        request,
        "assessments/list.html",
        {
            "listing": listing,
            "statuses": CaseStatus.choices,
            "provinces": selectors.provinces_on(
                request.user, selectors.year_end(year) if year else today
            ),
            "filters": {k: get.get(k, "") for k in ("year", "status", "under", "province")},
            "can_register": has_perm(request.user, REGISTER_CASES),
            "typed": typed,
            "default_year": today.year,
            "waiting": selectors.open_cases_for(request.user),
            "national": grant_for(request.user, VIEW_ASSESSMENTS).national,
        },
        status=status,
    )


# -- the case page -----------------------------------------------------------------------------
def _case_page(request, pk: int, *, status: int = 200, typed: dict | None = None):
    """Render the case page for `pk` (404 out of scope); `typed` keeps a refused form's input."""
    detail = selectors.case_detail(request.user, pk)
    typed = typed or {}
    own, council = typed.get("self") or {}, typed.get("decide") or {}
    for crit in detail.criteria:
        # What each criterion's forms show: the stored answer, or what was just typed when
        # the save of that criterion was refused (nothing the user wrote is lost).
        crit.form = (
            own
            if own.get("code") == crit.code
            else {
                "self_status": crit.self_status,
                "narrative": crit.narrative,
                "no_evidence_reason": crit.no_evidence_reason,
                "evidence": [e.pk for e in crit.evidence.all()],
            }
        )
        crit.decide_form = (
            council
            if council.get("code") == crit.code
            else {"decision": crit.decision, "reason": crit.decision_reason}
        )
    actions = [a for a in ACTION_ORDER if a in detail.actions]
    return render(
        request,
        "assessments/case.html",
        {
            "detail": detail,
            "case": detail.case,
            "actions": actions,
            "can_recognise": "recognise" in detail.actions,
            "typed": typed or {},
            "self_choices": SelfStatus.choices,
            "decision_choices": Decision.choices,
            "evidence_list_url": selectors.evidence_list_url(detail.case.unit.code),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_perm(VIEW_ASSESSMENTS)
@require_safe
def case_detail(request, pk: int):
    """The case page: criteria by group with, side by side, the evaluation, the unit's
    self-assessment and the appraisal; the actions open to the user; the timeline.

    Protects scope and roles: reads through `selectors.case_detail` (404 out of scope); forms
    appear only for what the user may do now, and each write is authorised again by its service.
    """
    return _case_page(request, pk)


@require_perm(VIEW_ASSESSMENTS)
@require_safe
def dossier(request, pk: int):
    """The printable dossier list of a case: what the Ministry receives with the proposal.

    Every criterion with the unit's answer, the council's decision and the evidence files by
    name, size and SHA-256 (or the written reason why none exists), under the case's snapshot
    digest, so the paper copy can be checked against the system. Read-only, scoped like the
    case page (404 out of scope).
    """
    detail = selectors.case_detail(request.user, pk)
    files = {e.pk: e for c in detail.criteria for e in c.evidence.all()}
    return render(
        request,
        "assessments/dossier.html",
        {
            "detail": detail,
            "case": detail.case,
            "files": sorted(files.values(), key=lambda e: (e.title or e.filename).lower()),
            "today": timezone.localdate(),
        },
    )


@require_perm(VIEW_ASSESSMENTS)
@require_POST
def self_assess(request, pk: int, code: str):
    """Save the unit's self-assessment of one criterion (status, narrative, evidence or the
    reason there is none), optionally uploading a new evidence file with it.

    Protects the case: `save_self_assessment` checks SELF_ASSESS on the unit (404 otherwise),
    the state (409 unless draft or returned) and the criterion's revision the user saw (409 when
    someone saved it since); an upload goes through `store_evidence` (type, size and scope
    checks) and only when the criterion is editable by the user.
    """
    case = selectors.get_case(request.user, pk)
    evidence_ids = [int(v) for v in request.POST.getlist("evidence") if v.isdigit()]
    typed = {
        "code": code,
        "self_status": request.POST.get("self_status", ""),
        "narrative": request.POST.get("narrative", ""),
        "no_evidence_reason": request.POST.get("no_evidence_reason", ""),
        "evidence": evidence_ids,
    }
    upload = request.FILES.get("file")
    stored = None
    try:
        if upload is not None and (
            case.status in EDITABLE and can_act_on_unit(request.user, SELF_ASSESS, case.unit_id)
        ):
            from kieumau.assessments.evidence import store_evidence

            stored = store_evidence(
                actor=request.user,
                unit_code=case.unit.code,
                upload=upload,
                title=request.POST.get("file_title", ""),
            )
            evidence_ids.append(stored.pk)
        save_self_assessment(
            actor=request.user,
            case_id=case.pk,
            code=code,
            self_status=typed["self_status"],
            narrative=typed["narrative"],
            no_evidence_reason=typed["no_evidence_reason"],
            evidence_ids=evidence_ids,
            expected_revision=_int_or_none(request.POST.get("revision")),
        )
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        if stored is not None:
            messages.info(
                request,
                _(
                    "The uploaded file was kept among the unit's evidence; it is ticked below, "
                    "save the criterion again."
                ),
            )
        return _case_page(request, pk, status=status_of(exc), typed={"self": typed})
    messages.success(request, _("Criterion %(code)s saved.") % {"code": code})
    return redirect(f"{case_url(case)}#c-{code}")


@require_perm(VIEW_ASSESSMENTS)
@require_POST
def decide(request, pk: int, code: str):
    """Record the appraisal council's decision on one criterion: agree, or disagree with a reason.

    Protects the appraisal: `decide_criterion` checks APPRAISE_CASES on the unit (404
    otherwise), the state (409 unless under the province's appraisal), the appraiser's
    independence from the case and the criterion's revision (409 when it changed).
    """
    case = selectors.get_case(request.user, pk)
    typed = {
        "code": code,
        "decision": request.POST.get("decision", ""),
        "reason": request.POST.get("reason", ""),
    }
    try:
        decide_criterion(
            actor=request.user,
            case_id=case.pk,
            code=code,
            decision=typed["decision"],
            reason=typed["reason"],
            expected_revision=_int_or_none(request.POST.get("revision")),
        )
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        return _case_page(request, pk, status=status_of(exc), typed={"decide": typed})
    messages.success(request, _("Decision on criterion %(code)s recorded.") % {"code": code})
    return redirect(f"{case_url(case)}#c-{code}")


@require_perm(VIEW_ASSESSMENTS)
@require_POST
def agree_remaining_view(request, pk: int):
    """Agree with every criterion the council has not decided yet, in one click.

    Protects the appraisal like one decision: `agree_remaining` checks APPRAISE_CASES (404),
    the state (409) and independence (400), and leaves decided criteria as they are.
    """
    case = selectors.get_case(request.user, pk)
    try:
        codes = agree_remaining(actor=request.user, case_id=case.pk)
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        return _case_page(request, pk, status=status_of(exc))
    messages.success(
        request,
        _("Agreed with %(n)s criteria: %(codes)s.") % {"n": len(codes), "codes": ", ".join(codes)},
    )
    return redirect(case_url(case))


@require_perm(VIEW_ASSESSMENTS)
@require_POST
def act(request, pk: int):
    """Take one transition of the case (submit, forward, return, approve, recognise, refuse,
    revoke, withdraw) with a comment or reason and, for a recognition, the Ministry's decision.

    Protects the state machine: `workflow.transition` checks the permission (404), the case
    revision the page was built from and the current state (409 with the state), the reason,
    the independence of reviewers and completeness (400 with the list of what is missing).
    """
    case = selectors.get_case(request.user, pk)
    action = request.POST.get("action", "")
    typed = {
        "action": action,
        "comment": request.POST.get("comment", ""),
        "number": request.POST.get("decision_number", ""),
        "date": request.POST.get("decision_date", ""),
        "signer": request.POST.get("decision_signer", ""),
        "year": request.POST.get("decision_year", ""),
    }
    decision = None
    if action == CaseAction.RECOGNISE:
        decision = {
            "number": typed["number"],
            "date": selectors.parse_day(typed["date"]),
            "signer": typed["signer"],
            "year": _int_or_none(typed["year"]) or typed["year"] or None,
        }
    try:
        case = transition(
            actor=request.user,
            case_id=case.pk,
            action=action,
            expected_revision=_int_or_none(request.POST.get("revision")),
            comment=typed["comment"],
            decision=decision,
        )
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        return _case_page(request, pk, status=status_of(exc), typed={"act": typed})
    messages.success(
        request,
        _("Done: %(action)s. The case is now: %(status)s.")
        % {"action": CaseAction(action).label, "status": case.get_status_display()},
    )
    return redirect(case_url(case))


@require_perm(VIEW_ASSESSMENTS)
@require_POST
def comment(request, pk: int):
    """Add a comment to the case's timeline.

    Protects scope: anyone who may read the case may comment; `add_comment` checks that again
    (404 out of scope) and refuses an empty or over-long comment (400).
    """
    case = selectors.get_case(request.user, pk)
    text = request.POST.get("comment", "")
    try:
        add_comment(actor=request.user, case_id=case.pk, comment=text)
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        return _case_page(request, pk, status=status_of(exc), typed={"comment": text})
    messages.success(request, _("Comment added."))
    return redirect(f"{case_url(case)}#timeline")


# -- the register and the national view --------------------------------------------------------
def _year_param(request) -> str:
    return (request.GET.get("year") or str(timezone.localdate().year - 1)).strip()


@require_perm(VIEW_ASSESSMENTS)
@require_safe
def recognised(request):
    """The register of units recognised for a year (?year=2025, default last year), with the
    Ministry's decision number, date and signer.

    Protects scope: `selectors.recognised_register` reads through `visible_to`; a province sees
    its own register, the Ministry the nation's. A bad year is a message, not a crash.
    """
    year_text = _year_param(request)
    rows, status = [], 200
    under = request.GET.get("under", "").strip()
    try:
        rows = selectors.recognised_register(request.user, year_text, under=under)
    except NotFound:
        raise
    except DomainError as exc:
        _report(request, exc)
        status = 400
    return render(
        request,
        "assessments/recognised.html",
        {
            "rows": rows,
            "year": year_text,
            "under": under,
            "count": sum(1 for r in rows if not r.revoked),
        },
        status=status,
    )


@require_perm(VIEW_ASSESSMENTS)
@require_safe
def national(request):
    """The national view of a year's cases (?year=2025): per province, registered, submitted,
    under appraisal, returned, proposed, recognised and refused, with the nation's total.

    Protects scope: counts only cases the user may read (`selectors.national_view`), so a
    province reads its own line and the Ministry every province.
    """
    year_text = _year_param(request)
    data, status = None, 200
    try:
        data = selectors.national_view(request.user, year_text)
    except DomainError as exc:
        _report(request, exc)
        status = 400
    return render(
        request,
        "assessments/national.html",
        {"data": data, "year": year_text},
        status=status,
    )
