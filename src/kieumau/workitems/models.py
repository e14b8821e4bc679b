"""Agencies and the work items (tasks) assigned to them or to units.

An `Agency` (Sở Tài chính, UBND thành phố …) belongs to a province unit; `AgencyMember` ties an
agency officer's account to it. A `WorkItem` concerns one unit (`unit`, its scope: a province
administrator sees the items about units in their province) and is assigned to an agency or to
a unit. Agency officers hold their role on the province, but `WorkItemQuerySet.visible_to`
narrows what they see to their own agencies' items — the chokepoint, so no view can forget.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.orgunits.models import OrgUnit
from kieumau.workitems.choices import AgencyKind, ItemStatus

_USER = settings.AUTH_USER_MODEL


class Agency(models.Model):
    SCOPE_PATH = "province"

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    province = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="agencies")
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["province__code", "name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="agency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AgencyMember(models.Model):
    """An agency officer's account works for this agency (their tasks are its tasks)."""

    SCOPE_PATH = "agency__province"

    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="agency_memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="members")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="agency_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.agency_id}"


class WorkItemQuerySet(ScopedQuerySet):
    def visible_to(self, actor, perm: str):
        """The unit scope of `perm`, narrowed to their own agencies' items for agency officers.

        A grant that comes only from an `agency_officer` role admits an item when the item is
        assigned to one of the actor's agencies (AgencyMember) inside that province; any other
        role's grant admits every item about a unit in its subtree.
        """
        from kieumau.workitems.access import agency_filter

        rows = super().visible_to(actor, perm)
        narrowing = agency_filter(actor, perm)
        return rows if narrowing is None else rows.filter(narrowing)


class WorkItem(models.Model):
    SCOPE_PATH = "unit"

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="work_items")
    assignee_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    assignee_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_items"
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    criterion_code = models.CharField(_("criterion"), max_length=20, blank=True)
    origin = models.CharField(max_length=120, blank=True, db_index=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    percent = models.PositiveSmallIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    last_changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_agency__isnull=False) | Q(assignee_unit__isnull=False),
                name="workitem_has_assignee",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        """Still to be done and past its due date (whether or not the daily job marked it)."""
        return self.status in (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.OVERDUE) and (
            self.due_date < today
        )


class WorkItemUpdate(models.Model):
    """One progress report on an item: what was done, how far, with evidence (text and a link)."""

    SCOPE_PATH = "item__unit"

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_repr = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    status_after = models.CharField(max_length=20, blank=True)
    evidence_text = models.TextField(blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.percent}%"
