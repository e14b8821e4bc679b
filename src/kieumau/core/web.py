"""Shared helpers for HTML views: permission guards and turning domain errors into answers."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from kieumau.accounts.scope import has_perm
from kieumau.core.errors import Conflict, DomainError, NotFound


def require_perm(perm: str):
    """Signed-in users holding `perm` somewhere; anyone else gets 404 (no hint the page exists)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_perm(request.user, perm):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.summary()) from exc

        return wrapper

    return decorator


def form_errors_from(form, exc) -> None:
    """Attach a DomainError's problems to a Django form (field errors where a field is named)."""
    for problem in exc.problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.located())


def status_of(exc: DomainError) -> int:
    """The HTTP status a refused write answers with on a page (409 conflict, else 400)."""
    return 409 if isinstance(exc, Conflict) else 400
