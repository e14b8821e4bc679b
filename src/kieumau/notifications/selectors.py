"""Reading one's own notifications (nobody reads another person's)."""

from kieumau.notifications.models import Notification


def notifications_of(actor, *, unread_only: bool = False):
    """The actor's notifications, newest first; empty for anonymous visitors."""
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "pk", None):
        return Notification.objects.none()
    rows = Notification.objects.filter(user=actor)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(actor) -> int:
    """How many unread notifications the navigation bar shows."""
    return notifications_of(actor, unread_only=True).count()
