"""Sending notifications: one in-app row per person, and an e-mail through Django's backend."""

import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from kieumau.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(*, users, kind: str, subject: str, body: str = "", url: str = "", key: str = "") -> int:
    """Notify each active user once; returns how many notifications were new.

    Protects people from duplicate reminders: with `key`, a (key, user) pair is sent at most
    once, however often the caller runs. The e-mail goes out only after the row commits, so a
    rolled-back transaction never e-mails about something that did not happen; a failing mail
    server is logged and does not undo the in-app notification.
    """
    sent = 0
    for user in users:
        if not user.is_active:
            continue
        dedupe = f"{key}:{user.pk}"[:200] if key else None
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user,
                    kind=kind,
                    subject=subject[:300],
                    body=body,
                    url=url,
                    dedupe_key=dedupe,
                )
        except IntegrityError:
            continue
        sent += 1
        if user.email:
            transaction.on_commit(lambda n=note, to=user.email: _email(n, to))
    return sent


def _email(note: Notification, to: str) -> None:
    """Send one notification by e-mail and remember that it went out."""
    try:
        send_mail(note.subject, f"{note.body}\n\n{note.url}".strip(), None, [to])
    except Exception:
        log.exception("e-mail to %s failed for notification %s", to, note.pk)
        return
    Notification.objects.filter(pk=note.pk).update(emailed=True)


def mark_read(*, actor, notification_id: int | None = None) -> int:
    """Mark one (or all) of the actor's own notifications read; others' are never touched."""
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())
