"""Periodic data: one value per (unit, indicator, period), with who and when.

`value` holds the typed value as JSON (number, true/false, text, ISO date). `revision` grows on
every change so that two people editing the same value cannot silently overwrite each other.
Every change also leaves an audit entry with the value before and after.
"""

from django.conf import settings
from django.db import models

from kieumau.core.querysets import ScopedQuerySet
from kieumau.criteria.models import Indicator
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
