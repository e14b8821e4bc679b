"""Provincial plans (roadmaps): the document, its baseline, its targets and designated units.

A `Plan` belongs to the province (or city) unit that issued or owns it; everything under it is
read through that unit's scope. Targets are either a share ("≥ 50% by 31/12/2025") or a count
("11/35 by 2025", `base_count` keeping the denominator the document stated, so that a later
reorganisation can be re-based explicitly). `PlanDesignation` names the units the plan builds
in a given year. `NationalTarget` holds the Ministry's targets for every province as data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.orgunits.models import OrgUnit
from kieumau.plans.choices import PlanKind, Population, TargetKind

_USER = settings.AUTH_USER_MODEL


class Plan(models.Model):
    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    number = models.CharField(_("number"), max_length=60)
    title = models.CharField(_("title"), max_length=400)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    population = models.CharField(
        _("units counted"), max_length=20, choices=Population.choices, default=Population.WARDS
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline survey year"), null=True, blank=True
    )
    baseline_text = models.TextField(_("baseline results"), blank=True)
    baseline_numbers = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    warnings = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)
    last_changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "-start_year", "number"]
        indexes = [models.Index(fields=["start_year", "end_year"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PlanTarget(models.Model):
    SCOPE_PATH = "plan__unit"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    base_count = models.PositiveIntegerField(_("stated denominator"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind} {self.value} by {self.due_date}"


class PlanDesignation(models.Model):
    SCOPE_PATH = "plan__unit"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="designations")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="plan_designation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.unit_id} {self.year}"


class NationalTarget(models.Model):
    """The Ministry's target for every province: a share of its wards by a date (a range)."""

    SCOPE_PATH = "*"

    due_date = models.DateField(_("due date"))
    min_share = models.DecimalField(max_digits=5, decimal_places=2)
    max_share = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.min_share}–{self.max_share}% by {self.due_date}"
