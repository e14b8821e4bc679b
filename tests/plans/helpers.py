"""Builders for plan tests: plans through the services, cases and results as the data."""

import datetime as dt

from kieumau.assessments.models import AssessmentCase
from kieumau.core.actors import CLI
from kieumau.evaluation.models import EvaluationResult
from kieumau.orgunits.models import OrgUnit
from kieumau.plans import services


def make_plan(unit="A", start=2023, end=2026, number="01/ĐA", **kw):
    return services.create_plan(
        actor=CLI,
        unit_code=unit,
        kind=kw.pop("kind", "scheme"),
        number=number,
        title=kw.pop("title", "Đề án xây dựng Công an phường kiểu mẫu"),
        start_year=start,
        end_year=end,
        **kw,
    )


def case(version, code: str, year: int, status: str = "draft", recognised_year=None):
    return AssessmentCase.objects.create(
        unit=OrgUnit.objects.get(code=code),
        year=year,
        criteria_version=version,
        status=status,
        recognised_year=recognised_year,
    )


def result(version, code: str, year: int, *, model: bool, failing=()):
    statuses = dict.fromkeys(failing, "not_met")
    return EvaluationResult.objects.create(
        unit=OrgUnit.objects.get(code=code),
        period=str(year),
        criteria_version=version,
        input_digest="x",
        met=22 - len(failing),
        total=22,
        model_standard=model,
        statuses=statuses,
        result={},
    )


def end(year: int) -> dt.date:
    return dt.date(year, 12, 31)
