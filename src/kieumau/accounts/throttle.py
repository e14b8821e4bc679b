"""Login throttling shared by every app process (the failures live in the database)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kieumau.accounts.models import LoginFailure


def _window_start():
    return timezone.now() - dt.timedelta(seconds=settings.KIEUMAU_LOGIN_WINDOW_SECONDS)


def is_locked(username: str, client_ip: str) -> bool:
    """Whether sign-in is refused for this username or address until the window passes.

    Protects accounts against password guessing: N failures for one username, or 4×N from one
    address (spraying many usernames), inside the window.
    """
    since = _window_start()
    limit = settings.KIEUMAU_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    return (
        recent.filter(username__iexact=username).count() >= limit
        or recent.filter(client_ip=client_ip).count() >= 4 * limit
    )


def note_failure(username: str, client_ip: str) -> None:
    LoginFailure.objects.create(username=username[:150], client_ip=client_ip[:64])
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=30)).delete()


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
