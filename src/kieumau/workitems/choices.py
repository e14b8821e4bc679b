"""Kinds of agencies and the states of a work item."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Provincial department (Sở)")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee (UBND)")
    POLICE = "police", _("Police")
    FRONT = "front", _("Fatherland Front and mass organisations")
    MEDIA = "media", _("Press, radio and television")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


STATUS_VI = {
    "open": "mới giao",
    "in_progress": "đang thực hiện",
    "done": "đã hoàn thành",
    "overdue": "quá hạn",
    "cancelled": "đã hủy",
}

ACTIVE = frozenset({ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.OVERDUE})
"""States in which the work is still to be done (and can become overdue)."""

CLOSED = frozenset({ItemStatus.DONE, ItemStatus.CANCELLED})
