"""The home page: who you are, what you can reach."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from kieumau.accounts.models import RoleAssignment


@login_required
def home(request):
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(user=request.user)
        .select_related("unit")
    )
    return render(request, "web/home.html", {"assignments": assignments})
