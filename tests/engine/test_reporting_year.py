"""Reporting years other than the calendar year (Thông tư 124: 16/11–15/11), end to end in the
engine: which months make up a year, loading and exporting ``reporting_year``, roll-ups,
applicability, digests and explanations."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kieumau.engine import (
    CALENDAR_YEAR,
    MET,
    MISSING_DATA,
    NOT_APPLICABLE,
    TT124_REPORTING_YEAR,
    CriterionSpec,
    Period,
    PeriodError,
    ReportingYear,
    SpecError,
    VersionSpec,
    dump_version_yaml,
    evaluate_unit,
    input_digest,
    load_version_yaml,
    parse_period,
    version_from_dict,
    version_to_dict,
)

from .data import WARD, default_version

SHORT_TYPES = ("month", "quarter", "half_year")
COUNT = {"month": 12, "quarter": 4, "half_year": 2}

# Any first day that exists in every year, 1 January (the calendar year) included.
reporting_years = st.dates(dt.date(2001, 1, 1), dt.date(2001, 12, 31)).map(
    lambda day: ReportingYear(day.month, day.day)
)
years = st.integers(1002, 9997)


def codes(periods: tuple[Period, ...]) -> list[str]:
    return [p.code for p in periods]


# -- which periods belong to a reporting year ------------------------------------------------------


def test_tt124_year_2025_is_december_2024_to_november_2025() -> None:
    months = TT124_REPORTING_YEAR.subperiods(2025, "month")
    assert codes(months) == ["2024-12", *(f"2025-{m:02d}" for m in range(1, 12))]
    # November and the fourth quarter are split exactly in half (15 + 15 days, 46 + 46 days):
    # the tie goes to the reporting year that ends in them.
    assert codes(TT124_REPORTING_YEAR.subperiods(2025, "quarter")) == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
    ]
    assert codes(TT124_REPORTING_YEAR.subperiods(2025, "half_year")) == ["2025H1", "2025H2"]
    assert TT124_REPORTING_YEAR.year_of_period(parse_period("2024-11")) == 2024
    assert TT124_REPORTING_YEAR.year_of_period(parse_period("2024-12")) == 2025


def test_only_a_year_is_counted_differently() -> None:
    year = parse_period("2025")
    assert codes(TT124_REPORTING_YEAR.subperiods_of(year, "month"))[0] == "2024-12"
    assert TT124_REPORTING_YEAR.subperiods_of(year, "year") == (year,)
    for code in ("2025H2", "2025Q4", "2025-11"):
        period = parse_period(code)
        assert TT124_REPORTING_YEAR.subperiods_of(period, "month") == period.subperiods("month")
        assert TT124_REPORTING_YEAR.period_range(period) == (period.start, period.end)
    assert TT124_REPORTING_YEAR.period_range(year) == (dt.date(2024, 11, 16), dt.date(2025, 11, 15))
    assert CALENDAR_YEAR.period_range(year) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_codes_and_labels() -> None:
    assert ReportingYear.from_code("11-16") == TT124_REPORTING_YEAR
    assert ReportingYear.from_code(" 1-1 ") == CALENDAR_YEAR
    assert ReportingYear.from_code("01-01").is_calendar
    assert TT124_REPORTING_YEAR.code == "11-16"
    assert not TT124_REPORTING_YEAR.is_calendar
    assert TT124_REPORTING_YEAR.label_vi(2025) == "năm báo cáo 16/11/2024–15/11/2025"
    assert TT124_REPORTING_YEAR.label_en(2025) == "reporting year 2024-11-16 to 2025-11-15"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("2024-11-16", 'viết tháng-ngày dạng "TT-NN"'),
        ("16/11", 'viết tháng-ngày dạng "TT-NN"'),
        (1116, 'viết tháng-ngày dạng "TT-NN"'),
        (None, 'viết tháng-ngày dạng "TT-NN"'),
        ("02-29", "29/2 không hợp lệ"),
        ("16-11", "11/16 không hợp lệ"),
    ],
)
def test_bad_codes_are_refused_in_vietnamese(code: Any, fragment: str) -> None:
    with pytest.raises(PeriodError) as info:
        ReportingYear.from_code(code)
    assert fragment in info.value.message_vi
    assert info.value.message_en


@settings(deadline=None)
@given(reporting_years, years, st.sampled_from(SHORT_TYPES), st.data())
def test_every_period_belongs_to_exactly_one_reporting_year(
    ry: ReportingYear, year: int, period_type: str, data: st.DataObject
) -> None:
    period = Period(year, period_type, data.draw(st.integers(1, COUNT[period_type])))
    owners = [n for n in (year - 1, year, year + 1) if period in ry.subperiods(n, period_type)]
    assert owners == [ry.year_of_period(period)]


@settings(deadline=None)
@given(reporting_years, years, st.sampled_from(SHORT_TYPES))
def test_a_reporting_year_is_a_run_of_consecutive_periods(
    ry: ReportingYear, year: int, period_type: str
) -> None:
    parts = ry.subperiods(year, period_type)
    assert len(parts) == COUNT[period_type]
    for a, b in itertools.pairwise(parts):
        assert a.next() == b
        assert a.end + dt.timedelta(days=1) == b.start  # contiguous: no gap, no overlap
    # The next reporting year starts right after this one ends.
    assert parts[-1].next() == ry.subperiods(year + 1, period_type)[0]
    # Each part's midpoint lies inside the reporting year's dates (within a day around 29/2).
    start, end = ry.range(year)
    for p in parts:
        mid = p.start + (p.end - p.start) // 2
        assert start - dt.timedelta(days=1) <= mid <= end + dt.timedelta(days=1)


@settings(deadline=None)
@given(years, st.sampled_from(SHORT_TYPES))
def test_the_calendar_reporting_year_gives_calendar_periods(year: int, period_type: str) -> None:
    calendar_parts = Period.of_year(year).subperiods(period_type)
    assert CALENDAR_YEAR.subperiods(year, period_type) == calendar_parts
    assert ReportingYear(1, 1).subperiods_of(Period.of_year(year), period_type) == calendar_parts


@settings(deadline=None)
@given(reporting_years, years, st.sampled_from(SHORT_TYPES), st.data())
def test_the_midpoint_rule_is_the_documented_one(
    ry: ReportingYear, year: int, period_type: str, data: st.DataObject
) -> None:
    period = Period(year, period_type, data.draw(st.integers(1, COUNT[period_type])))
    leap_day_inside = calendar.isleap(year) and period.start <= dt.date(year, 2, 29) <= period.end
    if not leap_day_inside:  # around 29/2 the midpoint is taken on a common year (documented)
        mid = period.start + (period.end - period.start) // 2
        assert ry.year_of_period(period) == ry.year_of(mid)


def test_a_leap_day_never_moves_february() -> None:
    """With the plain midpoint, a year starting 15/2 would lose February in leap years."""
    ry = ReportingYear(2, 15)
    for year in range(2020, 2030):
        assert len(ry.subperiods(year, "month")) == 12
        assert ry.year_of_period(Period.of_month(year, 2)) == year


# -- the criteria file ---------------------------------------------------------------------------


def _tt124_dict() -> dict[str, Any]:
    data = version_to_dict(default_version())
    data["reporting_year"] = "11-16"
    return data


def test_reporting_year_is_loaded_and_exported() -> None:
    spec = version_from_dict(_tt124_dict())
    assert spec.reporting_year == TT124_REPORTING_YEAR
    exported = version_to_dict(spec, json_safe=True)
    assert exported["reporting_year"] == "11-16"
    assert version_from_dict(exported) == spec
    text = dump_version_yaml(spec)
    assert "reporting_year: 11-16\n" in text
    assert load_version_yaml(text) == spec
    # Unquoted in YAML it is still text; 01-01 and absent both mean the calendar year.
    assert load_version_yaml(text.replace("reporting_year: 11-16", "reporting_year: 1-1")) == (
        dataclasses.replace(spec, reporting_year=CALENDAR_YEAR)
    )
    assert default_version().reporting_year == CALENDAR_YEAR
    assert "reporting_year" not in version_to_dict(default_version())


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (dt.date(2024, 11, 16), "ngày bắt đầu năm báo cáo '2024-11-16' không hợp lệ"),
        ("11/16", 'viết tháng-ngày dạng "TT-NN"'),
        (1116, 'viết tháng-ngày dạng "TT-NN"'),
        ("02-30", "ngày bắt đầu năm báo cáo 30/2 không hợp lệ"),
    ],
)
def test_a_bad_reporting_year_is_a_loader_error_naming_the_field(value: Any, fragment: str) -> None:
    data = _tt124_dict()
    data["reporting_year"] = value
    with pytest.raises(SpecError) as info:
        version_from_dict(data)
    assert len(info.value.messages) == 1
    message = info.value.messages[0]
    assert message.startswith("Bộ tiêu chí: trường 'reporting_year': "), message
    assert fragment in message
    assert info.value.problems[0].path == "$.reporting_year"


def test_a_misspelt_field_is_not_silently_ignored() -> None:
    data = _tt124_dict()
    data["reporting_years"] = data.pop("reporting_year")
    with pytest.raises(SpecError) as info:
        version_from_dict(data)
    assert "có phải 'reporting_year'?" in info.value.messages[0]


# -- evaluating a year of a TT 124 version ---------------------------------------------------------

RULE = 'crime_social_order <= prev_year("crime_social_order")'


def _spec(rule: str = RULE, ry: ReportingYear = TT124_REPORTING_YEAR, **criterion: Any):
    base = default_version()
    return dataclasses.replace(
        base,
        reporting_year=ry,
        criteria=(CriterionSpec("1.1", "1", "Thử", "Test", rule, **criterion),),
        groups=(base.groups[0],),
    )


def _months(first: str, count: int, value: int) -> dict[str, dict[str, int]]:
    start = parse_period(first)
    out = {}
    for _ in range(count):
        out[start.code] = {"crime_social_order": value}
        start = start.next()
    return out


def _readings() -> dict[str, dict[str, int]]:
    """Reporting year 2024 (2023-12..2024-11): 2 a month; 2025 (2024-12..2025-11): 1 a month;
    December 2025, which belongs to reporting year 2026, has 50."""
    return {
        **_months("2023-12", 12, 2),
        **_months("2024-12", 12, 1),
        "2025-12": {"crime_social_order": 50},
    }


def test_a_year_sums_the_months_of_its_reporting_year() -> None:
    result = evaluate_unit(_spec(), WARD, "2025", _readings())
    r = result.criterion("1.1")
    assert r.values["crime_social_order"] == 12  # 2024-12..2025-11, not 2025-12
    assert r.values["crime_social_order@prev_year"] == 24  # 2023-12..2024-11
    assert r.status == MET
    assert r.explanation_vi.endswith(
        "Số liệu tính theo năm báo cáo 16/11/2024–15/11/2025 (năm trước: 16/11/2023–15/11/2024)."
    )
    assert "reporting year 2024-11-16 to 2025-11-15" in r.explanation_en
    assert result.reporting_year_vi == "năm báo cáo 16/11/2024–15/11/2025"
    assert result.reporting_year_en == "reporting year 2024-11-16 to 2025-11-15"
    # The same readings under the calendar year: January..December.
    calendar_result = evaluate_unit(_spec(ry=CALENDAR_YEAR), WARD, "2025", _readings())
    plain = calendar_result.criterion("1.1")
    assert plain.values["crime_social_order"] == 11 + 50
    assert plain.values["crime_social_order@prev_year"] == 11 * 2 + 1
    assert "năm báo cáo" not in plain.explanation_vi
    assert calendar_result.reporting_year_vi == ""


def test_december_of_the_previous_year_is_required_and_digested() -> None:
    readings = _readings()
    del readings["2024-12"]
    r = evaluate_unit(_spec(), WARD, "2025", readings).criterion("1.1")
    assert r.status == MISSING_DATA
    assert "thiếu số liệu các kỳ 2024-12" in r.explanation_vi
    # 2024-12 is an input of 2025 (and of nothing in reporting year 2024); 2025-12 is not.
    base = input_digest(_spec(), WARD, "2025", _readings())
    changed_dec_2024 = {**_readings(), "2024-12": {"crime_social_order": 7}}
    changed_dec_2025 = {**_readings(), "2025-12": {"crime_social_order": 7}}
    assert input_digest(_spec(), WARD, "2025", changed_dec_2024) != base
    assert input_digest(_spec(), WARD, "2025", changed_dec_2025) == base


def test_a_direct_yearly_value_still_wins() -> None:
    readings = {**_readings(), "2025": {"crime_social_order": 3}}
    r = evaluate_unit(_spec(), WARD, "2025", readings).criterion("1.1")
    assert r.values["crime_social_order"] == 3


def test_quarters_and_months_are_evaluated_as_calendar_periods() -> None:
    readings = _months("2024-10", 3, 4) | _months("2025-10", 3, 1)
    result = evaluate_unit(_spec(), WARD, "2025Q4", readings)
    r = result.criterion("1.1")
    assert (r.values["crime_social_order"], r.values["crime_social_order@prev_year"]) == (3, 12)
    assert result.reporting_year_vi == ""
    assert "năm báo cáo" not in r.explanation_vi


def test_a_rule_reading_only_yearly_values_has_no_note_but_the_result_names_the_year() -> None:
    spec = _spec("police_headcount >= police_headcount_quota")
    readings = {"2025": {"police_headcount": 12, "police_headcount_quota": 10}}
    result = evaluate_unit(spec, WARD, "2025", readings)
    assert result.criterion("1.1").status == MET
    assert "năm báo cáo" not in result.criterion("1.1").explanation_vi
    assert result.reporting_year_vi == "năm báo cáo 16/11/2024–15/11/2025"


def test_applicability_is_judged_on_the_last_day_of_the_reporting_year() -> None:
    late = dt.date(2025, 11, 20)  # after TT 124's 2025 ended (15/11), before 31/12
    spec = _spec(valid_from=late)
    r = evaluate_unit(spec, WARD, "2025", _readings()).criterion("1.1")
    assert r.status == NOT_APPLICABLE
    assert "chỉ áp dụng từ 20/11/2025; kỳ 2025 kết thúc ngày 15/11/2025" in r.explanation_vi
    calendar_spec = _spec(ry=CALENDAR_YEAR, valid_from=late)
    assert evaluate_unit(calendar_spec, WARD, "2025", _readings()).criterion("1.1").status != (
        NOT_APPLICABLE
    )


def test_version_spec_default_is_the_calendar_year() -> None:
    field = next(f for f in dataclasses.fields(VersionSpec) if f.name == "reporting_year")
    assert field.default == CALENDAR_YEAR
