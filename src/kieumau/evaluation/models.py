"""Stored evaluation results and background evaluation jobs.

A result names the criteria version it was computed with and the digest of exactly the inputs
the engine read, so any past score can be reproduced and explained. `result` holds the whole
explained outcome (what the API returns); `statuses` ({criterion code: status}) feeds the
heatmap without decoding the rest.
"""

from django.conf import settings
from django.db import models

from kieumau.core.querysets import ScopedQuerySet
from kieumau.criteria.models import CriteriaVersion
from kieumau.orgunits.models import OrgUnit


class EvaluationResult(models.Model):
    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evaluations")
    period = models.CharField(max_length=10)
    criteria_version = models.ForeignKey(
        CriteriaVersion, on_delete=models.PROTECT, related_name="+"
    )
    input_digest = models.CharField(max_length=64)
    met = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    missing_data = models.PositiveSmallIntegerField(default=0)
    model_standard = models.BooleanField()
    statuses = models.JSONField()
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "criteria_version"], name="evaluation_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "criteria_version"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.met}/{self.total}"


class EvaluationJob(models.Model):
    """A background re-evaluation of a subtree, with progress for the progress bar."""

    SCOPE_PATH = "root"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    root = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"job {self.pk} {self.root_id} {self.period} {self.status}"

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total)
            if self.total
            else (100 if self.status == "done" else 0)
        )
