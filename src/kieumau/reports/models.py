"""Generated official reports and their schedules.

A `GeneratedReport` is one run of a report kind with its parameters (unit, year, month or half,
number, date): who asked, when, its state and progress, and the files written (Word, Excel,
PDF) with their SHA-256. The same parameters over the same data give the same bytes, so a
stored hash proves a file is the one generated. A `ReportSchedule` asks for a report kind for a
unit on a day of every month; the daily scheduler job turns it into generated reports.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.orgunits.models import OrgUnit
from kieumau.reports.choices import ReportKind, ReportStatus


class GeneratedReport(models.Model):
    SCOPE_PATH = "unit"

    kind = models.CharField(_("report kind"), max_length=20, choices=ReportKind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    files = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_repr = models.CharField(max_length=200, blank=True)
    schedule = models.ForeignKey(
        "ReportSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} {self.parameters}"


class ReportSchedule(models.Model):
    SCOPE_PATH = "unit"

    kind = models.CharField(_("report kind"), max_length=20, choices=ReportKind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    day_of_month = models.PositiveSmallIntegerField(_("day of month"))
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "kind"]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} day {self.day_of_month}"
