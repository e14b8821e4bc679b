"""Bookkeeping of the scheduler: which daily job ran for which day."""

from django.db import models


class ScheduledRun(models.Model):
    """One run of a daily job for one day; the unique pair makes a job run once per day."""

    job = models.CharField(max_length=200)
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="scheduledrun_unique")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"
