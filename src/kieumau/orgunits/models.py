"""The unit hierarchy with history.

`OrgUnit` is a unit's stable identity (its code). Everything that changes over time — name, kind,
parent, status — lives in `OrgUnitVersion` rows with [valid_from, valid_to) intervals (valid_to
exclusive, NULL = still in force). Nothing is deleted when units merge or split: the old versions
are closed and `LineageEvent`/`LineageLink` rows say what became of them and on what legal basis.
`OrgUnitClosure` is a derived reachability table (ancestor "ever contained" descendant, directly or
through a predecessor) used only for access scope.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.orgunits.choices import EventKind, Kind, Level, Status
from kieumau.orgunits.querysets import OrgUnitVersionQuerySet


class OrgUnit(models.Model):
    SCOPE_PATH = ""

    code = models.CharField(_("code"), max_length=40, unique=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented for demonstration, not a real unit.")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.code


class Reorganisation(models.Model):
    """One applied reorganisation file: all its events landed together or not at all."""

    SCOPE_PATH = None

    name = models.CharField(_("name"), max_length=200)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict)
    applied_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return self.name


class LineageEvent(models.Model):
    """A dated change to the hierarchy with its legal basis (document number and date)."""

    SCOPE_PATH = "unit"

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="events")
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    legal_basis_date = models.DateField(_("legal basis date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(default=False)
    reorganisation = models.ForeignKey(
        Reorganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["unit", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} {self.effective_date}"


class OrgUnitVersion(models.Model):
    """A unit's name, kind, parent and status over one interval of time."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="child_versions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    event = models.ForeignKey(
        LineageEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )

    objects = OrgUnitVersionQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"], name="orgunitversion_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="orgunitversion_interval_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "valid_from", "valid_to"]),
            models.Index(fields=["valid_from", "valid_to"]),
            models.Index(fields=["level", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from}–{self.valid_to or '…'}]"


class LineageLink(models.Model):
    """Predecessor → successor of a merge or split event."""

    SCOPE_PATH = "successor"

    event = models.ForeignKey(LineageEvent, on_delete=models.PROTECT, related_name="links")
    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="predecessor_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "predecessor", "successor"], name="lineagelink_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


class OrgUnitClosure(models.Model):
    """Derived: `ancestor` contained `descendant` at some time (self included). Scope only."""

    ancestor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="closure_unique")
        ]
        indexes = [models.Index(fields=["descendant", "ancestor"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} ⊇ {self.descendant_id}"
