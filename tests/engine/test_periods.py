"""Periods: codes, dates, navigation, roll-ups and reporting years (pure, property-tested)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kieumau.engine import (
    PERIOD_TYPES,
    TT124_REPORTING_YEAR,
    TT124_RESIDENTIAL_YEAR,
    Period,
    PeriodError,
    ReportingYear,
    format_period,
    parse_period,
    period_containing,
    rollup,
)
from kieumau.engine.periods import is_shorter

_COUNT = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}


@st.composite
def periods(draw, min_year: int = 1001, max_year: int = 9998) -> Period:
    kind = draw(st.sampled_from(PERIOD_TYPES))
    year = draw(st.integers(min_year, max_year))
    return Period(year, kind, draw(st.integers(1, _COUNT[kind])))


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025H1", "half_year", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        ("2025H2", "half_year", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        ("2025Q3", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-05", "month", dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
    ],
)
def test_codes_and_dates(code: str, kind: str, start: dt.date, end: dt.date) -> None:
    p = parse_period(code)
    assert p.period_type == kind
    assert (p.start, p.end) == (start, end)
    assert p.code == code == format_period(p)


def test_parsing_is_lenient_and_formatting_canonical() -> None:
    assert parse_period(" 2025q3 ").code == "2025Q3"
    assert parse_period("2025h2").code == "2025H2"
    assert parse_period("2025-5").code == "2025-05"
    assert parse_period(2025).code == "2025"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("2025Q5", "quý phải từ 1 đến 4"),
        ("2025H3", "H1 hoặc H2"),
        ("2025-13", "tháng phải từ 01 đến 12"),
        ("2025-00", "tháng phải từ 01 đến 12"),
        ("25", "không hợp lệ"),
        ("năm 2025", "không hợp lệ"),
        ("", "không hợp lệ"),
        ("0999", "năm phải từ"),
    ],
)
def test_bad_codes_have_vietnamese_errors(code: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(code)
    assert fragment in info.value.message_vi
    assert info.value.message_en


def test_non_string_code_is_refused() -> None:
    with pytest.raises(PeriodError, match="chuỗi"):
        parse_period(2025.5)


def test_navigation() -> None:
    assert parse_period("2025Q1").previous().code == "2024Q4"
    assert parse_period("2024-12").next().code == "2025-01"
    assert parse_period("2025H1").same_period_last_year().code == "2024H1"
    assert parse_period("2025").previous().code == "2024"
    assert [p.code for p in parse_period("2025H2").subperiods("quarter")] == ["2025Q3", "2025Q4"]
    assert len(parse_period("2025").subperiods("month")) == 12
    assert parse_period("2025").contains(parse_period("2025-07"))
    assert not parse_period("2025H1").contains(parse_period("2025Q3"))
    assert is_shorter("month", "year") and not is_shorter("year", "quarter")


def test_subperiods_of_a_longer_type_is_an_error() -> None:
    with pytest.raises(PeriodError, match="không chia được"):
        parse_period("2025Q1").subperiods("year")


def test_labels() -> None:
    assert parse_period("2025Q3").label_vi == "quý III/2025"
    assert parse_period("2025H1").label_vi == "6 tháng đầu năm 2025"
    assert parse_period("2025-05").label_vi == "tháng 5/2025"


def test_period_containing() -> None:
    assert period_containing(dt.date(2025, 8, 15), "quarter").code == "2025Q3"
    assert period_containing(dt.date(2025, 8, 15), "half_year").code == "2025H2"


def test_invalid_period_cannot_be_constructed() -> None:
    with pytest.raises(PeriodError):
        Period(2025, "quarter", 5)
    with pytest.raises(PeriodError):
        Period(2025, "week", 1)


@pytest.mark.parametrize(
    ("aggregation", "values", "expected"),
    [
        ("sum", [1, 2, 3], 6),
        ("last", [5, 7, 9], 9),
        ("average", [1, 2, 3, 4], 2.5),
        ("max", [3, 9, 1], 9),
        ("min", [3, 9, 1], 1),
        ("sum", [], None),
        ("sum", [1, None, 3], None),
    ],
)
def test_rollup(aggregation: str, values: list, expected: object) -> None:
    assert rollup(values, aggregation) == expected


def test_reporting_year_tt124() -> None:
    assert TT124_REPORTING_YEAR.range(2025) == (dt.date(2024, 11, 16), dt.date(2025, 11, 15))
    assert TT124_REPORTING_YEAR.year_of(dt.date(2024, 11, 16)) == 2025
    assert TT124_REPORTING_YEAR.year_of(dt.date(2025, 11, 15)) == 2025
    assert TT124_REPORTING_YEAR.year_of(dt.date(2025, 11, 16)) == 2026
    assert TT124_RESIDENTIAL_YEAR.range(2025) == (dt.date(2024, 11, 1), dt.date(2025, 10, 31))
    assert ReportingYear().range(2025) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_reporting_year_refuses_impossible_start() -> None:
    with pytest.raises(PeriodError):
        ReportingYear(2, 29)
    with pytest.raises(PeriodError):
        ReportingYear(13, 1)


# -- properties ---------------------------------------------------------------------------------


@settings(deadline=None)
@given(periods())
def test_parse_format_round_trip(p: Period) -> None:
    assert parse_period(format_period(p)) == p


@settings(deadline=None)
@given(periods())
def test_previous_next_are_inverse(p: Period) -> None:
    assert p.next().previous() == p
    assert p.previous().next() == p
    assert p.previous().end + dt.timedelta(days=1) == p.start
    assert p.same_period_last_year().period_type == p.period_type


@settings(deadline=None)
@given(periods(), st.sampled_from(PERIOD_TYPES))
def test_subperiods_tile_the_parent(p: Period, kind: str) -> None:
    if is_shorter(p.period_type, kind):
        return
    parts = p.subperiods(kind)
    assert parts[0].start == p.start
    assert parts[-1].end == p.end
    for a, b in itertools.pairwise(parts):
        assert a.end + dt.timedelta(days=1) == b.start  # no gap, no overlap
    assert all(p.contains(x) for x in parts)


@settings(deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(1001, 9998),
)
def test_reporting_years_tile_time(month: int, day: int, year: int) -> None:
    ry = ReportingYear(month, day)
    start, end = ry.range(year)
    next_start, _ = ry.range(year + 1)
    assert end + dt.timedelta(days=1) == next_start
    assert ry.year_of(start) == year
    assert ry.year_of(end) == year
    assert end.year == year
