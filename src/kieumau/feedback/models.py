"""Citizen surveys and feedback of a unit, reached without an account through its public page.

`PublicChannel` gives a commune-level unit its short public address (/p/<code>/) and QR poster.
`SurveyQuestion` rows are the 1–5 scale questions of the satisfaction survey: the national
default set (province empty) unless a province has its own. `SurveyResponse`/`SurveyAnswer`
are the anonymous answers. `FeedbackItem` is one suggestion, conduct complaint or problem
report with its tracking code, optional contact details (personal data: only shown to users
who answer for the unit), the unit's answer and its deadline. `FeedbackSettings` holds a
province's answer deadline and minimum sample size. `ForumSession`/`ForumIssue` record the
forum "Công an lắng nghe ý kiến Nhân dân" and the issues raised there.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.feedback.choices import Kind, Status
from kieumau.orgunits.models import OrgUnit

_USER = settings.AUTH_USER_MODEL

DEFAULT_ANSWER_DAYS = 15
DEFAULT_MIN_SAMPLE = 30


class FeedbackSettings(models.Model):
    """A province's rules for feedback: days to answer, minimum survey sample."""

    SCOPE_PATH = "province"

    province = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="+")
    answer_days = models.PositiveSmallIntegerField(_("days to answer"), default=DEFAULT_ANSWER_DAYS)
    min_sample = models.PositiveIntegerField(_("minimum sample size"), default=DEFAULT_MIN_SAMPLE)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.province_id}: {self.answer_days}d, n≥{self.min_sample}"


class PublicChannel(models.Model):
    """The short public address of one unit (/p/<code>/), printed as a QR code on its poster."""

    SCOPE_PATH = "unit"

    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="public_channel")
    code = models.CharField(max_length=12, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.code} → {self.unit_id}"


class SurveyQuestion(models.Model):
    """One 1–5 scale question; province empty = the national default set."""

    SCOPE_PATH = "*"

    province = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One anonymous answered survey for a unit."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="survey_responses")
    submitted_at = models.DateTimeField(default=timezone.now)
    mean_score = models.FloatField()
    comment = models.TextField(blank=True)
    client_hash = models.CharField(max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["unit", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.submitted_at:%Y-%m-%d} {self.mean_score:.2f}"


class SurveyAnswer(models.Model):
    SCOPE_PATH = "response__unit"

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.score}"


class FeedbackItem(models.Model):
    """One piece of citizen feedback to a unit, followed by its tracking code."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="feedback_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("content"))
    text_digest = models.CharField(max_length=64)
    tracking_code = models.CharField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    client_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    received_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField()
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    justified = models.BooleanField(_("justified"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "received_at"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["unit", "text_digest"]),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.phone or self.email)

    def is_overdue(self, today) -> bool:
        """Still waiting for an answer after its deadline."""
        return self.status == Status.NEW and self.due_date < today


class ForumSession(models.Model):
    """One forum "Công an lắng nghe ý kiến Nhân dân" held by a unit."""

    SCOPE_PATH = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="forum_sessions")
    held_on = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("attendees"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.held_on}"


class ForumIssue(models.Model):
    """An issue raised at a forum; its follow-up task lives in the work items (origin link)."""

    SCOPE_PATH = "session__unit"

    session = models.ForeignKey(ForumSession, on_delete=models.CASCADE, related_name="issues")
    text = models.TextField(_("issue"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def origin(self) -> str:
        """The origin tag of its follow-up work item."""
        return f"forum-issue:{self.pk}"
