"""A criteria version with its own reporting year (Thông tư 124: 16/11–15/11), through the
database: the values fetched, the monthly sum, "last year", and what the stored result says.

Data: the `hierarchy` fixture (ward A-W1 and commune C-W1 exist throughout) and a one-criterion
version declaring `reporting_year: "11-16"`, imported through the real service.
"""

import pytest

from kieumau.core.actors import CLI
from kieumau.criteria.services import import_version
from kieumau.datavalues.services import set_values
from kieumau.engine import TT124_REPORTING_YEAR, parse_period
from kieumau.evaluation.inputs import needed_periods, readings_for_units
from kieumau.evaluation.models import EvaluationResult
from kieumau.evaluation.services import cached_spec, evaluate_unit_code, version_for
from kieumau.orgunits.models import OrgUnit

pytestmark = pytest.mark.usefixtures("hierarchy")

TT124_YAML = """\
format: kieumau-criteria/1
set:
  code: TT124THU
  name_vi: Thử năm báo cáo theo Thông tư 124
version: 1
status: published
valid_from: 2021-01-01
reporting_year: "11-16"
indicators:
  incidents_reported:
    name_vi: Số vụ việc về an ninh, trật tự
    type: integer
    unit_vi: vụ
    period: month
    aggregation: sum
    min: 0
groups:
  - code: "1"
    name_vi: Nhóm thử
criteria:
  - code: "1.1"
    group: "1"
    name_vi: Số vụ việc không tăng so với năm trước
    rule: incidents_reported <= prev_year("incidents_reported")
"""


@pytest.fixture
def tt124_version(db):
    return import_version(actor=CLI, text=TT124_YAML)


def months(first: str, count: int) -> list[str]:
    period = parse_period(first)
    out = []
    for _ in range(count):
        out.append(period.code)
        period = period.next()
    return out


def put(unit: str, period: str, value: int) -> None:
    set_values(
        actor=CLI, unit_code=unit, period_code=period, values={"incidents_reported": str(value)}
    )


def evaluate(unit: str = "A-W1", period: str = "2025") -> dict:
    return evaluate_unit_code(CLI, unit, period, set_code="TT124THU")


def test_the_version_keeps_its_reporting_year(tt124_version):
    assert tt124_version.spec["reporting_year"] == "11-16"
    assert cached_spec(tt124_version).reporting_year == TT124_REPORTING_YEAR


def test_a_monthly_sum_covers_december_before_and_not_december_of_the_year(tt124_version):
    for month in months("2023-12", 12):  # reporting year 2024: 2 a month → 24
        put("A-W1", month, 2)
    put("A-W1", "2024-12", 5)  # reporting year 2025: 5 + 11 × 1 = 16
    for month in months("2025-01", 11):
        put("A-W1", month, 1)
    put("A-W1", "2025-12", 100)  # belongs to reporting year 2026

    result = evaluate()
    c = result["criteria"][0]
    assert c["values"]["incidents_reported"] == 16
    assert c["values"]["incidents_reported@prev_year"] == 24
    assert c["status"] == "met"
    assert "(năm trước: 16/11/2023–15/11/2024)" in c["explanation"]
    assert "Số liệu tính theo năm báo cáo 16/11/2024–15/11/2025" in c["explanation"]
    assert result["reporting_year"] == "năm báo cáo 16/11/2024–15/11/2025"
    assert result["reporting_year_en"] == "reporting year 2024-11-16 to 2025-11-15"
    stored = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert stored.input_digest == result["input_digest"]
    assert stored.result["reporting_year"] == result["reporting_year"]

    # What was fetched: December 2024 is in, December 2025 is not.
    period = parse_period("2025")
    spec = cached_spec(version_for(period, set_code="TT124THU"))
    unit_id = OrgUnit.objects.get(code="A-W1").pk
    readings = readings_for_units([unit_id], period, spec)[unit_id]
    assert readings.get("incidents_reported", "2024-12") == 5
    assert readings.get("incidents_reported", "2025-12") is None
    fetched = {p.code for p in needed_periods(period, spec.reporting_year)}
    assert {"2024-12", "2023-12"} <= fetched
    assert "2025-12" not in fetched


def test_without_december_of_the_previous_year_the_sum_is_missing(tt124_version):
    for month in months("2023-12", 12):
        put("C-W1", month, 1)
    for month in months("2025-01", 12):  # the calendar months are all there, 2024-12 is not
        put("C-W1", month, 1)
    c = evaluate("C-W1")["criteria"][0]
    assert c["status"] == "missing_data"
    assert "thiếu số liệu các kỳ 2024-12" in c["explanation"]


def test_a_quarter_is_still_the_calendar_quarter(tt124_version):
    for month in months("2024-10", 3) + months("2025-10", 3):
        put("A-W1", month, 1)
    result = evaluate(period="2025Q4")
    c = result["criteria"][0]
    assert (c["values"]["incidents_reported"], c["values"]["incidents_reported@prev_year"]) == (
        3,
        3,
    )
    assert "reporting_year" not in result
    assert "năm báo cáo" not in c["explanation"]


def test_a_december_value_refreshes_the_next_reporting_year_at_once(tt124_version):
    """Writing 2024-12 re-evaluates reporting year 2025 (not calendar 2024) immediately."""
    for month in months("2023-12", 24):
        put("A-W1", month, 2)
    assert EvaluationResult.objects.filter(unit__code="A-W1", period="2025").exists()
    before = EvaluationResult.objects.get(unit__code="A-W1", period="2025").statuses["1.1"]
    assert before == "met"  # 24 <= 24
    put("A-W1", "2024-12", 9)  # reporting year 2025 now sums 31 > 24
    after = EvaluationResult.objects.get(unit__code="A-W1", period="2025")
    assert after.statuses["1.1"] == "not_met"
