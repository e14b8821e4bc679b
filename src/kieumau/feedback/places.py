"""Where units sit: their names, their province, their province's feedback rules (few queries)."""

import datetime as dt

from django.db.models import Q

from kieumau.feedback.models import DEFAULT_ANSWER_DAYS, DEFAULT_MIN_SAMPLE, FeedbackSettings
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import OrgUnitVersion


def names_of(unit_ids, day: dt.date) -> dict[int, str]:
    """Each unit's name on `day` (or its last name before it, for a unit that has ended)."""
    out: dict[int, str] = {}
    for uid, name in (
        OrgUnitVersion.objects.filter(unit_id__in=list(unit_ids), valid_from__lte=day)
        .order_by("unit_id", "valid_from")
        .values_list("unit_id", "name")
    ):
        out[uid] = name
    return out


def province_ids(unit_ids, day: dt.date) -> dict[int, int | None]:
    """Each unit's province on `day` (two queries whatever the number of units).

    A unit that has ended is placed by its last version; a province is its own province.
    """
    unit_ids = list(unit_ids)
    own: dict[int, tuple[int | None, int]] = {}
    for uid, parent, level in (
        OrgUnitVersion.objects.filter(unit_id__in=unit_ids, valid_from__lte=day)
        .order_by("unit_id", "valid_from")
        .values_list("unit_id", "parent_id", "level")
    ):
        own[uid] = (parent, level)
    upper = {
        uid: (parent, level)
        for uid, parent, level in OrgUnitVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            level__lte=Level.DISTRICT,
        ).values_list("unit_id", "parent_id", "level")
    }
    out: dict[int, int | None] = {}
    for uid in unit_ids:
        node, current = uid, own.get(uid)
        out[uid] = None
        for _step in range(6):
            if current is None:
                break
            parent, level = current
            if level == Level.PROVINCE:
                out[uid] = node
                break
            if level < Level.PROVINCE or parent is None:
                break
            node, current = parent, upper.get(parent)
    return out


def rules_of(province_ids_) -> dict[int, tuple[int, int]]:
    """(answer days, minimum sample) per province; the defaults where a province set none."""
    wanted = {p for p in province_ids_ if p is not None}
    stored = {
        s.province_id: (s.answer_days, s.min_sample)
        for s in FeedbackSettings.objects.filter(province_id__in=wanted)
    }
    return {p: stored.get(p, (DEFAULT_ANSWER_DAYS, DEFAULT_MIN_SAMPLE)) for p in wanted}


def rules_for_unit(unit_id: int, day: dt.date) -> tuple[int | None, int, int]:
    """(province id, answer days, minimum sample) that apply to one unit on `day`."""
    province = province_ids([unit_id], day)[unit_id]
    if province is None:
        return None, DEFAULT_ANSWER_DAYS, DEFAULT_MIN_SAMPLE
    days, sample = rules_of([province])[province]
    return province, days, sample
