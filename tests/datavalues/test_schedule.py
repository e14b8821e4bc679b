"""schedule: when a report is due, when entry opens and when it closes.

Pure functions over periods and due rules; the dates here are the ones people read in the
seeds (monthly report before the 18th of the following month; yearly report by 15 January).
"""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kieumau.datavalues.schedule import (
    DueSpec,
    closes_on,
    due_date,
    entry_window_problem,
    reportable_periods,
)
from kieumau.engine import PERIOD_TYPES, Period, parse_period

MONTHLY = DueSpec(due_day=18, due_months_after=1, expiry_days=60)

# Pure and fast, but a loaded test machine must not make them flaky.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(
    ("period", "rule", "expected"),
    [
        ("2025-05", DueSpec(18, 1), dt.date(2025, 6, 18)),  # May's report: 18 June
        ("2025-12", DueSpec(18, 1), dt.date(2026, 1, 18)),  # across the new year
        ("2025Q1", DueSpec(18, 1), dt.date(2025, 4, 18)),  # the month after the quarter
        ("2025Q2", DueSpec(18, 1), dt.date(2025, 7, 18)),
        ("2025Q4", DueSpec(18, 1), dt.date(2026, 1, 18)),
        ("2025H1", DueSpec(10, 1), dt.date(2025, 7, 10)),
        ("2025", DueSpec(15, 1), dt.date(2026, 1, 15)),  # the year: 15 January next year
        ("2025-05", DueSpec(5, 2), dt.date(2025, 7, 5)),  # two months after
        ("2025-05", DueSpec(31, 0), dt.date(2025, 5, 31)),  # within the period's last month
    ],
)
def test_due_date(period, rule, expected):
    assert due_date(parse_period(period), rule) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025-05", dt.date(2025, 6, 30)),  # June has 30 days
        ("2025-08", dt.date(2025, 9, 30)),  # September too
        ("2025-01", dt.date(2025, 2, 28)),  # February of a common year
        ("2024-01", dt.date(2024, 2, 29)),  # and of a leap year
        ("2025-06", dt.date(2025, 7, 31)),  # July has the 31st
        ("2025Q3", dt.date(2025, 10, 31)),
    ],
)
def test_a_due_day_past_the_month_end_falls_on_its_last_day(period, expected):
    assert due_date(parse_period(period), DueSpec(31, 1)) == expected


def test_a_due_day_below_one_is_the_first():
    assert due_date(parse_period("2025-05"), DueSpec(0, 1)) == dt.date(2025, 6, 1)


def test_entry_is_not_open_before_the_period_starts():
    may = parse_period("2025-05")
    problem = entry_window_problem(may, MONTHLY, dt.date(2025, 4, 30))
    assert problem == "kỳ 2025-05 chưa bắt đầu (mở từ 01/05/2025)"
    # The first day of the period is open.
    assert entry_window_problem(may, MONTHLY, dt.date(2025, 5, 1)) is None


def test_entry_closes_expiry_days_after_the_due_date():
    may = parse_period("2025-05")
    # Due 18/6/2025; 60 days later is 17/8/2025, the last day of entry.
    assert closes_on(may, MONTHLY) == dt.date(2025, 8, 18)
    assert entry_window_problem(may, MONTHLY, dt.date(2025, 6, 18)) is None
    assert entry_window_problem(may, MONTHLY, dt.date(2025, 6, 19)) is None  # late, still open
    assert entry_window_problem(may, MONTHLY, dt.date(2025, 8, 17)) is None
    closed = entry_window_problem(may, MONTHLY, dt.date(2025, 8, 18))
    assert closed == ("kỳ 2025-05 đã đóng từ 18/08/2025; đề nghị quản trị cấp tỉnh mở khóa để sửa")
    assert entry_window_problem(may, MONTHLY, dt.date(2026, 1, 1)) == closed


def test_a_form_without_expiry_never_closes():
    rule = DueSpec(18, 1, expiry_days=0)
    year = parse_period("2020")
    assert closes_on(year, rule) is None
    assert entry_window_problem(year, rule, dt.date(2030, 1, 1)) is None
    # It still does not open before the period starts.
    assert "chưa bắt đầu" in entry_window_problem(parse_period("2031"), rule, dt.date(2030, 1, 1))


def test_a_provincial_due_day_moves_the_close_with_it():
    may = parse_period("2025-05")
    own = DueSpec(due_day=10, due_months_after=1, expiry_days=60)
    assert closes_on(may, own) == dt.date(2025, 8, 10)
    assert entry_window_problem(may, own, dt.date(2025, 8, 10)) is not None
    assert entry_window_problem(may, MONTHLY, dt.date(2025, 8, 10)) is None


def test_reportable_periods_are_the_latest_started_ones_newest_first():
    today = dt.date(2026, 1, 5)
    assert [p.code for p in reportable_periods("month", today, 3)] == [
        "2026-01",
        "2025-12",
        "2025-11",
    ]
    assert [p.code for p in reportable_periods("quarter", today, 2)] == ["2026Q1", "2025Q4"]
    assert [p.code for p in reportable_periods("year", today, 1)] == ["2026"]


@st.composite
def periods(draw) -> Period:
    period_type = draw(st.sampled_from(PERIOD_TYPES))
    count = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}[period_type]
    return Period(draw(st.integers(1990, 2200)), period_type, draw(st.integers(1, count)))


@PROPERTY
@given(
    period=periods(),
    day=st.integers(1, 31),
    months_after=st.integers(1, 24),
    expiry=st.integers(0, 400),
)
def test_due_date_is_always_after_the_period_end(period, day, months_after, expiry):
    rule = DueSpec(day, months_after, expiry)
    due = due_date(period, rule)
    assert due > period.end
    # On the asked day, or the month's last day when the month is shorter.
    next_month = (due.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert due.day == min(day, (next_month - dt.timedelta(days=1)).day)
    # Entry is open on the due day itself, and (with an expiry) closes after it.
    assert entry_window_problem(period, rule, due) is None
    closed = closes_on(period, rule)
    assert closed is None if expiry == 0 else closed > due
