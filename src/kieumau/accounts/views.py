"""Pages for sign-in, user management (scoped) and personal API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kieumau.accounts import services
from kieumau.accounts.forms import (
    RoleGrantForm,
    ThrottledLoginForm,
    TokenCreateForm,
    UserCreateForm,
)
from kieumau.accounts.models import RoleAssignment
from kieumau.accounts.permissions import MANAGE_USERS, VIEW_USERS
from kieumau.accounts.scope import has_perm
from kieumau.accounts.throttle import clear_failures, client_ip, note_failure
from kieumau.audit.services import record
from kieumau.core.errors import DomainError, NotFound
from kieumau.core.web import form_errors_from, require_perm


class LoginView(auth_views.LoginView):
    """Sign-in with throttling; successes and failures are audited."""

    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        clear_failures(form.get_user().get_username())
        with transaction.atomic():
            record(actor=form.get_user(), event="accounts.login", target=form.get_user())
        return response

    def form_invalid(self, form):
        username = (self.request.POST.get("username") or "")[:150]
        if username and not form.has_error("__all__", "locked"):
            note_failure(username, client_ip(self.request))
            with transaction.atomic():
                record(
                    actor=None,
                    event="accounts.login_failed",
                    target_repr=username,
                    after={"username": username, "ip": client_ip(self.request)},
                )
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        with transaction.atomic():
            record(
                actor=self.request.user, event="accounts.password_changed", target=self.request.user
            )
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_perm(VIEW_USERS)
def user_list(request):
    users = (
        services.manageable_users(request.user)
        .prefetch_related("role_assignments__unit")
        .order_by("username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(full_name__icontains=q)
    return render(
        request,
        "accounts/user_list.html",
        {"users": users[:500], "q": q, "can_manage": has_perm(request.user, MANAGE_USERS)},
    )


@require_perm(MANAGE_USERS)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_user(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("User %(user)s created. Initial password (shown once): %(password)s")
                % {"user": user.username, "password": password},
            )
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@require_perm(VIEW_USERS)
def user_detail(request, user_id: int):
    user = services.get_manageable_user(request.user, user_id)
    assignments = (
        RoleAssignment.objects.visible_to(request.user, VIEW_USERS)
        .filter(user=user)
        .select_related("unit")
        .order_by("-valid_from")
    )
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_role(actor=request.user, user_id=user.pk, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "assignments": assignments,
            "form": form,
            "today": timezone.localdate(),
            "can_manage": has_perm(request.user, MANAGE_USERS),
        },
    )


@require_POST
@require_perm(MANAGE_USERS)
def role_end(request, user_id: int, assignment_id: int):
    try:
        services.end_role(actor=request.user, assignment_id=assignment_id, user_id=user_id)
        messages.success(request, _("Role ended."))
    except NotFound as exc:
        raise Http404(exc.summary()) from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect("accounts:user_detail", user_id=user_id)


@require_POST
@require_perm(MANAGE_USERS)
def user_lock(request, user_id: int):
    active = request.POST.get("active") == "1"
    try:
        services.set_active(actor=request.user, user_id=user_id, active=active)
        messages.success(request, _("Account unlocked.") if active else _("Account locked."))
    except NotFound as exc:
        raise Http404(exc.summary()) from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect("accounts:user_detail", user_id=user_id)


@require_POST
@require_perm(MANAGE_USERS)
def user_reset_password(request, user_id: int):
    try:
        password = services.reset_password(actor=request.user, user_id=user_id)
        messages.success(
            request, _("New password (shown once): %(password)s") % {"password": password}
        )
    except NotFound as exc:
        raise Http404(exc.summary()) from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect("accounts:user_detail", user_id=user_id)


@login_required
def tokens(request):
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_token(
            actor=request.user, user=request.user, name=form.cleaned_data["name"]
        )
        form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": request.user.api_tokens.all(), "new_key": new_key},
    )


@require_POST
@login_required
def token_revoke(request, token_id: int):
    try:
        services.revoke_token(actor=request.user, token_id=token_id)
        messages.success(request, _("Token revoked."))
    except NotFound as exc:
        raise Http404(exc.summary()) from exc
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect("accounts:tokens")
