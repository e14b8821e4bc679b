"""Pages of the unit hierarchy: the tree as of a date, a unit with its history, edits."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kieumau.accounts.permissions import MANAGE_UNITS, VIEW_UNITS
from kieumau.accounts.scope import has_perm
from kieumau.core.errors import DomainError, ValidationFailed
from kieumau.core.web import form_errors_from, require_perm
from kieumau.orgunits import selectors, services
from kieumau.orgunits.forms import ReorganisationForm, UnitEditForm
from kieumau.orgunits.models import Reorganisation


def _as_of(request):
    try:
        return selectors.parse_as_of(request.GET.get("as_of")), None
    except ValidationFailed as exc:
        return selectors.parse_as_of(None), exc.summary()


@require_perm(VIEW_UNITS)
def tree(request):
    as_of, error = _as_of(request)
    q = request.GET.get("q", "").strip()
    results = selectors.search_units(request.user, as_of, q) if q else None
    nodes = selectors.children_as_of(request.user, as_of, None)
    return render(
        request,
        "orgunits/tree.html",
        {"as_of": as_of, "nodes": nodes, "error": error, "q": q, "results": results},
    )


@require_perm(VIEW_UNITS)
def tree_children(request, code: str):
    as_of, _error = _as_of(request)
    nodes = selectors.children_as_of(request.user, as_of, code)
    return render(request, "orgunits/tree.html#children", {"as_of": as_of, "nodes": nodes})


@require_perm(VIEW_UNITS)
def unit_detail(request, code: str):
    as_of, error = _as_of(request)
    history = selectors.unit_history(request.user, code)
    version = selectors.version_as_of(request.user, code, as_of)
    requested = as_of
    if version is None and history.versions:
        # The unit did not exist on that date: show it on the nearest day it did exist.
        first, last = history.versions[0], history.versions[-1]
        as_of = (
            first.valid_from if as_of < first.valid_from else last.valid_to - dt.timedelta(days=1)
        )
        version = selectors.version_as_of(request.user, code, as_of)
    context = {
        "as_of": as_of,
        "requested_as_of": requested,
        "error": error,
        "history": history,
        "version": selectors.row_of(version) if version else None,
        "ancestors": selectors.ancestors_as_of(request.user, code, as_of) if version else [],
        "children": selectors.children_as_of(request.user, as_of, code) if version else [],
        "can_edit": has_perm(request.user, MANAGE_UNITS),
    }
    return render(request, "orgunits/unit_detail.html", context)


@require_perm(MANAGE_UNITS)
def unit_edit(request, code: str):
    as_of, _error = _as_of(request)
    version = selectors.version_as_of(request.user, code, as_of)
    initial = {"effective_date": as_of}
    if version is not None:
        initial.update(
            {
                "name": version.name,
                "kind": version.kind,
                "parent_code": version.parent.code if version.parent_id else "",
            }
        )
    form = UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_unit(actor=request.user, code=code, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The change was recorded."))
            return redirect(f"/units/{code}/?as_of={form.cleaned_data['effective_date']:%Y-%m-%d}")
    return render(
        request, "orgunits/unit_edit.html", {"form": form, "code": code, "version": version}
    )


@require_perm(MANAGE_UNITS)
def reorganise(request):
    form = ReorganisationForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            reorg = services.reorganise_from_file(
                actor=request.user, data=upload.read(), file_name=upload.name
            )
        except DomainError as exc:
            problems = exc.messages()
        else:
            messages.success(
                request,
                _("Reorganisation applied: %(rows)s rows.")
                % {"rows": reorg.summary.get("rows", 0)},
            )
            return redirect("orgunits:reorganise")
    history = Reorganisation.objects.visible_to(request.user, MANAGE_UNITS)[:20]
    return render(
        request,
        "orgunits/reorganise.html",
        {"form": form, "problems": problems, "history": history},
    )
