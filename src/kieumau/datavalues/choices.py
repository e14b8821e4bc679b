"""States of a unit's periodic report and the actions on its timeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


LOCKED_STATUSES = frozenset({SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED})
"""While a report is in one of these states its values cannot change (unlock first)."""


class SubmissionAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    UNLOCK = "unlock", _("Unlocked")
    COMMENT = "comment", _("Comment")


# Fixed Vietnamese words for the services' messages (which are Vietnamese in every language, with
# English beside them): the UI labels above are past participles in the active language and do
# not fit "không thể … báo cáo" or "báo cáo … đã …".
STATUS_VI = {
    SubmissionStatus.DRAFT: "dự thảo",
    SubmissionStatus.SUBMITTED: "đã nộp",
    SubmissionStatus.RETURNED: "bị trả lại",
    SubmissionStatus.APPROVED: "đã duyệt",
}
ACTION_VI = {
    SubmissionAction.SUBMIT: "nộp",
    SubmissionAction.APPROVE: "duyệt",
    SubmissionAction.RETURN: "trả lại",
    SubmissionAction.UNLOCK: "mở khóa",
    SubmissionAction.COMMENT: "ghi ý kiến",
}


class CheckKind(models.TextChoices):
    NOT_GREATER = "not_greater", _("Sum of parts does not exceed the total")
    PERCENTAGE = "percentage", _("Stated percentage agrees with its parts")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")
