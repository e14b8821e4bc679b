"""Gathering the engine's inputs from the database: units, periods, readings.

Implements the engine's readings contract (kieumau.engine.readings): the evaluated period, the
same period last year and the previous period, each with the shorter periods that roll up into
them — for a year, those of the criteria version's reporting year (TT 124's 2025 reads the months
2024-12..2025-11); and, for periods in which a unit did not exist yet, the sum over its
predecessors (after a merger, "last year" of a new ward is its old wards together).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from kieumau.criteria.models import Indicator
from kieumau.datavalues.models import DataValue
from kieumau.engine import (
    CALENDAR_YEAR,
    PERIOD_TYPES,
    Period,
    PeriodError,
    Readings,
    ReportingYear,
    Unit,
    VersionSpec,
)
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import LineageLink, OrgUnitVersion
from kieumau.orgunits.querysets import active_on_q

_NUMERIC = (int, float)


def needed_periods(period: Period, reporting_year: ReportingYear = CALENDAR_YEAR) -> list[Period]:
    """The periods whose values an evaluation of `period` may read (with their sub-periods).

    Pass the criteria version's `reporting_year`: a year then reads the months, quarters and
    half-years of that reporting year (the engine asks the same `subperiods_of`), so TT 124's
    2025 fetches 2024-12 and never a missing month silently turns a sum into "thiếu số liệu".
    """
    anchors = [period]
    for step in (period.same_period_last_year, period.previous):
        try:
            anchors.append(step())
        except PeriodError:
            continue
    out: dict[str, Period] = {}
    for anchor in anchors:
        out[anchor.code] = anchor
        for ptype in PERIOD_TYPES:
            try:
                for sub in reporting_year.subperiods_of(anchor, ptype):
                    out[sub.code] = sub
            except PeriodError:
                continue
    return list(out.values())


def engine_unit(unit_id: int, code: str, period: Period) -> Unit | None:
    """The unit as the engine sees it: its kind on the last day it existed within the period."""
    version = (
        OrgUnitVersion.objects.filter(unit_id=unit_id, valid_from__lte=period.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period.start))
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        return None
    last_day = (
        period.end
        if version.valid_to is None
        else min(period.end, version.valid_to - dt.timedelta(days=1))
    )
    return Unit(code=code, kind=version.kind, as_of=last_day)


@dataclass(frozen=True)
class UnitInputs:
    unit_id: int
    unit: Unit
    readings: Readings


def predecessor_map(unit_ids: list[int]) -> dict[int, list[int]]:
    """Direct predecessors of each unit (one query)."""
    preds: dict[int, list[int]] = defaultdict(list)
    for pred, succ in LineageLink.objects.filter(successor_id__in=unit_ids).values_list(
        "predecessor_id", "successor_id"
    ):
        if pred != succ:
            preds[succ].append(pred)
    return preds


def _combine(values: list) -> object:
    """How predecessors' values add up: numbers sum; other values only when they all agree."""
    if all(isinstance(v, _NUMERIC) and not isinstance(v, bool) for v in values):
        return sum(values)
    first = values[0]
    return first if all(v == first for v in values) else None


def readings_for_units(
    unit_ids: list[int], period: Period, spec: VersionSpec
) -> dict[int, Readings]:
    """Readings for many units at once: two queries whatever the number of units."""
    codes = [p.code for p in needed_periods(period, spec.reporting_year)]
    indicator_codes = [i.code for i in spec.indicators]
    preds = predecessor_map(unit_ids)
    all_ids = set(unit_ids) | {p for ps in preds.values() for p in ps}
    code_of = dict(Indicator.objects.filter(code__in=indicator_codes).values_list("id", "code"))
    raw: dict[int, dict[tuple[str, str], object]] = defaultdict(dict)
    for unit_id, ind, per, value in DataValue.objects.filter(
        unit_id__in=all_ids, period__in=codes, indicator_id__in=list(code_of)
    ).values_list("unit_id", "indicator_id", "period", "value"):
        raw[unit_id][(code_of[ind], per)] = value
    out: dict[int, Readings] = {}
    for unit_id in unit_ids:
        data = dict(raw.get(unit_id, {}))
        for key in {k for p in preds.get(unit_id, ()) for k in raw.get(p, {})}:
            if key in data or key[1] == period.code:
                continue
            parts = [raw[p][key] for p in preds[unit_id] if key in raw.get(p, {})]
            combined = _combine(parts)
            if combined is not None:
                data[key] = combined
        out[unit_id] = Readings(data)
    return out


def evaluable_units(root_id: int | None, period: Period) -> list[tuple[int, str, Unit]]:
    """Commune-level units in force on the period's last day (optionally under a root)."""
    from kieumau.orgunits.selectors import subtree_ids

    versions = OrgUnitVersion.objects.filter(active_on_q(period.end), kind__in=COMMUNE_LEVEL_KINDS)
    if root_id is not None:
        versions = versions.filter(unit_id__in=subtree_ids(root_id, period.end))
    return [
        (unit_id, code, Unit(code=code, kind=kind, as_of=period.end))
        for unit_id, code, kind in versions.values_list("unit_id", "unit__code", "kind").order_by(
            "unit__code"
        )
    ]
