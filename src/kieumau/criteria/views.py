"""Pages of criteria sets: list, a version in full, the rule editor (validated as you type)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kieumau.accounts.permissions import MANAGE_CRITERIA, VIEW_CRITERIA
from kieumau.accounts.scope import has_perm
from kieumau.core.errors import DomainError
from kieumau.core.web import require_perm
from kieumau.criteria import services
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaSet, CriteriaVersion
from kieumau.engine import SpecError, validate_rule, validate_version, version_from_dict


def _version(request, set_code: str, number: int) -> CriteriaVersion:
    version = (
        CriteriaVersion.objects.visible_to(request.user, VIEW_CRITERIA)
        .select_related("criteria_set", "derived_from")
        .filter(criteria_set__code=set_code, number=number)
        .first()
    )
    if version is None:
        raise Http404
    return version


@require_perm(VIEW_CRITERIA)
def set_list(request):
    sets = CriteriaSet.objects.visible_to(request.user, VIEW_CRITERIA).prefetch_related("versions")
    return render(request, "criteria/set_list.html", {"sets": sets})


@require_perm(VIEW_CRITERIA)
def version_detail(request, set_code: str, number: int):
    version = _version(request, set_code, number)
    spec = version.spec
    groups = []
    for group in spec.get("groups", []):
        criteria = [c for c in spec.get("criteria", []) if c.get("group") == group["code"]]
        groups.append({**group, "criteria": criteria})
    problems = []
    if version.status == VersionStatus.DRAFT:
        try:
            problems = list(validate_version(version_from_dict(spec, strict=False)))
        except SpecError as exc:
            problems = list(exc.problems)
    return render(
        request,
        "criteria/version_detail.html",
        {
            "version": version,
            "spec": spec,
            "groups": groups,
            "parameters": sorted(spec.get("parameters", {}).items()),
            "indicators": sorted(spec.get("indicators", {}).items()),
            "problems": problems,
            "can_manage": has_perm(request.user, MANAGE_CRITERIA),
        },
    )


@require_perm(MANAGE_CRITERIA)
def rule_editor(request, set_code: str, number: int, code: str):
    version = _version(request, set_code, number)
    criterion = next((c for c in version.spec.get("criteria", []) if c.get("code") == code), None)
    if criterion is None:
        raise Http404
    if request.method == "POST":
        try:
            services.update_rule(
                actor=request.user,
                version_id=version.pk,
                code=code,
                rule=request.POST.get("rule", ""),
                revision=int(request.POST.get("revision", "0")),
            )
        except DomainError as exc:
            messages.error(request, exc.summary())
            criterion = {**criterion, "rule": request.POST.get("rule", "")}
        else:
            messages.success(request, f"Đã lưu quy tắc tiêu chí {code}.")
            return redirect("criteria:version", set_code=set_code, number=number)
    problems = _rule_problems(version, criterion["rule"])
    return render(
        request,
        "criteria/rule_editor.html",
        {"version": version, "criterion": criterion, "problems": problems},
    )


def _rule_problems(version: CriteriaVersion, rule: str):
    try:
        spec = version_from_dict(version.spec, strict=False)
    except SpecError as exc:
        return list(exc.problems)
    return validate_rule(rule, spec)


@require_POST
@require_perm(MANAGE_CRITERIA)
def rule_validate(request, set_code: str, number: int):
    """htmx: the problems of the rule being typed, with line and column."""
    version = _version(request, set_code, number)
    problems = _rule_problems(version, request.POST.get("rule", ""))
    return render(request, "criteria/rule_editor.html#problems", {"problems": problems})


@require_POST
@require_perm(MANAGE_CRITERIA)
def version_action(request, set_code: str, number: int, action: str):
    version = _version(request, set_code, number)
    operations = {
        "publish": services.publish,
        "retire": services.retire,
        "derive": services.derive_draft,
    }
    if action not in operations:
        raise Http404
    try:
        result = operations[action](actor=request.user, version_id=version.pk)
    except DomainError as exc:
        for message in exc.messages()[:30]:
            messages.error(request, message)
        return redirect("criteria:version", set_code=set_code, number=number)
    messages.success(request, f"{result.label}: {result.get_status_display()}")
    return redirect("criteria:version", set_code=set_code, number=result.number)
