"""Excel templates for one unit, or for every commune-level unit under a city or province.

`build_template` decides what the workbook holds — one data sheet per applicable form and
period, the units in force, the indicators of each form by section, the values already stored —
reading only what the actor may see, then hands the plan to `sheets` for rendering.
"""

import io
from collections.abc import Sequence

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.workbook.protection import WorkbookProtection

from kieumau.accounts.permissions import VIEW_DATA
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.datavalues.excel import layout as L
from kieumau.datavalues.excel.sheets import (
    Column,
    Lists,
    Row,
    SheetPlan,
    write_data_sheet,
    write_meta_sheet,
)
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import DataSetIndicator, DataValue
from kieumau.engine import Period, PeriodError, parse_period
from kieumau.evaluation.inputs import evaluable_units
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion

MAX_TEMPLATE_PERIODS = 12
"""One workbook holds at most a year of months: enough for catching up, small enough to open."""


def _periods(codes: Sequence[str]) -> list[Period]:
    """The requested periods, each valid, no duplicates, at most MAX_TEMPLATE_PERIODS.

    Protects the caller from a typo landing as an empty workbook: a bad code is refused with the
    engine's Vietnamese reason (field "period", so the CLI exits 2).
    """
    if not codes:
        raise ValidationFailed.single("thiếu kỳ báo cáo", "missing period", field="period")
    out: list[Period] = []
    for code in codes:
        try:
            period = parse_period(code)
        except PeriodError as exc:
            raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc
        if period not in out:
            out.append(period)
    if len(out) > MAX_TEMPLATE_PERIODS:
        raise ValidationFailed.single(
            f"một biểu mẫu chứa tối đa {MAX_TEMPLATE_PERIODS} kỳ (đã chọn {len(out)})",
            "too many periods",
            field="period",
        )
    return out


def _root(actor, code: str) -> OrgUnit:
    """The unit named by the request, if the actor may view its data; NotFound otherwise.

    Protects other provinces' data: a unit outside the actor's view scope and a unit that does
    not exist get the same answer.
    """
    unit = OrgUnit.objects.visible_to(actor, VIEW_DATA).filter(code=code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{code}'", f"unit '{code}' not found", field="unit"
        )
    return unit


def _versions_during(unit_ids: list[int], period: Period) -> dict[int, OrgUnitVersion]:
    """Each unit's last version that overlaps the period (name and kind as the period ended)."""
    out: dict[int, OrgUnitVersion] = {}
    for version in (
        OrgUnitVersion.objects.filter(unit_id__in=unit_ids, valid_from__lte=period.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period.start))
        .order_by("unit_id", "valid_from")
    ):
        out[version.unit_id] = version
    return out


def _units(root: OrgUnit, single: bool, period: Period) -> list[tuple[int, str, str, str]]:
    """(id, code, kind, name) of the units of the template for one period, by code.

    One unit: that unit if it existed during the period. Under a root: the commune-level units
    in force on the period's last day in the root's subtree (as the evaluation sees them).
    """
    ids = [root.pk] if single else [uid for uid, _c, _u in evaluable_units(root.pk, period)]
    versions = _versions_during(ids, period)
    codes = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "code"))
    rows = [(uid, codes[uid], versions[uid].kind, versions[uid].name) for uid in versions]
    return sorted(rows, key=lambda r: r[1])


def _columns(catalog: FormCatalog) -> dict[int, dict[int, Column]]:
    """Form id → indicator id → Column, for every active form (two queries)."""
    ids = {i for form in catalog.forms.values() for i in form.indicator_ids}
    indicators = Indicator.objects.in_bulk(list(ids))
    required = {
        (ds, ind): req
        for ds, ind, req in DataSetIndicator.objects.filter(
            dataset_id__in=list(catalog.forms)
        ).values_list("dataset_id", "indicator_id", "required")
    }
    out: dict[int, dict[int, Column]] = {}
    for form in catalog.forms.values():
        out[form.pk] = {}
        for ind_id in form.indicator_ids:
            ind = indicators[ind_id]
            out[form.pk][ind_id] = Column(
                code=ind.code,
                name_vi=ind.name_vi,
                section=form.sections.get(ind_id, ""),
                unit_vi=ind.unit_vi,
                value_type=ind.value_type,
                min_value=ind.min_value,
                max_value=ind.max_value,
                choices=tuple(ind.choices or ()),
                required=required.get((form.pk, ind_id), True),
            )
    return out


def build_template(
    *,
    actor,
    unit_code: str | None = None,
    under_code: str | None = None,
    period_code: str | None = None,
    period_codes: Sequence[str] | None = None,
) -> bytes:
    """An xlsx template for one unit (`unit_code`) or all units under `under_code`.

    One sheet per form whose period type matches each period (a year of months gives twelve
    sheets), pre-filled with the values the actor may see. Refuses (ValidationFailed) a bad
    period or a selection no form applies to; NotFound for a unit outside the actor's scope.
    """
    if (unit_code is None) == (under_code is None):
        raise ValidationFailed.single(
            "chọn đúng một trong hai: một đơn vị hoặc các đơn vị trực thuộc một địa bàn",
            "give exactly one of unit_code and under_code",
            field="unit",
        )
    periods = _periods([period_code] if period_code else list(period_codes or ()))
    root = _root(actor, unit_code or under_code)
    single = unit_code is not None
    root_name = _versions_during([root.pk], periods[-1]).get(root.pk)
    root_label = f"{root_name.name} ({root.code})" if root_name else root.code
    catalog = FormCatalog.load()
    columns = _columns(catalog)
    forms = sorted(catalog.forms.values(), key=lambda f: f.code)
    plans: list[tuple[SheetPlan, list[int], list[int]]] = []
    taken: set[str] = set()
    for period in periods:
        units = _units(root, single, period)
        if single and not units:
            raise ValidationFailed.single(
                f"đơn vị '{root.code}' không tồn tại trong kỳ {period.code}",
                "unit not active in period",
            )
        for form in forms:
            rows = [u for u in units if form.applies_to(u[2], period.period_type)]
            if not rows:
                continue
            scope_label = (
                f"Đơn vị: {rows[0][3]} ({rows[0][1]})"
                if single
                else f"Các đơn vị cấp xã thuộc {root_label}: {len(rows)} đơn vị"
            )
            plan = SheetPlan(
                name=L.sheet_name(form.code, period.code, taken),
                form_code=form.code,
                form_name=form.name_vi,
                period=period,
                scope_label=scope_label,
                rows=[Row(code=code, name=name) for _uid, code, _kind, name in rows],
                columns=[columns[form.pk][ind] for ind in form.indicator_ids],
            )
            plans.append((plan, [u[0] for u in rows], list(form.indicator_ids)))
    if not plans:
        what = f"đơn vị '{root.code}'" if single else f"các đơn vị trực thuộc '{root.code}'"
        hint = " (dùng --under để lấy biểu mẫu của các đơn vị cấp xã trực thuộc)" if single else ""
        raise ValidationFailed.single(
            f"không có biểu mẫu báo cáo nào áp dụng cho {what} kỳ "
            f"{', '.join(p.code for p in periods)}{hint}",
            "no report form applies",
        )
    _prefill(actor, plans)
    return _render(plans, scope="unit" if single else "under", root=root.code)


def _prefill(actor, plans) -> None:
    """Put the stored values the actor may see into each plan (one query for the workbook)."""
    unit_ids = {uid for _plan, uids, _inds in plans for uid in uids}
    ind_ids = {ind for _plan, _uids, inds in plans for ind in inds}
    period_codes = {plan.period.code for plan, _uids, _inds in plans}
    unit_code = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "code"))
    ind_code = dict(Indicator.objects.filter(pk__in=ind_ids).values_list("pk", "code"))
    stored: dict[str, dict[tuple[str, str], object]] = {}
    for uid, ind, period, value in (
        DataValue.objects.visible_to(actor, VIEW_DATA)
        .filter(unit_id__in=unit_ids, indicator_id__in=ind_ids, period__in=period_codes)
        .values_list("unit_id", "indicator_id", "period", "value")
    ):
        stored.setdefault(period, {})[(unit_code[uid], ind_code[ind])] = value
    for plan, _uids, _inds in plans:
        wanted = {c.code for c in plan.columns}
        plan.values = {
            key: value
            for key, value in stored.get(plan.period.code, {}).items()
            if key[1] in wanted
        }


def _render(plans, *, scope: str, root: str) -> bytes:
    """The workbook: data sheets in order, then the very hidden `_kieumau`; structure locked."""
    wb = Workbook()
    wb.remove(wb.active)
    lists = Lists()
    sheets = []
    for plan, _uids, _inds in plans:
        write_data_sheet(wb.create_sheet(plan.name), plan, lists)
        sheets.append(
            L.SheetLayout(
                name=plan.name,
                form=plan.form_code,
                period=plan.period.code,
                units=tuple(r.code for r in plan.rows),
                indicators=tuple(c.code for c in plan.columns),
            )
        )
    rows = L.encode(L.Layout(scope=scope, root=root, sheets=tuple(sheets)))
    write_meta_sheet(wb.create_sheet(L.META_SHEET), rows, lists)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "kieumau"
    wb.properties.title = plans[0][0].form_name
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
