"""Reads of data values, through the scope chokepoint."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from kieumau.accounts.permissions import APPROVE_DATA, ENTER_DATA, UNLOCK_DATA, VIEW_DATA
from kieumau.accounts.scope import can_act_on_unit
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.datavalues.choices import SubmissionStatus
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import DataSet, DataValue, Submission, ValueComment
from kieumau.datavalues.schedule import due_date, entry_window_problem
from kieumau.engine import Period, PeriodError, parse_period
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Level
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion
from kieumau.orgunits.selectors import subtree_ids


def values_of(actor, unit_code: str, period_code: str) -> list[DataValue]:
    """The stored values of one unit and period the actor may read (404 when out of scope)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_DATA).filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    return list(
        DataValue.objects.visible_to(actor, VIEW_DATA)
        .filter(unit=unit, period=period_code)
        .select_related("indicator", "updated_by")
        .order_by("indicator__code")
    )


@dataclass
class EntryRow:
    """One indicator on the entry page: its value, revision, widget and the criteria it feeds."""

    indicator: Indicator
    value: object
    revision: int
    required: bool
    affects: list[dict]
    comments: int = 0

    @property
    def text(self) -> str:
        """The value as the input shows it (Vietnamese decimal comma, Có/Không, dd/mm/yyyy)."""
        return display_value(self.value)


@dataclass
class EntrySheet:
    unit: OrgUnit
    unit_name: str
    form: DataSet
    period: Period
    submission: Submission
    sections: list[tuple[str, list[EntryRow]]]
    due: dt.date
    window_problem: str | None
    events: list
    criteria_version: str = ""
    year_result: dict | None = None
    can_edit: bool = False
    can_review: bool = False
    can_unlock: bool = False

    @property
    def overdue(self) -> bool:
        return self.submission.submitted_at is None and timezone.localdate() > self.due


def display_value(value) -> str:
    """A stored value as people type it: 2.160 / 1,5 / Có / 31/12/2025."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _criteria_reading(period: Period, codes: list[str]) -> tuple[str, dict[str, list[dict]]]:
    """For each indicator, the criteria (code, name) of the version in force that read it."""
    from kieumau.engine import affected_criteria
    from kieumau.evaluation.services import cached_spec, version_for

    try:
        version = version_for(Period.of_year(period.year))
    except NotFound:
        return "", {}
    spec = cached_spec(version)
    names = {c.code: c.name_vi for c in spec.criteria}
    out = {}
    for code in codes:
        hits = sorted(
            affected_criteria(spec, code),
            key=lambda c: [int(x) for x in c.split(".") if x.isdigit()],
        )
        out[code] = [{"code": c, "name": names.get(c, "")} for c in hits]
    return version.label, out


def entry_sheet(actor, unit_code: str, form_code: str, period_code: str) -> EntrySheet:
    """Everything the data-entry page shows for one unit, form and period (a fixed query count).

    Protects scope: the unit must be readable under datavalues.view (404 otherwise); the edit,
    review and unlock buttons follow the actor's permissions on this unit and the report state.
    """
    from kieumau.datavalues.workflow import locate
    from kieumau.evaluation.models import EvaluationResult

    sub = locate(
        actor=actor,
        unit_code=unit_code,
        form_code=form_code,
        period_code=period_code,
        perm=VIEW_DATA,
    )
    period = parse_period(sub.period)
    catalog = FormCatalog.load(active_only=False)
    form = catalog.forms[sub.dataset_id]
    items = list(sub.dataset.items.select_related("indicator"))
    stored = {
        dv.indicator_id: dv
        for dv in DataValue.objects.filter(
            unit=sub.unit, period=sub.period, indicator_id__in=[i.indicator_id for i in items]
        )
    }
    comment_counts = Counter(
        ValueComment.objects.filter(unit=sub.unit, period=sub.period).values_list(
            "indicator_id", flat=True
        )
    )
    version_label, reading = _criteria_reading(period, [i.indicator.code for i in items])
    result = (
        EvaluationResult.objects.filter(unit=sub.unit, period=str(period.year))
        .order_by("-computed_at")
        .only("statuses", "met", "total", "model_standard")
        .first()
    )
    statuses = result.statuses if result else {}
    sections: dict[str, list[EntryRow]] = {}
    for item in items:
        dv = stored.get(item.indicator_id)
        affects = [
            {**c, "status": statuses.get(c["code"], "")}
            for c in reading.get(item.indicator.code, [])
        ]
        sections.setdefault(item.section_vi, []).append(
            EntryRow(
                indicator=item.indicator,
                value=dv.value if dv else None,
                revision=dv.revision if dv else 0,
                required=item.required,
                affects=affects,
                comments=comment_counts.get(item.indicator_id, 0),
            )
        )
    rule = catalog.due_spec(form, unit_id=sub.unit_id)
    window = None if sub.reopened else entry_window_problem(period, rule, timezone.localdate())
    name = (
        OrgUnitVersion.objects.filter(unit=sub.unit, valid_from__lte=period.end)
        .order_by("-valid_from")
        .values_list("name", flat=True)
        .first()
    ) or sub.unit.code
    return EntrySheet(
        unit=sub.unit,
        unit_name=name,
        form=sub.dataset,
        period=period,
        submission=sub,
        sections=list(sections.items()),
        due=sub.due_date or due_date(period, rule),
        window_problem=window,
        events=list(sub.events.all()) if sub.pk else [],
        criteria_version=version_label,
        year_result=(
            {"met": result.met, "total": result.total, "model_standard": result.model_standard}
            if result
            else None
        ),
        can_edit=(
            not sub.is_locked and window is None and can_act_on_unit(actor, ENTER_DATA, sub.unit_id)
        ),
        can_review=(
            sub.status == SubmissionStatus.SUBMITTED
            and can_act_on_unit(actor, APPROVE_DATA, sub.unit_id)
        ),
        can_unlock=sub.is_locked and can_act_on_unit(actor, UNLOCK_DATA, sub.unit_id),
    )


def value_history(actor, unit_code: str, period_code: str, indicator_code: str) -> dict:
    """One value's changes (from the audit log) and comments, newest first; 404 out of scope."""
    from kieumau.audit.models import AuditEntry

    unit = OrgUnit.objects.visible_to(actor, VIEW_DATA).filter(code=unit_code).first()
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if unit is None or indicator is None:
        raise NotFound.single("không tìm thấy số liệu", "value not found")
    changes = []
    for entry in (
        AuditEntry.objects.filter(
            event="datavalues.values_set", unit=unit, target_repr=f"{unit.code} {period_code}"
        )
        .order_by("-seq")
        .only("at", "actor_repr", "before", "after", "note")
    ):
        if indicator_code in (entry.after or {}):
            changes.append(
                {
                    "at": entry.at,
                    "actor": entry.actor_repr,
                    "before": display_value((entry.before or {}).get(indicator_code)),
                    "after": display_value(entry.after[indicator_code]),
                    "source": entry.note,
                }
            )
    comments = list(
        ValueComment.objects.filter(unit=unit, period=period_code, indicator=indicator).order_by(
            "-at"
        )
    )
    return {
        "unit": unit,
        "indicator": indicator,
        "period": period_code,
        "changes": changes,
        "comments": comments,
    }


@dataclass
class StatusRow:
    code: str
    name: str
    parent: str
    status: str
    submitted_at: dt.datetime | None
    on_time: bool | None
    due: dt.date


@dataclass
class StatusSummary:
    total: int = 0
    on_time: int = 0
    late: int = 0
    approved: int = 0
    returned: int = 0
    missing: int = 0
    overdue: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float:
        return 100 * self.submitted / self.total if self.total else 0.0


def _province_of(as_of: dt.date) -> tuple[dict[int, int], dict[int, str]]:
    """Each unit's parent and each province-level unit's name on `as_of` (two queries)."""
    parents, names = {}, {}
    for uid, parent, level, name in (
        OrgUnitVersion.objects.active_on(as_of)
        .filter(level__lte=Level.DISTRICT)
        .values_list("unit_id", "parent_id", "level", "name")
    ):
        parents[uid] = parent
        if level == Level.PROVINCE:
            names[uid] = name
    return parents, names


def report_status(
    actor, form_code: str, period_code: str, root_code: str | None = None, *, today=None
) -> dict:
    """Who has reported a period: per unit under `root_code`, or per province for the nation.

    Submitted on or before the due date is on time, after it late; a report not submitted
    after its due date is overdue. Reads through the scope chokepoint (units outside the
    actor's datavalues.view scope are absent) with a fixed number of queries.
    """
    today = today or timezone.localdate()
    form = DataSet.objects.filter(code=form_code).first()
    if form is None:
        raise NotFound.single(f"không tìm thấy biểu mẫu '{form_code}'", "form not found")
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc
    if period.period_type != form.period_type:
        raise ValidationFailed.single(
            f"biểu mẫu '{form.code}' không báo cáo theo kỳ {period.code}", "wrong period type"
        )
    visible = OrgUnit.objects.visible_to(actor, VIEW_DATA)
    root = None
    if root_code:
        root = visible.filter(code=root_code).first()
        if root is None:
            raise NotFound.single(f"không tìm thấy đơn vị '{root_code}'", "unit not found")
    kinds = form.unit_kinds or list(COMMUNE_LEVEL_KINDS)
    versions = OrgUnitVersion.objects.active_on(period.end).filter(kind__in=kinds)
    if root is not None:
        versions = versions.filter(unit_id__in=subtree_ids(root.pk, period.end))
    versions = list(
        versions.filter(unit__in=visible)
        .values_list("unit_id", "unit__code", "name", "parent_id")
        .order_by("parent_id", "name")
    )
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(
            dataset=form, period=period.code, unit_id__in=[v[0] for v in versions]
        )
    }
    catalog = FormCatalog.load(active_only=False)
    cform = catalog.forms[form.pk]
    catalog.prime(cform, [v[0] for v in versions])
    parents, province_names = _province_of(period.end)
    rows, by_province = [], {}
    for uid, code, name, parent in versions:
        sub = subs.get(uid)
        due = (
            sub.due_date
            if sub and sub.due_date
            else due_date(period, catalog.due_spec(cform, unit_id=uid))
        )
        status = sub.status if sub else "not_started"
        on_time = sub.on_time if sub else None
        rows.append(
            StatusRow(
                code,
                name,
                province_names.get(parent, ""),
                status,
                sub.submitted_at if sub else None,
                on_time,
                due,
            )
        )
        province = parent
        while province is not None and province not in province_names:
            province = parents.get(province)
        summary = by_province.setdefault(province, StatusSummary())
        for target in (summary,):
            target.total += 1
            if (
                sub is not None
                and sub.submitted_at is not None
                and sub.status != SubmissionStatus.DRAFT
            ):
                if on_time:
                    target.on_time += 1
                else:
                    target.late += 1
                if sub.status == SubmissionStatus.APPROVED:
                    target.approved += 1
                if sub.status == SubmissionStatus.RETURNED:
                    target.returned += 1
            else:
                target.missing += 1
                if today > due:
                    target.overdue += 1
    total = StatusSummary()
    for s in by_province.values():
        for key in ("total", "on_time", "late", "approved", "returned", "missing", "overdue"):
            setattr(total, key, getattr(total, key) + getattr(s, key))
    provinces = sorted(
        ((province_names.get(pid, "—"), pid, s) for pid, s in by_province.items()),
        key=lambda t: t[0],
    )
    parent_names = dict(
        OrgUnitVersion.objects.active_on(period.end)
        .filter(unit_id__in={v[3] for v in versions})
        .values_list("unit_id", "name")
    )
    for row, (_, _, _, parent) in zip(rows, versions, strict=True):
        row.parent = parent_names.get(parent, "")
    province_codes = dict(
        OrgUnit.objects.filter(pk__in=[p for _, p, _ in provinces if p]).values_list("pk", "code")
    )
    return {
        "form": form,
        "period": period,
        "root": root,
        "rows": rows,
        "summary": total,
        "provinces": [
            {"name": name, "code": province_codes.get(pid, ""), "summary": s}
            for name, pid, s in provinces
        ],
    }
