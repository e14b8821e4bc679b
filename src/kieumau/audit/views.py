"""The scoped audit viewer with filters (who, what, unit, dates)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from kieumau.accounts.permissions import VIEW_AUDIT
from kieumau.audit.models import AuditEntry
from kieumau.core.errors import ValidationFailed
from kieumau.core.web import require_perm
from kieumau.orgunits.selectors import parse_as_of


@require_perm(VIEW_AUDIT)
def audit_list(request):
    entries = AuditEntry.objects.visible_to(request.user, VIEW_AUDIT).select_related("unit")
    filters = {
        k: request.GET.get(k, "").strip() for k in ("actor", "event", "unit", "since", "until")
    }
    errors = []
    if filters["actor"]:
        entries = entries.filter(actor_repr__icontains=filters["actor"])
    if filters["event"]:
        entries = entries.filter(event__startswith=filters["event"])
    if filters["unit"]:
        entries = entries.filter(unit__code=filters["unit"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[key]:
            try:
                entries = entries.filter(**{lookup: parse_as_of(filters[key])})
            except ValidationFailed as exc:
                errors.append(exc.summary())
    page = Paginator(entries.order_by("-seq"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "filters": filters, "errors": errors})
