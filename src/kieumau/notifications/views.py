"""The notification inbox: read, follow, mark read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kieumau.notifications.selectors import notifications_of
from kieumau.notifications.services import mark_read


@login_required
def inbox(request):
    rows = list(notifications_of(request.user)[:200])
    return render(request, "notifications/inbox.html", {"notifications": rows})


@login_required
@require_POST
def read(request):
    raw = request.POST.get("id", "")
    mark_read(actor=request.user, notification_id=int(raw) if raw.isdigit() else None)
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:inbox")
