"""Writes of periodic data values: validated as a whole, all or nothing, audited, re-evaluated.

Every entry point (CLI, API, forms, Excel) calls `set_values`, so the same checks and the same
Vietnamese messages apply everywhere, and the scorecard is current the moment a value lands.
"""

from django.db import transaction
from django.db.models import Q

from kieumau.accounts.permissions import ENTER_DATA
from kieumau.accounts.scope import can_act_on_unit
from kieumau.audit.services import record
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.datavalues.models import DataValue
from kieumau.datavalues.parsing import parse_value
from kieumau.engine import PeriodError, parse_period
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion


def resolve_period(code: str):
    """A Period from its code, or ValidationFailed with the engine's Vietnamese reason."""
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc


def resolve_unit(actor, code: str, perm: str) -> OrgUnit:
    """The unit if it exists and `perm` is granted on it; NotFound otherwise (same answer)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not can_act_on_unit(actor, perm, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{code}'", f"unit '{code}' not found", field="unit"
        )
    return unit


def _unit_exists_during(unit: OrgUnit, period) -> bool:
    """Whether some version of the unit overlaps the period's days."""
    return (
        OrgUnitVersion.objects.filter(unit=unit, valid_from__lte=period.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period.start))
        .exists()
    )


@transaction.atomic
def set_values(
    *,
    actor,
    unit_code: str,
    period_code: str,
    values: dict[str, object],
    expected_revisions: dict[str, int] | None = None,
    synthetic: bool = False,
    reevaluate: bool = True,
) -> list[DataValue]:
    """Validate and store several values of one unit and period; nothing lands if one is wrong.

    `expected_revisions` (indicator code → revision the editor read, 0 for "was empty") makes a
    concurrent edit a Conflict instead of a silent overwrite.
    """
    unit = resolve_unit(actor, unit_code, ENTER_DATA)
    period = resolve_period(period_code)
    if not _unit_exists_during(unit, period):
        raise ValidationFailed.single(
            f"đơn vị '{unit_code}' không tồn tại trong kỳ {period_code}",
            "unit not active in period",
        )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(values))}
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    for code, raw in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                Problem(f"chỉ tiêu '{code}' không tồn tại", "unknown indicator", field=code)
            )
            continue
        if indicator.period_type != period.period_type:
            problems.append(
                Problem(
                    f"chỉ tiêu '{code}' được báo cáo theo kỳ '{indicator.period_type}', "
                    f"không nhập cho kỳ {period_code}",
                    "wrong period type",
                    field=code,
                )
            )
            continue
        value, problem = parse_value(indicator, raw)
        if problem:
            problems.append(problem)
        else:
            parsed[code] = value
    if problems:
        raise ValidationFailed(problems)
    existing = {
        dv.indicator.code: dv
        for dv in DataValue.objects.select_for_update()
        .filter(unit=unit, period=period_code, indicator__code__in=list(parsed))
        .select_related("indicator")
    }
    conflicts = []
    for code in parsed:
        if expected_revisions is None or code not in expected_revisions:
            continue
        current = existing[code].revision if code in existing else 0
        if current != expected_revisions[code]:
            now = existing[code].value if code in existing else None
            conflicts.append(
                Problem(
                    f"{code}: người khác đã sửa giá trị thành '{now}' sau khi bạn mở biểu mẫu",
                    "changed by someone else",
                    field=code,
                )
            )
    if conflicts:
        raise Conflict(conflicts)
    user = actor if getattr(actor, "pk", None) else None
    saved = []
    for code, value in parsed.items():
        current = existing.get(code)
        if current is not None and current.value == value:
            saved.append(current)
            continue
        before = current.value if current is not None else None
        if current is None:
            current = DataValue.objects.create(
                unit=unit,
                indicator=indicators[code],
                period=period_code,
                value=value,
                updated_by=user,
                is_synthetic=synthetic,
            )
        else:
            current.value = value
            current.revision += 1
            current.updated_by = user
            current.is_synthetic = synthetic
            current.save()
        record(
            actor=actor,
            event="datavalues.value_set",
            target=current,
            unit=unit,
            target_repr=f"{unit.code} {code} {period_code}",
            before={"value": before},
            after={"value": value, "revision": current.revision},
        )
        saved.append(current)
    if reevaluate and saved:
        from kieumau.evaluation.services import reevaluate_after_change

        reevaluate_after_change(unit=unit, period=period, indicator_codes=set(parsed))
    return saved
