"""Kinds and states of citizen feedback."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    CONDUCT = "conduct", _("Complaint about an officer's conduct")
    PROBLEM = "problem", _("Report of a problem")


class Status(models.TextChoices):
    NEW = "new", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW,)
"""An item in these states still waits for the unit's answer (and can become overdue)."""
