"""Kinds of plan documents, of targets, and which units a plan's shares are counted over."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution (Nghị quyết)")
    SCHEME = "scheme", _("Scheme (Đề án)")
    PLAN = "plan", _("Plan (Kế hoạch)")
    DIRECTIVE = "directive", _("Directive (Chỉ thị)")


KIND_VI = {
    "resolution": "Nghị quyết",
    "scheme": "Đề án",
    "plan": "Kế hoạch",
    "directive": "Chỉ thị",
}


class Population(models.TextChoices):
    """The units a share is counted over, within the plan's unit as of the target date."""

    WARDS = "wards", _("Wards")
    COMMUNE_LEVEL = "commune_level", _("All commune-level units")


class TargetKind(models.TextChoices):
    SHARE = "share", _("Share of units (%)")
    COUNT = "count", _("Number of units")
