"""Pages of work items: the task board, a task with its progress reports, the create and edit
forms, and the suggested tasks for failing criteria.

Views stay thin: reads through `workitems.selectors` (the chokepoint with the agency
narrowing: 404 out of scope), writes through `workitems.services`, which authorise again.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kieumau.accounts.permissions import (
    MANAGE_PLANS,
    MANAGE_WORKITEMS,
    UPDATE_WORKITEMS,
    VIEW_WORKITEMS,
)
from kieumau.accounts.scope import can_act_on_unit, has_perm
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import form_errors_from, require_perm, status_of
from kieumau.workitems import selectors, services
from kieumau.workitems.access import agency_ids_of
from kieumau.workitems.choices import ACTIVE, ItemStatus
from kieumau.workitems.forms import ItemForm, ProgressForm
from kieumau.workitems.models import WorkItem


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@require_perm(VIEW_WORKITEMS)
@require_http_methods(["GET", "HEAD"])
def board(request):
    """The task board: tasks the user may see (agency officers: their agency's only), filtered
    by agency, state, overdue or due within N days; 50 per page.

    Protects scope: `selectors.item_list` starts from the chokepoint with the agency narrowing.
    """
    get = request.GET
    today = timezone.localdate()
    own = agency_ids_of(request.user)
    agency = get.get("agency", "")
    if "agency" not in get and len(own) == 1:
        agency = str(own[0])
    rows = selectors.item_list(
        request.user,
        agency=_int(agency),
        status=get.get("status") or None,
        overdue=get.get("overdue") == "1",
        due_within=_int(get.get("due_within")),
        under=get.get("under") or None,
        as_of=today,
    )
    page = Paginator(rows, 50).get_page(get.get("page"))
    return render(
        request,
        "workitems/board.html",
        {
            "page": page,
            "today": today,
            "agencies": list(selectors.agencies_for(request.user)),
            "filters": {
                "agency": agency,
                "status": get.get("status", ""),
                "overdue": get.get("overdue", ""),
                "due_within": get.get("due_within", ""),
                "under": get.get("under", ""),
            },
            "statuses": [*ItemStatus.choices],
            "can_manage": has_perm(request.user, MANAGE_WORKITEMS),
        },
    )


def _form(request, data=None, initial=None):
    from kieumau.plans.models import Plan

    plans = Plan.objects.visible_to(request.user, MANAGE_PLANS).select_related("unit")
    return ItemForm(
        data,
        initial=initial,
        agencies=selectors.agencies_for(request.user, MANAGE_WORKITEMS),
        plans=plans,
    )


@require_perm(MANAGE_WORKITEMS)
@require_http_methods(["GET", "HEAD", "POST"])
def item_create(request):
    """Open a task (MANAGE_WORKITEMS); `create_item` checks the unit, agency and plan."""
    form = _form(request, request.POST or None, initial={"unit": request.GET.get("unit", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                item = services.create_item(
                    actor=request.user,
                    title=d["title"],
                    unit=d["unit"],
                    due_date=d["due_date"],
                    description=d["description"],
                    assignee_agency=d["assignee_agency"],
                    assignee_unit=d["assignee_unit"],
                    plan=d["plan"],
                    criterion_code=d["criterion_code"],
                )
            except DomainError as exc:
                form_errors_from(form, exc)
                status = status_of(exc)
            else:
                messages.success(request, _("Task created."))
                return redirect("workitems:item", pk=item.pk)
        else:
            status = 400
    return render(request, "workitems/form.html", {"form": form, "item": None}, status=status)


def _item_page(request, item: WorkItem, *, form=None, status=200):
    can_update = item.status in ACTIVE and can_act_on_unit(
        request.user, UPDATE_WORKITEMS, item.unit_id
    )
    return render(
        request,
        "workitems/item.html",
        {
            "item": item,
            "updates": list(selectors.item_updates(item)),
            "overdue": item.is_overdue(timezone.localdate()),
            "can_update": can_update,
            "can_manage": can_act_on_unit(request.user, MANAGE_WORKITEMS, item.unit_id),
            "form": form
            or ProgressForm(initial={"percent": item.percent, "revision": item.revision}),
        },
        status=status,
    )


@require_perm(VIEW_WORKITEMS)
@require_http_methods(["GET", "HEAD", "POST"])
def item_detail(request, pk: int):
    """A task with its progress reports; POST reports progress (note, %, evidence, done).

    Protects other agencies' work: the item is read through the narrowed chokepoint (404), and
    `report_progress` checks UPDATE_WORKITEMS, the agency narrowing and the revision again.
    """
    item = selectors.get_item(request.user, pk)
    if request.method != "POST":
        return _item_page(request, item)
    if not has_perm(request.user, UPDATE_WORKITEMS):
        raise Http404
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, form=form, status=400)
    d = form.cleaned_data
    try:
        services.report_progress(
            actor=request.user,
            item_id=item.pk,
            note=d["note"],
            percent=d["percent"],
            done=d["done"],
            evidence_text=d["evidence_text"],
            evidence_link=d["evidence_link"],
            expected_revision=d.get("revision"),
        )
    except NotFound:
        raise
    except DomainError as exc:
        form_errors_from(form, exc)
        return _item_page(
            request, selectors.get_item(request.user, pk), form=form, status=status_of(exc)
        )
    messages.success(request, _("Progress reported."))
    return redirect("workitems:item", pk=item.pk)


@require_perm(MANAGE_WORKITEMS)
@require_http_methods(["GET", "HEAD", "POST"])
def item_edit(request, pk: int):
    """Edit a task (MANAGE_WORKITEMS on its unit); a stale save is refused with what changed."""
    item = selectors.get_item(request.user, pk)
    if not can_act_on_unit(request.user, MANAGE_WORKITEMS, item.unit_id):
        raise Http404
    initial = {
        "title": item.title,
        "description": item.description,
        "unit": item.unit.code,
        "assignee_agency": item.assignee_agency_id,
        "assignee_unit": item.assignee_unit.code if item.assignee_unit_id else "",
        "due_date": item.due_date,
        "criterion_code": item.criterion_code,
        "plan": item.plan_id,
        "status": item.status if item.status != ItemStatus.OVERDUE else ItemStatus.OPEN,
        "revision": item.revision,
    }
    form = _form(request, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.update_item(
                    actor=request.user,
                    item_id=item.pk,
                    expected_revision=d.get("revision"),
                    title=d["title"],
                    description=d["description"],
                    due_date=d["due_date"],
                    assignee_agency=d["assignee_agency"],
                    assignee_unit=d["assignee_unit"],
                    criterion_code=d["criterion_code"],
                    plan=d["plan"],
                    status=d.get("status") or None,
                )
            except NotFound:
                raise
            except DomainError as exc:
                form_errors_from(form, exc)
                status = status_of(exc)
            else:
                messages.success(request, _("Task saved."))
                return redirect("workitems:item", pk=item.pk)
        else:
            status = 400
    return render(request, "workitems/form.html", {"form": form, "item": item}, status=status)


@require_perm(MANAGE_WORKITEMS)
@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request):
    """Tasks proposed for units failing criteria in a year (from the suggestion table); POST
    creates the ticked ones, skipping any that already exist.

    Protects scope and the register: proposals cover the user's MANAGE_WORKITEMS scope only
    and are recomputed on POST; each creation goes through `create_item`.
    """
    source = request.POST if request.method == "POST" else request.GET
    year = _int(source.get("year")) or timezone.localdate().year
    under = source.get("under") or None
    if request.method == "POST":
        try:
            created = services.create_suggested(
                actor=request.user, year=year, origins=request.POST.getlist("origin"), under=under
            )
        except NotFound:
            raise
        except DomainError as exc:
            for message in exc.messages():
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)s task(s) created.") % {"n": len(created)})
            return redirect(f"{request.path}?year={year}" + (f"&under={under}" if under else ""))
    proposals = selectors.suggestions(request.user, year, under=under)
    return render(
        request,
        "workitems/suggest.html",
        {"proposals": proposals, "year": year, "under": under or ""},
    )


@require_perm(MANAGE_WORKITEMS)
@require_http_methods(["GET", "HEAD", "POST"])
def agencies(request):
    """The agencies of the user's provinces and who works for each; POST adds an agency
    (action=agency), ties an account to one (action=member) or unties it (action=unmember).

    Protects the agency narrowing: each write goes through a service that checks
    MANAGE_WORKITEMS on the agency's province (404 otherwise); an account must hold a role in
    that province to be tied to its agency.
    """
    from kieumau.workitems.choices import AgencyKind

    status = 200
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        try:
            if action == "agency":
                services.create_agency(
                    actor=request.user,
                    province=post.get("province", ""),
                    name=post.get("name", ""),
                    kind=post.get("kind", ""),
                )
            elif action == "unmember":
                services.remove_member(
                    actor=request.user,
                    agency_id=_int(post.get("agency")) or 0,
                    user_id=_int(post.get("user")) or 0,
                )
            else:
                services.add_member_by_username(
                    actor=request.user,
                    agency_id=_int(post.get("agency")) or 0,
                    username=post.get("username", ""),
                )
        except DomainError as exc:
            for message in exc.messages():
                messages.error(request, message)
            status = 404 if isinstance(exc, NotFound) and action != "member" else 400
        else:
            messages.success(request, _("Agencies saved."))
            return redirect("workitems:agencies")
    return render(
        request,
        "workitems/agencies.html",
        {"agencies": list(selectors.agency_directory(request.user)), "kinds": AgencyKind.choices},
        status=status,
    )
