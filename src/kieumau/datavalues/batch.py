"""The one write path for periodic values: web forms, Excel, the API and the CLI all land here.

`apply_entries` validates a whole batch before writing anything: every unit in the actor's
scope and in existence during the period, every indicator known and of the period's type, every
value parsed and within bounds, no value twice, no value of a submitted or approved report, no
period outside its entry window, every form's cross-field checks — and only when nothing is
wrong does it write, in one transaction, with one audit entry per unit and period and an
immediate re-evaluation of what the change can affect. Writing the same batch twice changes
nothing the second time.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kieumau.accounts.permissions import ENTER_DATA
from kieumau.accounts.scope import grant_for
from kieumau.audit.services import record_many
from kieumau.core.actors import SystemActor
from kieumau.core.errors import Conflict, Problem, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.datavalues.checks import run_checks
from kieumau.datavalues.choices import LOCKED_STATUSES, STATUS_VI
from kieumau.datavalues.forms_catalog import FormCatalog
from kieumau.datavalues.models import DataValue, Submission
from kieumau.datavalues.parsing import parse_value
from kieumau.datavalues.schedule import entry_window_problem
from kieumau.datavalues.storage import StoredValue, insert_values, lock_stored, update_values
from kieumau.engine import Period, PeriodError, parse_period
from kieumau.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitVersion

MAX_LISTED_PROBLEMS = 500
"""A refused batch lists at most this many problems (and says how many more there were)."""


@dataclass(frozen=True)
class Entry:
    """One value to write, with where it came from so a refusal can point at it.

    `expected_revision` is the revision the editor saw (0 for "was empty"); when given, a value
    changed by someone else since then refuses the batch instead of being overwritten.
    """

    unit: str
    indicator: str
    period: str
    raw: object
    row: int | None = None
    sheet: str | None = None
    cell: str | None = None
    expected_revision: int | None = None

    def problem(self, message: str, message_en: str = "") -> Problem:
        """A Problem located where this entry came from."""
        shown = None if self.raw is None else str(self.raw)[:200]
        return Problem(
            message,
            message_en,
            field=self.indicator,
            row=self.row,
            sheet=self.sheet,
            cell=self.cell,
            value=shown,
        )


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    saved_keys: list[tuple[int, int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _writable_unit_ids(actor, unit_ids: list[int]) -> set[int]:
    """Which of `unit_ids` the actor may enter data for (one query whatever their number)."""
    grant = grant_for(actor, ENTER_DATA)
    if grant.national:
        return set(unit_ids)
    if grant.empty:
        return set()
    return set(
        OrgUnitClosure.objects.filter(
            ancestor_id__in=grant.unit_ids, descendant_id__in=unit_ids
        ).values_list("descendant_id", flat=True)
    )


def _same_value(stored: object, value: object) -> bool:
    """Unchanged means equal and of the same JSON type (1 and 1.0 and True are different)."""
    return stored == value and type(stored) is type(value)


def _same(stored: dict[int, object], indicator_id: int, value: object) -> bool:
    """Whether `value` equals the value stored for `indicator_id` (a missing one never does)."""
    return indicator_id in stored and _same_value(stored[indicator_id], value)


def _refuse(problems: list[Problem], cls=ValidationFailed):
    if len(problems) > MAX_LISTED_PROBLEMS:
        extra = len(problems) - MAX_LISTED_PROBLEMS
        problems = [
            *problems[:MAX_LISTED_PROBLEMS],
            Problem(f"… và {extra} lỗi khác", f"… and {extra} more problems"),
        ]
    raise cls(problems)


def _kinds_during(unit_ids: list[int], periods: dict[str, Period]) -> dict[tuple[int, str], str]:
    """(unit id, period code) → the unit's kind on its last day within the period, if it existed."""
    if not periods:
        return {}
    first = min(p.start for p in periods.values())
    last = max(p.end for p in periods.values())
    versions = defaultdict(list)
    for uid, start, end, kind in (
        OrgUnitVersion.objects.filter(unit_id__in=unit_ids, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .values_list("unit_id", "valid_from", "valid_to", "kind")
    ):
        versions[uid].append((start, end, kind))
    out = {}
    for uid in unit_ids:
        for code, period in periods.items():
            overlapping = [
                (start, kind)
                for start, end, kind in versions.get(uid, ())
                if start <= period.end and (end is None or end > period.start)
            ]
            if overlapping:
                out[(uid, code)] = max(overlapping)[1]
    return out


def apply_entries(
    *,
    actor,
    entries: list[Entry],
    source: str,
    synthetic: bool = False,
    reevaluate: bool = True,
    today: dt.date | None = None,
) -> BatchResult:
    """Validate the whole batch, then write it all in one transaction — or write nothing.

    Protects a month's data from one bad upload: any problem anywhere refuses the whole batch
    with every problem listed (sheet, cell, row, indicator, value, reason in Vietnamese), and a
    value someone else changed since the editor read it refuses it as a Conflict that says
    what the value is now. `source` ("form", "excel:<sha256>", "api", "cli") goes into the audit
    entries. The system actor (CLI, demo) may write outside a period's entry window, never into
    a submitted or approved report.
    """
    today = today or timezone.localdate()
    if not entries:
        raise ValidationFailed.single("không có giá trị nào để ghi", "nothing to write")
    try:
        with transaction.atomic():
            return _apply(actor, entries, source, synthetic, reevaluate, today)
    except IntegrityError as exc:
        # Two people saved the first value of the same empty cell at once: nothing of this
        # batch landed (the savepoint rolled back), the other save did. Same answer as a value
        # changed since the form was opened.
        if not any(name in str(exc) for name in ("datavalue_unique_fact", "datavalues_datavalue")):
            raise
        raise Conflict.single(
            "người khác vừa nhập giá trị vào cùng ô trống này; giá trị bạn nhập chưa được lưu, "
            "hãy tải lại trang và nhập lại nếu cần",
            "someone else entered this value at the same time",
        ) from exc


def _apply(actor, entries, source, synthetic, reevaluate, today) -> BatchResult:
    problems: list[Problem] = []
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={e.unit for e in entries})}
    writable = _writable_unit_ids(actor, [u.pk for u in units.values()])
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={e.indicator for e in entries})
    }
    periods: dict[str, Period] = {}
    bad_periods: dict[str, str] = {}
    for code in {e.period for e in entries}:
        try:
            periods[code] = parse_period(code)
        except PeriodError as exc:
            bad_periods[code] = str(exc)
    kinds = _kinds_during([u.pk for u in units.values()], periods)
    catalog = FormCatalog.load()
    parsed: dict[tuple[int, int, str], tuple[object, Entry]] = {}
    for entry in entries:
        unit = units.get(entry.unit)
        if unit is None or unit.pk not in writable:
            problems.append(
                entry.problem(f"không tìm thấy đơn vị '{entry.unit}'", "unit not found")
            )
            continue
        if entry.period in bad_periods:
            problems.append(entry.problem(bad_periods[entry.period], "invalid period"))
            continue
        period = periods[entry.period]
        if (unit.pk, entry.period) not in kinds:
            problems.append(
                entry.problem(
                    f"đơn vị '{entry.unit}' không tồn tại trong kỳ {entry.period}",
                    "unit not active in period",
                )
            )
            continue
        indicator = indicators.get(entry.indicator)
        if indicator is None:
            problems.append(
                entry.problem(f"chỉ tiêu '{entry.indicator}' không tồn tại", "unknown indicator")
            )
            continue
        if indicator.period_type != period.period_type:
            problems.append(
                entry.problem(
                    f"chỉ tiêu '{entry.indicator}' được báo cáo theo kỳ "
                    f"'{indicator.period_type}', không nhập cho kỳ {entry.period}",
                    "wrong period type",
                )
            )
            continue
        value, problem = parse_value(indicator, entry.raw)
        if problem is not None:
            problems.append(entry.problem(problem.message, problem.message_en))
            continue
        key = (unit.pk, indicator.pk, entry.period)
        if key in parsed:
            first = parsed[key][1]
            if parsed[key][0] != value:
                where = first.cell or (f"dòng {first.row}" if first.row else "trước đó")
                problems.append(
                    entry.problem(
                        f"{entry.indicator} của '{entry.unit}' kỳ {entry.period} được nhập hai "
                        f"lần với giá trị khác nhau (lần đầu ở {where})",
                        "duplicate value",
                    )
                )
            continue
        parsed[key] = (value, entry)
    if problems:
        _refuse(problems)

    by_report: dict[tuple[int, str], dict[int, tuple[object, Entry]]] = defaultdict(dict)
    for (uid, ind_id, period_code), item in parsed.items():
        by_report[(uid, period_code)][ind_id] = item
    code_of = {i.pk: i.code for i in indicators.values()}
    unit_by_id = {u.pk: u for u in units.values()}
    submissions = {
        (sub.dataset_id, sub.unit_id, sub.period): sub
        for sub in Submission.objects.filter(
            unit_id__in={uid for uid, _ in by_report}, period__in={p for _, p in by_report}
        )
    }
    system = isinstance(actor, SystemActor)
    forms_of_report = {
        key: [
            form
            for form in catalog.forms_for(kinds[key], periods[key[1]].period_type)
            if any(ind in form.indicator_ids for ind in items)
        ]
        for key, items in by_report.items()
    }
    for form in {form.pk: form for forms in forms_of_report.values() for form in forms}.values():
        catalog.prime(form, [uid for uid, _ in by_report])
    wanted = {ind for _, ind, _ in parsed} | {
        ind for forms in forms_of_report.values() for form in forms for ind in form.indicator_ids
    }
    existing_rows = lock_stored(
        unit_ids={uid for uid, _ in by_report},
        periods={p for _, p in by_report},
        indicator_ids=wanted,
    )
    stored_by_report: dict[tuple[int, str], dict[int, object]] = defaultdict(dict)
    for (uid, ind_id, period_code), row in existing_rows.items():
        stored_by_report[(uid, period_code)][ind_id] = row.value
    warnings: list[Problem] = []
    for (uid, period_code), items in by_report.items():
        unit = unit_by_id[uid]
        stored = stored_by_report.get((uid, period_code), {})
        for form in forms_of_report[(uid, period_code)]:
            # A value written again unchanged is not an edit: it passes locked reports and
            # closed periods (a province workbook pre-fills every ward, submitted or not).
            touched = [
                ind
                for ind in items
                if ind in form.indicator_ids and not _same(stored, ind, items[ind][0])
            ]
            if not touched:
                continue
            sub = submissions.get((form.pk, uid, period_code))
            if sub is not None and sub.status in LOCKED_STATUSES:
                for ind in touched:
                    problems.append(
                        items[ind][1].problem(
                            f"báo cáo '{form.name_vi}' kỳ {period_code} của '{unit.code}' "
                            f"{STATUS_VI[sub.status]}, không sửa được số liệu; "
                            "đề nghị cấp tỉnh trả lại hoặc mở khóa",
                            "report is locked",
                        )
                    )
                continue
            if not system and not (sub is not None and sub.reopened):
                reason = entry_window_problem(
                    periods[period_code], catalog.due_spec(form, unit_id=uid), today
                )
                if reason:
                    for ind in touched:
                        problems.append(items[ind][1].problem(reason, "period not open"))
                    continue
            combined = {
                form.code_of[ind]: value for ind, value in stored.items() if ind in form.code_of
            }
            combined.update({form.code_of[ind]: items[ind][0] for ind in touched})
            outcome = run_checks(form.checks, combined, form.labels)
            where = items[touched[0]][1]
            for problem in outcome.errors:
                problems.append(
                    Problem(
                        f"'{unit.code}' kỳ {period_code}: {problem.message}",
                        problem.message_en,
                        field=problem.field,
                        row=where.row,
                        sheet=where.sheet,
                    )
                )
            for problem in outcome.warnings:
                warnings.append(
                    Problem(
                        f"'{unit.code}' kỳ {period_code}: {problem.message}",
                        problem.message_en,
                        field=problem.field,
                        sheet=where.sheet,
                    )
                )
    if problems:
        _refuse(problems)

    conflicts = [
        (key, entry)
        for key, (_value, entry) in parsed.items()
        if entry.expected_revision is not None
        and (existing_rows[key].revision if key in existing_rows else 0) != entry.expected_revision
    ]
    if conflicts:
        _refuse(_conflict_problems(conflicts, existing_rows), Conflict)

    return _write(
        actor,
        parsed,
        existing_rows,
        unit_by_id,
        code_of,
        source,
        synthetic,
        reevaluate,
        warnings,
        periods,
    )


def _conflict_problems(
    conflicts: list[tuple[tuple[int, int, str], Entry]], existing: dict[tuple, StoredValue]
) -> list[Problem]:
    """What each refused edit says: the value now, who changed it and when."""
    changed = {
        dv.pk: dv
        for dv in DataValue.objects.filter(
            pk__in=[existing[key].pk for key, _ in conflicts if key in existing]
        ).select_related("updated_by")
    }
    problems = []
    for key, entry in conflicts:
        row = changed.get(existing[key].pk) if key in existing else None
        now = "(trống)" if row is None else row.value
        who = ""
        if row is not None and row.updated_by_id:
            who = (
                f" ({row.updated_by.get_username()}, "
                f"{timezone.localtime(row.updated_at):%H:%M %d/%m/%Y})"
            )
        problems.append(
            entry.problem(
                f"{entry.indicator}: người khác đã sửa giá trị thành '{now}'{who} sau khi "
                "bạn mở biểu mẫu; giá trị bạn nhập chưa được lưu",
                "changed by someone else",
            )
        )
    return problems


def _write(
    actor,
    parsed,
    existing_rows,
    unit_by_id,
    code_of,
    source,
    synthetic,
    reevaluate,
    warnings,
    periods,
):
    """Store the validated values, audit them per unit and period, and re-evaluate."""
    user_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    result = BatchResult(warnings=warnings)
    new_rows, changed_rows = [], []
    audit: dict[tuple[int, str], dict[str, dict]] = defaultdict(lambda: {"before": {}, "after": {}})
    changes: dict[int, tuple[set[Period], set[str]]] = {}
    for key, (value, _entry) in parsed.items():
        uid, ind_id, period_code = key
        result.saved_keys.append(key)
        row = existing_rows.get(key)
        if row is not None and _same_value(row.value, value):
            result.unchanged += 1
            continue
        code = code_of[ind_id]
        if row is None:
            new_rows.append((key, value))
            result.created += 1
        else:
            changed_rows.append((row.pk, value))
            result.updated += 1
        audit[(uid, period_code)]["before"][code] = row.value if row is not None else None
        audit[(uid, period_code)]["after"][code] = value
        periods_changed, codes_changed = changes.setdefault(uid, (set(), set()))
        periods_changed.add(periods[period_code])
        codes_changed.add(code)
    insert_values(new_rows, user_id=user_id, at=now, synthetic=synthetic)
    update_values(changed_rows, user_id=user_id, at=now, synthetic=synthetic)
    record_many(
        actor=actor,
        entries=[
            {
                "event": "datavalues.values_set",
                "unit": unit_by_id[uid],
                "target_repr": f"{unit_by_id[uid].code} {period_code}",
                "before": diff["before"],
                "after": diff["after"],
                "note": source,
            }
            for (uid, period_code), diff in sorted(audit.items())
        ],
    )
    if reevaluate and changes:
        from kieumau.evaluation.services import reevaluate_after_changes

        reevaluate_after_changes(changes)
    return result
