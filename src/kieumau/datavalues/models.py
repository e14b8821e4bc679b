"""Periodic data: one value per (unit, indicator, period), with who and when.

`value` holds the typed value as JSON (number, true/false, text, ISO date). `revision` grows on
every change so that two people editing the same value cannot silently overwrite each other.
Every change also leaves an audit entry with the value before and after.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.criteria.models import Indicator
from kieumau.datavalues.choices import (
    LOCKED_STATUSES,
    ImportStatus,
    SubmissionAction,
    SubmissionStatus,
)
from kieumau.orgunits.models import OrgUnit


class DataValue(models.Model):
    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="data_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(max_length=10, db_index=True)
    value = models.JSONField()
    revision = models.PositiveIntegerField(default=1)
    is_synthetic = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "period"], name="datavalue_unique_fact"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.indicator_id}/{self.period}"


class DataSet(models.Model):
    """A report form: which indicators which kinds of unit report, per period type, and when.

    The due date of period P is day `due_day` of the month `due_months_after` months after P's
    last month (the monthly report is due on the 18th of the following month); a province may
    override the day (`DueRule`). Entry opens on the period's first day; when `expiry_days` is
    set, entry closes that many days after the due date (a province administrator re-opens a
    unit's report by unlocking it).
    """

    SCOPE_PATH = "*"

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    period_type = models.CharField(_("period type"), max_length=20)
    unit_kinds = models.JSONField(_("kinds of unit"), default=list)
    due_day = models.PositiveSmallIntegerField(_("due day"), default=18)
    due_months_after = models.PositiveSmallIntegerField(default=1)
    remind_days_before = models.PositiveSmallIntegerField(default=3)
    expiry_days = models.PositiveSmallIntegerField(default=0)
    checks = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    indicators = models.ManyToManyField(
        Indicator, through="DataSetIndicator", related_name="datasets"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class DataSetIndicator(models.Model):
    SCOPE_PATH = "*"

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    section_vi = models.CharField(max_length=300, blank=True)
    section_en = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)
    required = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "indicator"], name="dsi_unique")]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.indicator_id}"


class DueRule(models.Model):
    """A province's own due day for a report form (e.g. the 15th instead of the 18th)."""

    SCOPE_PATH = "province"

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="due_rules")
    province = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    due_day = models.PositiveSmallIntegerField()
    due_months_after = models.PositiveSmallIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "province"], name="duerule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}@{self.province_id}: {self.due_day}"


class Submission(models.Model):
    """One unit's report for one form and period: draft → submitted → approved (or returned).

    `revision` grows on every transition so that two clicks or two approvers cannot both act on
    the same state. `due_date` is fixed when the report is first submitted, so a later change of
    the due rule does not rewrite who was on time.
    """

    SCOPE_PATH = "unit"

    dataset = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(max_length=10)
    status = models.CharField(
        max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=1)
    due_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warnings = models.JSONField(default=list, blank=True)
    reopened = models.BooleanField(
        default=False, help_text="Unlocked by the province: entry allowed after the period closed."
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "unit", "period"], name="submission_unique")
        ]
        indexes = [models.Index(fields=["dataset", "period", "status"])]

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.unit_id}/{self.period}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def on_time(self) -> bool | None:
        if self.submitted_at is None or self.due_date is None:
            return None
        return timezone.localdate(self.submitted_at) <= self.due_date


class SubmissionEvent(models.Model):
    """The report's timeline as people read it: who submitted, returned, approved, and why."""

    SCOPE_PATH = "submission__unit"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=SubmissionAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action}"


class ValueComment(models.Model):
    """A note on one value ("số liệu theo báo cáo của Công an thành phố"), kept with its history."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=10)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_repr = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "period", "indicator"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.indicator_id}/{self.period}"


class ImportJob(models.Model):
    """An uploaded workbook waiting for, being processed by, or done in the background worker.

    The file's bytes are kept so a job killed half-way can be retried; nothing it holds lands
    until the whole workbook validates (one transaction).
    """

    SCOPE_PATH = "root"

    root = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
