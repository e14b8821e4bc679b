"""Writes of plans: the document, its targets and its designated units.

Every function authorises MANAGE_PLANS on the plan's unit (NotFound out of scope, the same
answer as for a plan that does not exist), validates, writes in one transaction, re-checks the
plan's consistency (`targets.check_plan`: the warnings are stored on the plan and shown on its
page, in Vietnamese) and leaves an audit entry. Editing the document takes the revision the
editor saw; a stale save is refused with what changed since.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from kieumau.accounts.permissions import MANAGE_PLANS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.audit.services import record
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Level
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from kieumau.plans.choices import PlanKind, Population, TargetKind
from kieumau.plans.models import Plan, PlanDesignation, PlanTarget
from kieumau.plans.structure import Structure
from kieumau.plans.targets import TargetInput, check_plan

DOC_FIELDS = (
    "kind",
    "number",
    "title",
    "issued_on",
    "issuer",
    "start_year",
    "end_year",
    "population",
    "baseline_year",
    "baseline_text",
    "baseline_numbers",
    "note",
)
FIELD_VI = {
    "kind": "loại văn bản",
    "number": "số hiệu",
    "title": "trích yếu",
    "issued_on": "ngày ban hành",
    "issuer": "cơ quan ban hành",
    "start_year": "năm bắt đầu",
    "end_year": "năm kết thúc",
    "population": "đơn vị được tính",
    "baseline_year": "năm khảo sát",
    "baseline_text": "kết quả khảo sát",
    "baseline_numbers": "số liệu khảo sát",
    "note": "ghi chú",
}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _actor_repr(actor) -> str:
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def _unit_for_plan(actor, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=(code or "").strip()).first()
    if unit is None or not can_act_on_unit(actor, MANAGE_PLANS, unit.pk):
        raise NotFound.single(f"không tìm thấy đơn vị '{code}'", "unit not found", field="unit")
    if not OrgUnitVersion.objects.filter(
        unit=unit, level__in=(Level.PROVINCE, Level.DISTRICT)
    ).exists():
        raise ValidationFailed.single(
            "kế hoạch phải thuộc một tỉnh, thành phố",
            "the plan's unit must be a province or city",
            field="unit",
        )
    return unit


def locked_plan(actor, plan_id: int) -> Plan:
    """The plan locked for update if the actor manages its unit; NotFound otherwise."""
    plan = Plan.objects.select_for_update().select_related("unit").filter(pk=plan_id).first()
    if plan is None or not can_act_on_unit(actor, MANAGE_PLANS, plan.unit_id):
        raise NotFound.single("không tìm thấy kế hoạch", "plan not found")
    return plan


def _clean_doc(data: dict) -> dict:
    problems = []
    out = {}
    for key in DOC_FIELDS:
        if key in data:
            value = data[key]
            out[key] = value.strip() if isinstance(value, str) else value
    if "kind" in out and out["kind"] not in PlanKind.values:
        problems.append(Problem("loại văn bản không hợp lệ", "invalid kind", field="kind"))
    if "population" in out and out["population"] not in Population.values:
        problems.append(Problem("cách tính đơn vị không hợp lệ", "invalid", field="population"))
    for key in ("number", "title"):
        if key in out and not out[key]:
            problems.append(Problem(f"chưa nhập {FIELD_VI[key]}", f"{key} required", field=key))
    for key in ("start_year", "end_year", "baseline_year"):
        if key not in out:
            continue
        if out[key] in ("", None):
            out[key] = None
            if key != "baseline_year":
                problems.append(Problem(f"chưa nhập {FIELD_VI[key]}", f"{key} required", field=key))
            continue
        try:
            out[key] = int(out[key])
        except (TypeError, ValueError):
            out[key] = -1
        if not 2000 <= out[key] <= 2100:
            problems.append(Problem(f"{FIELD_VI[key]} không hợp lệ", f"invalid {key}", field=key))
    if "baseline_numbers" in out:
        numbers = out["baseline_numbers"] or {}
        if not isinstance(numbers, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in numbers.values()
        ):
            problems.append(
                Problem(
                    "số liệu khảo sát phải là các cặp tên – số",
                    "baseline numbers must map names to numbers",
                    field="baseline_numbers",
                )
            )
        out["baseline_numbers"] = numbers
    for key in ("issuer", "baseline_text", "note"):
        if key in out and out[key] is None:
            out[key] = ""
    if problems:
        raise ValidationFailed(problems)
    return out


def _snapshot(plan: Plan) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in ((k, getattr(plan, k)) for k in DOC_FIELDS)
    }


def refresh_warnings(plan: Plan) -> list[dict]:
    """Re-check the plan's period, targets and designations; store and return the warnings."""
    targets = list(plan.targets.all())
    by_year: dict[int, int] = {}
    for year in plan.designations.values_list("year", flat=True):
        by_year[year] = by_year.get(year, 0) + 1
    totals = {}
    for t in targets:
        structure = Structure(t.due_date)
        root = plan.unit_id if plan.unit_id in structure.units else None
        if root is None:
            from kieumau.plans.selectors import _root_on

            root, _ = _root_on(plan, structure)
        totals[t.due_date] = len(structure.population(root, plan.population)) if root else 0
    warnings = check_plan(
        start_year=plan.start_year,
        end_year=plan.end_year,
        targets=[
            TargetInput(t.kind, t.value, t.due_date, t.base_count, label=t.note) for t in targets
        ],
        designations_by_year=by_year,
        total_by_date=totals,
    )
    plan.warnings = [{"code": w.code, "message": w.message} for w in warnings]
    Plan.objects.filter(pk=plan.pk).update(warnings=plan.warnings)
    return plan.warnings


@transaction.atomic
def create_plan(*, actor, unit_code: str, **data) -> Plan:
    """Create a plan document for a province or city the actor manages.

    Protects the register of plans: MANAGE_PLANS on the unit (NotFound otherwise), the
    document's number and title required, years within 2000–2100; contradictions are flagged.
    """
    unit = _unit_for_plan(actor, unit_code)
    clean = _clean_doc({"population": Population.WARDS, **data})
    for key in ("kind", "start_year", "end_year", "number", "title"):
        if clean.get(key) in (None, ""):
            raise ValidationFailed.single(
                f"chưa nhập {FIELD_VI[key]}", f"{key} required", field=key
            )
    plan = Plan.objects.create(unit=unit, updated_by=_user(actor), **clean)
    refresh_warnings(plan)
    record(actor=actor, event="plans.create", target=plan, unit=unit, after=_snapshot(plan))
    return plan


@transaction.atomic
def update_plan(*, actor, plan_id: int, expected_revision: int | None, **data) -> Plan:
    """Edit a plan document; refused (409) when it changed since the editor read it.

    Protects concurrent editors: the Conflict names who changed what since `expected_revision`.
    """
    plan = locked_plan(actor, plan_id)
    if expected_revision is not None and int(expected_revision) != plan.revision:
        changes = plan.last_changes or {}
        what = ", ".join(
            f"{FIELD_VI.get(k, k)}: {v[0]} → {v[1]}" for k, v in changes.get("fields", {}).items()
        )
        raise Conflict.single(
            f"kế hoạch đã được {changes.get('by', 'người khác')} sửa (phiên bản {plan.revision})"
            f" sau khi bạn mở trang" + (f"; đã thay đổi: {what}" if what else "") + "; hãy tải lại",
            "plan changed",
            field="revision",
        )
    clean = _clean_doc(data)
    before = _snapshot(plan)
    for key, value in clean.items():
        setattr(plan, key, value)
    after = _snapshot(plan)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        plan.revision += 1
        plan.updated_at = timezone.now()
        plan.updated_by = _user(actor)
        plan.last_changes = {
            "by": _actor_repr(actor),
            "at": timezone.now().isoformat(),
            "fields": changed,
        }
        plan.save()
        refresh_warnings(plan)
        record(
            actor=actor,
            event="plans.update",
            target=plan,
            unit=plan.unit,
            before=before,
            after=after,
        )
    return plan


def _parse_value(kind: str, value) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("%", "").strip())
    except InvalidOperation:
        raise ValidationFailed.single(
            f"giá trị '{value}' không phải là số", "not a number", field="value"
        ) from None
    if not number.is_finite() or number < 0:
        raise ValidationFailed.single("giá trị phải là số không âm", "negative", field="value")
    if kind == TargetKind.SHARE and number > 100:
        raise ValidationFailed.single(
            "tỷ lệ không được vượt quá 100%", "share > 100", field="value"
        )
    if kind == TargetKind.COUNT and number != number.to_integral_value():
        raise ValidationFailed.single(
            "số đơn vị phải là số nguyên", "count not integer", field="value"
        )
    return number


@transaction.atomic
def add_target(
    *,
    actor,
    plan_id: int,
    kind: str,
    value,
    due_date: dt.date,
    base_count: int | None = None,
    note: str = "",
) -> tuple[PlanTarget, list[dict]]:
    """Add a share or count target to a plan; returns it with the plan's warnings after it.

    Protects the figures: a share is 0–100, a count a whole number not above its stated
    denominator; a target outside the plan's period or out of reach of the yearly designations
    is saved but flagged, with the reason in Vietnamese.
    """
    plan = locked_plan(actor, plan_id)
    if kind not in TargetKind.values:
        raise ValidationFailed.single("loại mục tiêu không hợp lệ", "invalid kind", field="kind")
    if not isinstance(due_date, dt.date):
        raise ValidationFailed.single(
            "chưa nhập ngày mục tiêu", "due date required", field="due_date"
        )
    number = _parse_value(kind, value)
    if base_count in ("", None):
        base_count = None
    else:
        base_count = int(base_count)
        if base_count <= 0:
            raise ValidationFailed.single("mẫu số phải lớn hơn 0", "base <= 0", field="base_count")
        if kind == TargetKind.COUNT and number > base_count:
            raise ValidationFailed.single(
                f"số đơn vị {number} vượt quá mẫu số {base_count}", "count > base", field="value"
            )
    target = PlanTarget.objects.create(
        plan=plan,
        kind=kind,
        value=number,
        due_date=due_date,
        base_count=base_count,
        note=note[:300],
    )
    warnings = refresh_warnings(plan)
    record(
        actor=actor,
        event="plans.target_add",
        target=target,
        unit=plan.unit,
        after={"kind": kind, "value": str(number), "due": due_date.isoformat(), "base": base_count},
    )
    return target, warnings


@transaction.atomic
def remove_target(*, actor, plan_id: int, target_id: int) -> list[dict]:
    """Remove one target of a plan the actor manages; returns the plan's warnings after it."""
    plan = locked_plan(actor, plan_id)
    target = plan.targets.filter(pk=target_id).first()
    if target is None:
        raise NotFound.single("không tìm thấy mục tiêu", "target not found")
    before = {"kind": target.kind, "value": str(target.value), "due": target.due_date.isoformat()}
    target.delete()
    record(actor=actor, event="plans.target_remove", target=plan, unit=plan.unit, before=before)
    return refresh_warnings(plan)


@transaction.atomic
def designate_units(*, actor, plan_id: int, year: int, unit_codes: list[str]) -> list[dict]:
    """Name the units the plan builds in `year` (all or nothing); returns the plan's warnings.

    Protects the roadmap: each unit must exist, be commune-level, lie in the plan's unit as of
    that year (or have been there: merged units keep their history) and not be designated in
    another year of the same plan. A year outside the plan's period is saved but flagged.
    """
    plan = locked_plan(actor, plan_id)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationFailed.single(f"năm '{year}' không hợp lệ", "invalid year", field="year")
    codes = list(dict.fromkeys(c.strip() for c in unit_codes if c and c.strip()))
    if not codes:
        raise ValidationFailed.single("chưa chọn đơn vị nào", "no units", field="units")
    from kieumau.orgunits.models import OrgUnitClosure

    inside = set(
        OrgUnitClosure.objects.filter(ancestor_id=plan.unit_id).values_list(
            "descendant_id", flat=True
        )
    )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    commune = set(
        OrgUnitVersion.objects.filter(
            unit__code__in=codes, kind__in=COMMUNE_LEVEL_KINDS
        ).values_list("unit__code", flat=True)
    )
    existing = dict(
        PlanDesignation.objects.filter(plan=plan, unit__code__in=codes).values_list(
            "unit__code", "year"
        )
    )
    problems = []
    for code in codes:
        unit = units.get(code)
        if unit is None or unit.pk not in inside:
            problems.append(
                Problem(
                    f"không tìm thấy đơn vị '{code}' trong địa bàn kế hoạch",
                    "unit not found",
                    field=code,
                )
            )
        elif code not in commune:
            problems.append(
                Problem(f"'{code}' không phải đơn vị cấp xã", "not commune-level", field=code)
            )
        elif code in existing and existing[code] != year:
            problems.append(
                Problem(
                    f"'{code}' đã được chọn xây dựng năm {existing[code]}",
                    "already designated",
                    field=code,
                )
            )
    if problems:
        raise ValidationFailed(problems)
    new = [code for code in codes if code not in existing]
    PlanDesignation.objects.bulk_create(
        [PlanDesignation(plan=plan, unit=units[c], year=year) for c in new]
    )
    record(
        actor=actor,
        event="plans.designate",
        target=plan,
        unit=plan.unit,
        after={"year": year, "units": new},
    )
    return refresh_warnings(plan)


@transaction.atomic
def remove_designation(*, actor, plan_id: int, unit_code: str) -> list[dict]:
    """Take a unit off the plan's roadmap; returns the plan's warnings after it."""
    plan = locked_plan(actor, plan_id)
    row = plan.designations.filter(unit__code=unit_code).first()
    if row is None:
        raise NotFound.single(f"'{unit_code}' không có trong lộ trình", "designation not found")
    year = row.year
    row.delete()
    record(
        actor=actor,
        event="plans.undesignate",
        target=plan,
        unit=plan.unit,
        before={"year": year, "unit": unit_code},
    )
    return refresh_warnings(plan)
