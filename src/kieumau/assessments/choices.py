"""States of an assessment case, the actions between them, and the per-criterion decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessment")
    DISTRICT_REVIEW = "district_review", _("District review")
    PROVINCE_REVIEW = "province_review", _("Province appraisal")
    RETURNED = "returned", _("Returned for rework")
    PROPOSED = "proposed", _("Proposed to the Ministry")
    RECOGNISED = "recognised", _("Recognised")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Recognition revoked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STATUS_VI = {
    "draft": "đang tự đánh giá",
    "district_review": "chờ cấp huyện xem xét",
    "province_review": "chờ cấp tỉnh thẩm định",
    "returned": "bị trả lại để hoàn thiện",
    "proposed": "đã đề nghị Bộ công nhận",
    "recognised": "đã được công nhận",
    "refused": "không được công nhận",
    "revoked": "đã bị thu hồi công nhận",
    "withdrawn": "đã rút đăng ký",
}
"""Vietnamese state names used inside messages (independent of the interface language)."""

EDITABLE = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})
"""States in which the unit edits its self-assessment."""


class CaseAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    FORWARD = "forward", _("Forwarded to the province")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved and proposed")
    RECOGNISE = "recognise", _("Recognised")
    REFUSE = "refuse", _("Refused")
    REVOKE = "revoke", _("Revoked")
    WITHDRAW = "withdraw", _("Withdrawn")
    COMMENT = "comment", _("Comment")


class SelfStatus(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")


class Decision(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
