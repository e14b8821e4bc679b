"""Pages: a unit's scorecard, the province matrix (heatmap), and background re-evaluation."""

import contextlib

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kieumau.accounts.permissions import RUN_EVALUATION, VIEW_EVALUATION
from kieumau.accounts.scope import has_perm
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import require_perm
from kieumau.evaluation import selectors
from kieumau.evaluation.models import EvaluationJob
from kieumau.evaluation.services import (
    evaluate_unit_code,
    parse_period_or_fail,
    queue_evaluation_job,
)
from kieumau.orgunits.models import OrgUnit
from kieumau.orgunits.selectors import parse_as_of, version_as_of

STATUS_CLASSES = ("met", "not_met", "missing_data", "not_applicable")


def _period_code(request) -> str:
    return (request.GET.get("period") or str(timezone.localdate().year - 1)).strip()


@require_perm(VIEW_EVALUATION)
def scorecard(request, code: str):
    period_code = _period_code(request)
    error = None
    result = None
    try:
        result = evaluate_unit_code(request.user, code, period_code)
    except NotFound as exc:
        if not OrgUnit.objects.visible_to(request.user, VIEW_EVALUATION).filter(code=code).exists():
            raise
        error = exc.summary()
    except DomainError as exc:
        error = exc.summary()
    history = selectors.history_of(request.user, code)
    period = None
    with contextlib.suppress(DomainError):
        period = parse_period_or_fail(period_code)
    version = version_as_of(request.user, code, period.end if period else timezone.localdate())
    groups = []
    if result:
        for g in result["groups"]:
            groups.append(
                {**g, "criteria": [c for c in result["criteria"] if c["group"] == g["code"]]}
            )
    return render(
        request,
        "evaluation/scorecard.html",
        {
            "code": code,
            "unit_name": version.name if version else code,
            "period": period_code,
            "result": result,
            "groups": groups,
            "history": history,
            "error": error,
        },
    )


@require_perm(VIEW_EVALUATION)
def matrix(request):
    period_code = _period_code(request)
    under = request.GET.get("under", "").strip()
    group = request.GET.get("group", "").strip() or None
    context = {
        "period": period_code,
        "under": under,
        "group": group or "",
        "matrix": None,
        "error": None,
    }
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
        context["as_of"] = as_of
        if under:
            period = parse_period_or_fail(period_code)
            context["matrix"] = selectors.province_matrix(request.user, under, period, as_of, group)
            context["can_run"] = has_perm(request.user, RUN_EVALUATION)
    except NotFound:
        raise
    except DomainError as exc:
        context["error"] = exc.summary()
        context.setdefault("as_of", timezone.localdate())
    context["jobs"] = EvaluationJob.objects.visible_to(
        request.user, VIEW_EVALUATION
    ).select_related("root")[:5]
    return render(request, "evaluation/matrix.html", context)


@require_POST
@require_perm(RUN_EVALUATION)
def start_job(request):
    try:
        job = queue_evaluation_job(
            actor=request.user,
            root_code=request.POST.get("under", "").strip(),
            period_code=request.POST.get("period", "").strip(),
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("evaluation:matrix")
    return redirect("evaluation:job", job_id=job.pk)


@require_perm(VIEW_EVALUATION)
def job_detail(request, job_id: int):
    job = get_object_or_404(
        EvaluationJob.objects.visible_to(request.user, VIEW_EVALUATION).select_related("root"),
        pk=job_id,
    )
    template = "evaluation/job.html#progress" if request.htmx else "evaluation/job.html"
    return render(request, template, {"job": job})
