"""Pages of plans: the list, the national roll-up, a plan with its chart, and the edit forms.

Views stay thin: reads through `plans.selectors` (404 out of scope), writes through
`plans.services` (which authorise again). A refused write renders the page again with the
Vietnamese messages and status 400 (409 for a stale edit); a successful one redirects.
"""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kieumau.accounts.permissions import MANAGE_PLANS, VIEW_PLANS
from kieumau.accounts.scope import can_act_on_unit, grant_for, has_perm
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import form_errors_from, require_perm, status_of
from kieumau.orgunits.selectors import parse_as_of
from kieumau.plans import selectors, services
from kieumau.plans.forms import DesignationForm, PlanForm, TargetForm
from kieumau.plans.models import Plan

_CODES = re.compile(r"[\s,;]+")


def _as_of(request):
    try:
        return parse_as_of(request.GET.get("as_of"))
    except DomainError:
        return timezone.localdate()


@require_perm(VIEW_PLANS)
@require_safe
def plan_list(request):
    """The plans the user may read, with their number of targets and designated units.

    Protects scope: `selectors.plan_list` starts from the chokepoint.
    """
    plans = list(selectors.plan_list(request.user, under=request.GET.get("unit") or None))
    return render(
        request,
        "plans/list.html",
        {
            "plans": plans,
            "can_manage": has_perm(request.user, MANAGE_PLANS),
            "national": grant_for(request.user, VIEW_PLANS).national,
        },
    )


@require_perm(VIEW_PLANS)
@require_safe
def national(request):
    """The national roll-up: per province, wards, recognised units and the national targets.

    Protects scope: provinces come through the chokepoint (a province sees its own row).
    """
    as_of = _as_of(request)
    rows = selectors.national_rollup(request.user, as_of)
    targets = selectors.national_targets()
    totals = {
        "wards": sum(r.wards for r in rows),
        "recognised": sum(r.recognised for r in rows),
    }
    return render(
        request,
        "plans/national.html",
        {"rows": rows, "targets": targets, "as_of": as_of, "totals": totals},
    )


def _initial(plan: Plan) -> dict:
    return {
        "unit_code": plan.unit.code,
        "kind": plan.kind,
        "number": plan.number,
        "title": plan.title,
        "issued_on": plan.issued_on,
        "issuer": plan.issuer,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "population": plan.population,
        "baseline_year": plan.baseline_year,
        "baseline_text": plan.baseline_text,
        "note": plan.note,
        "revision": plan.revision,
    }


def _doc(data: dict) -> dict:
    keys = (
        "kind",
        "number",
        "title",
        "issued_on",
        "issuer",
        "start_year",
        "end_year",
        "population",
        "baseline_year",
        "baseline_text",
        "note",
    )
    return {k: data.get(k) for k in keys}


@require_perm(MANAGE_PLANS)
@require_http_methods(["GET", "HEAD", "POST"])
def plan_create(request):
    """Create a plan document for a province or city the user manages (MANAGE_PLANS)."""
    form = PlanForm(request.POST or None, initial={"population": "wards"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.create_plan(
                    actor=request.user, unit_code=data["unit_code"], **_doc(data)
                )
            except DomainError as exc:
                form_errors_from(form, exc)
                status = 400
            else:
                messages.success(request, _("Plan created."))
                return redirect("plans:plan", pk=plan.pk)
        else:
            status = 400
    return render(request, "plans/form.html", {"form": form, "plan": None}, status=status)


@require_perm(MANAGE_PLANS)
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request, pk: int):
    """Edit a plan document; a stale save (someone saved since) is refused with what changed."""
    plan = selectors.get_plan(request.user, pk)
    if not can_act_on_unit(request.user, MANAGE_PLANS, plan.unit_id):
        raise Http404
    form = PlanForm(request.POST or None, initial=_initial(plan))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_plan(
                    actor=request.user,
                    plan_id=plan.pk,
                    expected_revision=data.get("revision"),
                    **_doc(data),
                )
            except NotFound:
                raise
            except DomainError as exc:
                form_errors_from(form, exc)
                status = status_of(exc)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("plans:plan", pk=plan.pk)
        else:
            status = 400
    return render(request, "plans/form.html", {"form": form, "plan": plan}, status=status)


def _plan_page(request, pk: int, *, status=200, target_form=None, designation_form=None):
    overview = selectors.plan_overview(request.user, pk, as_of=_as_of(request))
    plan = overview.plan
    can_manage = can_act_on_unit(request.user, MANAGE_PLANS, plan.unit_id)
    current = [y for y in overview.years if y.year == overview.as_of.year]
    chart = overview.chart_data()
    chart["labels"] = {
        "total": _("Units in force"),
        "required": _("Target (units)"),
        "expected": _("Trajectory"),
        "designated": _("Designated (cumulative)"),
        "recognised": _("Recognised"),
        "meeting": _("Meeting all criteria"),
        "forecast": _("Forecast"),
    }
    return render(
        request,
        "plans/detail.html",
        {
            "overview": overview,
            "plan": plan,
            "chart": chart,
            "current": current[0] if current else None,
            "can_manage": can_manage,
            "target_form": target_form or TargetForm(),
            "designation_form": designation_form
            or DesignationForm(initial={"year": overview.as_of.year}),
        },
        status=status,
    )


@require_perm(VIEW_PLANS)
@require_safe
def plan_detail(request, pk: int):
    """A plan: document, targets re-based on the structure of their date, the target-versus-
    actual chart and table per year, at-risk flags, forecast, and the designated units' status.

    Protects scope: `selectors.plan_overview` reads the plan through the chokepoint (404).
    """
    return _plan_page(request, pk)


@require_perm(MANAGE_PLANS)
@require_POST
def targets(request, pk: int):
    """Add a target (or remove one: action=remove) to a plan the user manages.

    Protects the plan: `services.add_target`/`remove_target` authorise MANAGE_PLANS on the
    plan's unit (404 otherwise) and validate; contradictions are saved but flagged.
    """
    selectors.get_plan(request.user, pk)
    try:
        if request.POST.get("action") == "remove":
            warnings = services.remove_target(
                actor=request.user, plan_id=pk, target_id=int(request.POST.get("target") or 0)
            )
        else:
            form = TargetForm(request.POST)
            if not form.is_valid():
                return _plan_page(request, pk, status=400, target_form=form)
            data = form.cleaned_data
            _target, warnings = services.add_target(
                actor=request.user,
                plan_id=pk,
                kind=data["kind"],
                value=data["value"],
                due_date=data["due_date"],
                base_count=data.get("base_count"),
                note=data.get("note") or "",
            )
    except NotFound:
        raise
    except DomainError as exc:
        form = TargetForm(request.POST)
        form.is_valid()
        form_errors_from(form, exc)
        return _plan_page(request, pk, status=status_of(exc), target_form=form)
    messages.success(request, _("Targets saved."))
    for warning in warnings:
        messages.warning(request, warning["message"])
    return redirect(reverse("plans:plan", args=[pk]) + "#targets")


@require_perm(MANAGE_PLANS)
@require_POST
def designations(request, pk: int):
    """Designate units for a year (or take one off the roadmap: action=remove)."""
    selectors.get_plan(request.user, pk)
    form = DesignationForm(request.POST)
    try:
        if request.POST.get("action") == "remove":
            warnings = services.remove_designation(
                actor=request.user, plan_id=pk, unit_code=request.POST.get("unit", "")
            )
        else:
            if not form.is_valid():
                return _plan_page(request, pk, status=400, designation_form=form)
            warnings = services.designate_units(
                actor=request.user,
                plan_id=pk,
                year=form.cleaned_data["year"],
                unit_codes=[c for c in _CODES.split(form.cleaned_data["units"]) if c],
            )
    except NotFound:
        raise
    except DomainError as exc:
        form.is_valid()
        form_errors_from(form, exc)
        return _plan_page(request, pk, status=status_of(exc), designation_form=form)
    messages.success(request, _("Roadmap saved."))
    for warning in warnings:
        messages.warning(request, warning["message"])
    return redirect(reverse("plans:plan", args=[pk]) + "#designated")
