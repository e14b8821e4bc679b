"""Assessment cases: a unit's self-assessment for a year, its appraisal and its recognition.

A case is one (unit, year) assessed against one criteria version. Its criteria carry the
self-assessment (status, narrative, evidence or the reason there is none) and the appraisal
(agree, or disagree with a reason). On submission the case freezes a snapshot of what was
submitted — the values, the evaluation result and the evidence hashes — with its SHA-256; the
appraisers work on that snapshot even if the data changes later. Evidence files belong to a unit
and can be reused across criteria and years; they are identified by their SHA-256.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kieumau.assessments.choices import CaseAction, CaseStatus, Decision, SelfStatus
from kieumau.core.querysets import ScopedQuerySet
from kieumau.criteria.models import CriteriaVersion
from kieumau.orgunits.models import OrgUnit

_USER = settings.AUTH_USER_MODEL


class ReviewPath(models.Model):
    """Which review levels a case goes through, by the date it is submitted.

    Seeded with the programme's history: until 28/02/2025 a district (city/town police) review
    preceded the province's appraisal; from 1/3/2025, when districts were abolished, none.
    """

    SCOPE_PATH = "*"

    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="exclusive")
    district_review = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from}–{self.valid_to or '…'} district={self.district_review}"


class EvidenceFile(models.Model):
    """A stored evidence file of a unit; its bytes live in the evidence storage under `path`."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evidence_files")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=300)
    title = models.CharField(_("title"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "sha256"], name="evidence_unique_per_unit")
        ]

    def __str__(self) -> str:
        return self.title or self.filename


class AssessmentCase(models.Model):
    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assessment_cases")
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_version = models.ForeignKey(
        CriteriaVersion, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    district_review = models.BooleanField(default=False)
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_signer = models.CharField(_("signed by"), max_length=200, blank=True)
    recognised_year = models.PositiveSmallIntegerField(null=True, blank=True)
    closing_reason = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessment_case_unique")
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} ({self.status})"


class CaseCriterion(models.Model):
    """One criterion of a case: the unit's self-assessment beside the appraiser's decision."""

    SCOPE_PATH = "case__unit"

    case = models.ForeignKey(AssessmentCase, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20)
    group = models.CharField(max_length=20)
    name_vi = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    evidence_required = models.JSONField(default=list, blank=True)
    evaluated_status = models.CharField(max_length=20, blank=True)
    evaluated_explanation = models.TextField(blank=True)
    self_status = models.CharField(max_length=10, choices=SelfStatus.choices, blank=True)
    narrative = models.TextField(blank=True)
    no_evidence_reason = models.TextField(blank=True)
    evidence = models.ManyToManyField(EvidenceFile, blank=True, related_name="criteria")
    self_assessed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="case_criterion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.code}"


class CaseEvent(models.Model):
    """The case's timeline: transitions and comments, as people read them."""

    SCOPE_PATH = "case__unit"

    case = models.ForeignKey(AssessmentCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=CaseAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
