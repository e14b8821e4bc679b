"""A small, fully known data set for the dashboards and reports tests (hierarchy fixture).

Year 2025, structure on 31/12/2025: province A holds A-W1 (Phường Một) and A-W9 (Phường
Chín); province C holds C-W1 (Xã Bốn).

- Stored 2025 results: A-W1 22/22; A-W9 21/22 (1.1 not met); C-W1 19/22 (3.1 and 3.2 not met,
  7.3 missing data). 2024: A-W1 20/22 (3.1, 3.2 not met).
- A-W1 recognised for 2025 (decision 12/QĐ-BCA of 10/02/2026); C-W1 registered, not recognised.
- Monthly report 2025-01: A-W1 on time (10/02), C-W1 late (25/02), A-W9 none.
  Values of 2025-01: A-W1 and C-W1 each received 10 crime reports (sum 20).
"""

import datetime as dt

from django.utils import timezone

from kieumau.assessments.models import AssessmentCase
from kieumau.assessments.services import register_cases
from kieumau.core.actors import CLI
from kieumau.criteria.models import CriteriaVersion
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.forms_loader import load_default_forms
from kieumau.datavalues.models import DataSet, Submission
from kieumau.evaluation.models import EvaluationResult
from kieumau.orgunits.models import OrgUnit
from tests.criteria.conftest import import_default

MONTHLY = {
    "crime_reports_received": "10",
    "crime_reports_handled_on_time": "9",
    "crime_social_order": "2",
    "dossiers_settled": "40",
    "dossiers_on_time": "38",
    "dossiers_early": "5",
}
SHORT = {
    ("A-W9", "2025"): {"1.1": "not_met"},
    ("C-W1", "2025"): {"3.1": "not_met", "3.2": "not_met", "7.3": "missing_data"},
    ("A-W1", "2024"): {"3.1": "not_met", "3.2": "not_met"},
}
EXPLAIN = {
    "1.1": "Đảng bộ phường xếp loại 'Hoàn thành tốt nhiệm vụ', chưa đạt 'Hoàn thành xuất sắc'",
    "3.1": "Diện tích đất an ninh 390 m² < 500 m²",
    "3.2": "Chưa có trụ sở riêng",
    "7.3": "Thiếu số liệu: satisfaction_rate",
}


def _store(version: CriteriaVersion, code: str, period: str) -> None:
    spec = version.spec
    short = SHORT.get((code, period), {})
    statuses = {c["code"]: short.get(c["code"], "met") for c in spec["criteria"]}
    met = sum(1 for s in statuses.values() if s == "met")
    result = {
        "unit": code,
        "period": period,
        "met": met,
        "total": len(statuses),
        "criteria": [
            {
                "code": c["code"],
                "group": c["group"],
                "name": c["name_vi"],
                "status": statuses[c["code"]],
                "explanation": EXPLAIN.get(c["code"], "Đạt")
                if statuses[c["code"]] != "met"
                else "Đạt",
            }
            for c in spec["criteria"]
        ],
    }
    EvaluationResult.objects.update_or_create(
        unit=OrgUnit.objects.get(code=code),
        period=period,
        criteria_version=version,
        defaults={
            "input_digest": "test",
            "met": met,
            "total": len(statuses),
            "missing_data": sum(1 for s in statuses.values() if s == "missing_data"),
            "model_standard": met == len(statuses),
            "statuses": statuses,
            "result": result,
        },
    )


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9, 0))


def build() -> CriteriaVersion:
    """Load everything above through the real services where there is one (criteria, forms,
    values, case registration); stored results and submissions are written as fixtures."""
    version = import_default()
    load_default_forms(CLI)
    for unit in ("A-W1", "C-W1"):
        apply_entries(
            actor=CLI,
            entries=[Entry(unit, code, "2025-01", raw) for code, raw in MONTHLY.items()],
            source="test",
        )
    form = DataSet.objects.get(code="BC-THANG")
    for unit, day in (("A-W1", dt.date(2025, 2, 10)), ("C-W1", dt.date(2025, 2, 25))):
        Submission.objects.update_or_create(
            dataset=form,
            unit=OrgUnit.objects.get(code=unit),
            period="2025-01",
            defaults={
                "status": "submitted",
                "submitted_at": _aware(day),
                "due_date": dt.date(2025, 2, 18),
            },
        )
    # Registering evaluates the units (storing their results): the known results come after.
    register_cases(actor=CLI, unit_codes=["A-W1", "C-W1"], year=2025)
    for code in ("A-W1", "A-W9", "C-W1"):
        _store(version, code, "2025")
    _store(version, "A-W1", "2024")
    AssessmentCase.objects.filter(unit__code="A-W1", year=2025).update(
        status="recognised",
        recognised_year=2025,
        decision_number="12/QĐ-BCA",
        decision_date=dt.date(2026, 2, 10),
        decision_signer="Bộ trưởng",
    )
    return version
