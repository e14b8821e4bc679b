"""Criteria sets, their versions (the whole specification as data) and the indicator catalogue.

A version's `spec` is the complete criteria document (the engine's dict format, see
docs/criteria-format.md) and `spec_sha256` its digest. Published versions never change: the
service refuses edits and the digest lets anyone prove a stored result was computed from this
exact text. `Indicator` is the catalogue the data-entry side reads; every imported version
upserts its indicators into it (an indicator's type can never change once values exist).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.criteria.choices import VersionStatus


class Indicator(models.Model):
    SCOPE_PATH = "*"

    code = models.CharField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    value_type = models.CharField(_("value type"), max_length=20)
    unit_vi = models.CharField(max_length=40, blank=True)
    unit_en = models.CharField(max_length=40, blank=True)
    period_type = models.CharField(_("period type"), max_length=20)
    aggregation = models.CharField(_("roll-up"), max_length=20)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    description_vi = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CriteriaSet(models.Model):
    SCOPE_PATH = "*"

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CriteriaVersion(models.Model):
    SCOPE_PATH = "*"

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    provisional = models.BooleanField(default=False)
    spec = models.JSONField()
    spec_sha256 = models.CharField(max_length=64)
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Bumped on every draft edit.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["criteria_set__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "number"], name="criteriaversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set.code} v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.criteria_set.code} v{self.number}"
