"""Report forms as data: a YAML file defines them, `import_forms` validates and stores them.

Protects the forms from half-loaded definitions: every form in the file is checked (period type,
unit kinds, due day, indicators known or defined alongside, checks naming the form's own
indicators) before anything is written, and the whole file lands in one audited transaction.
Re-importing the same file changes nothing.
"""

from pathlib import Path

import yaml
from django.db import transaction

from kieumau.accounts.permissions import MANAGE_CRITERIA
from kieumau.accounts.scope import has_perm
from kieumau.audit.services import record
from kieumau.core.errors import NotFound, Problem, ValidationFailed
from kieumau.criteria.models import Indicator
from kieumau.datavalues.checks import check_spec_problems
from kieumau.datavalues.models import DataSet, DataSetIndicator
from kieumau.engine import AGGREGATIONS, PERIOD_TYPES
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS, Kind

DEFAULT_FORMS = Path(__file__).parent / "data" / "default_forms.yaml"
_VALUE_TYPES = {"integer", "decimal", "percentage", "boolean", "choice", "date", "text"}


def _sections_from_criteria(set_code: str, period_type: str) -> list[dict]:
    """Sections named after the criteria groups, each with the indicators its criteria read."""
    from kieumau.criteria.services import spec_of
    from kieumau.engine import Period, affected_criteria
    from kieumau.evaluation.services import version_for

    try:
        version = version_for(Period.of_year(2025), set_code=set_code)
    except NotFound:
        raise ValidationFailed.single(
            f"bộ tiêu chí '{set_code}' chưa được ban hành", "criteria set not published"
        ) from None
    spec = spec_of(version)
    group_of = {c.code: c.group for c in spec.criteria}
    sections: dict[str, dict] = {
        g.code: {
            "name_vi": f"{g.code}. {g.name_vi}",
            "name_en": f"{g.code}. {g.name_en}",
            "indicators": [],
        }
        for g in spec.groups
    }
    for ind in spec.indicators:
        if ind.period_type != period_type:
            continue
        criteria = sorted(
            affected_criteria(spec, ind.code), key=lambda c: [int(x) for x in c.split(".")]
        )
        if criteria:
            sections[group_of[criteria[0]]]["indicators"].append(ind.code)
    return [s for s in sections.values() if s["indicators"]]


def _extra_indicator(code: str, d: dict, place: str, problems: list[Problem]) -> dict | None:
    kind = d.get("type")
    period = d.get("period")
    aggregation = d.get("aggregation", "sum")
    if kind not in _VALUE_TYPES:
        problems.append(Problem(f"{place}: kiểu giá trị '{kind}' không hợp lệ", "bad type"))
    if period not in PERIOD_TYPES:
        problems.append(Problem(f"{place}: loại kỳ '{period}' không hợp lệ", "bad period"))
    if aggregation not in AGGREGATIONS:
        problems.append(Problem(f"{place}: cách cộng dồn '{aggregation}' không hợp lệ", "bad agg"))
    if not d.get("name_vi"):
        problems.append(Problem(f"{place}: thiếu tên tiếng Việt (name_vi)", "missing name_vi"))
    return {
        "name_vi": d.get("name_vi", ""),
        "name_en": d.get("name_en", ""),
        "value_type": kind,
        "unit_vi": d.get("unit_vi", ""),
        "unit_en": d.get("unit_en", ""),
        "period_type": period,
        "aggregation": aggregation,
        "min_value": d.get("min"),
        "max_value": d.get("max"),
        "choices": list(d.get("choices", [])),
    }


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(data) -> tuple[list[dict], dict[str, dict]]:
    """Every form of the file, checked as a whole; raises ValidationFailed listing all problems."""
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("forms"), list):
        raise ValidationFailed.single("tệp biểu mẫu phải có danh sách 'forms'", "missing 'forms'")
    extras: dict[str, dict] = {}
    forms = []
    known = set(Indicator.objects.values_list("code", flat=True))
    seen = set()
    for i, form in enumerate(data["forms"], start=1):
        place = f"biểu mẫu thứ {i}"
        if not isinstance(form, dict) or not form.get("code"):
            problems.append(Problem(f"{place}: thiếu mã (code)", "missing code"))
            continue
        code = str(form["code"])
        place = f"biểu mẫu '{code}'"
        if code in seen:
            problems.append(Problem(f"{place}: mã bị trùng", "duplicate code"))
        seen.add(code)
        period = form.get("period")
        if period not in PERIOD_TYPES:
            problems.append(Problem(f"{place}: loại kỳ '{period}' không hợp lệ", "bad period"))
            continue
        kinds = form.get("unit_kinds") or list(COMMUNE_LEVEL_KINDS)
        for kind in kinds:
            if kind not in Kind.values:
                problems.append(Problem(f"{place}: loại đơn vị '{kind}' không hợp lệ", "bad kind"))
        due = form.get("due") or {}
        if not isinstance(due, dict):
            problems.append(Problem(f"{place}: 'due' phải có dạng {{day: 18}}", "bad due"))
            due = {}
        day = due.get("day", 18)
        if not _is_int(day) or not 1 <= day <= 31:
            problems.append(
                Problem(f"{place}: ngày hạn nộp '{day}' phải từ 1 đến 31", "bad due day")
            )
        months_after = due.get("months_after", 1)
        if not _is_int(months_after) or not 0 <= months_after <= 12:
            problems.append(
                Problem(
                    f"{place}: số tháng sau kỳ '{months_after}' phải từ 0 đến 12",
                    "bad months_after",
                )
            )
        for key, default, label in (
            ("expiry_days", 0, "số ngày mở nhập sau hạn"),
            ("remind_days_before", 3, "số ngày nhắc trước hạn"),
        ):
            days = form.get(key, default)
            if not _is_int(days) or not 0 <= days <= 366:
                problems.append(
                    Problem(f"{place}: {label} '{days}' phải từ 0 đến 366", f"bad {key}")
                )
        for ind_code, d in (form.get("extra_indicators") or {}).items():
            extras[ind_code] = _extra_indicator(
                ind_code, d or {}, f"{place}, chỉ tiêu '{ind_code}'", problems
            )
        if form.get("sections_from_criteria"):
            sections = _sections_from_criteria(form["sections_from_criteria"], period)
        else:
            sections = form.get("sections") or []
        codes = [c for s in sections for c in s.get("indicators", [])]
        if not codes:
            problems.append(Problem(f"{place}: không có chỉ tiêu nào", "no indicators"))
        for ind_code in codes:
            if ind_code not in known and ind_code not in extras:
                problems.append(
                    Problem(f"{place}: chỉ tiêu '{ind_code}' không tồn tại", "unknown indicator")
                )
            elif ind_code in extras and extras[ind_code]["period_type"] != period:
                problems.append(
                    Problem(
                        f"{place}: chỉ tiêu '{ind_code}' không báo cáo theo kỳ '{period}'",
                        "period mismatch",
                    )
                )
        if len(set(codes)) != len(codes):
            problems.append(
                Problem(f"{place}: một chỉ tiêu xuất hiện hai lần", "duplicate indicator")
            )
        for check in form.get("checks") or []:
            for text in check_spec_problems(check, set(codes)):
                problems.append(Problem(f"{place}: {text}", "bad check"))
        forms.append(
            {
                **form,
                "code": code,
                "unit_kinds": kinds,
                "sections": sections,
                "due_day": day,
                "due_months_after": months_after,
            }
        )
    if problems:
        raise ValidationFailed(problems)
    return forms, extras


@transaction.atomic
def import_forms(*, actor, text: str) -> list[DataSet]:
    """Create or update the forms in a YAML text, all or nothing, audited."""
    if not has_perm(actor, MANAGE_CRITERIA):
        raise NotFound.single("không tìm thấy", "not found")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed.single(f"tệp YAML không đọc được: {exc}", "invalid YAML") from exc
    forms, extras = _validate(data)
    for code, fields in extras.items():
        existing = Indicator.objects.filter(code=code).first()
        if (
            existing is not None
            and existing.value_type != fields["value_type"]
            and existing.values.exists()
        ):
            raise ValidationFailed.single(
                f"chỉ tiêu '{code}' đã có số liệu kiểu '{existing.value_type}', không đổi kiểu được",
                "indicator type cannot change once data exists",
            )
        Indicator.objects.update_or_create(code=code, defaults=fields)
    ids = dict(Indicator.objects.values_list("code", "id"))
    out = []
    for form in forms:
        fields = {
            "name_vi": form.get("name_vi", form["code"]),
            "name_en": form.get("name_en", ""),
            "period_type": form["period"],
            "unit_kinds": list(form["unit_kinds"]),
            "due_day": form["due_day"],
            "due_months_after": form["due_months_after"],
            "remind_days_before": form.get("remind_days_before", 3),
            "expiry_days": form.get("expiry_days", 0),
            "checks": list(form.get("checks") or []),
            "is_active": form.get("active", True),
        }
        dataset, created = DataSet.objects.get_or_create(code=form["code"], defaults=fields)
        before = {k: getattr(dataset, k) for k in fields} if not created else None
        for key, value in fields.items():
            setattr(dataset, key, value)
        dataset.save()
        optional = set(form.get("optional") or [])
        wanted = []
        for section in form["sections"]:
            for ind_code in section["indicators"]:
                wanted.append((ind_code, section.get("name_vi", ""), section.get("name_en", "")))
        current = {item.indicator_id: item for item in dataset.items.all()}
        keep = set()
        for order, (ind_code, section_vi, section_en) in enumerate(wanted):
            ind_id = ids[ind_code]
            keep.add(ind_id)
            item = current.get(ind_id) or DataSetIndicator(dataset=dataset, indicator_id=ind_id)
            item.section_vi, item.section_en, item.order = section_vi, section_en, order
            item.required = ind_code not in optional
            item.save()
        dataset.items.exclude(indicator_id__in=keep).delete()
        after = {k: getattr(dataset, k) for k in fields} | {"indicators": [w[0] for w in wanted]}
        if created or before != {k: getattr(dataset, k) for k in fields}:
            record(
                actor=actor,
                event="datavalues.form_saved",
                target=dataset,
                before=before,
                after=after,
            )
        out.append(dataset)
    return out


def load_default_forms(actor) -> list[DataSet]:
    """The programme's default forms (monthly, quarterly, yearly) from the shipped YAML file."""
    return import_forms(actor=actor, text=DEFAULT_FORMS.read_text(encoding="utf-8"))
