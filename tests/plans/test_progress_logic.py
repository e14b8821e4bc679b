"""At-risk flags and the year-end forecast, on constructed cases."""

import datetime as dt
from fractions import Fraction

from kieumau.plans.progress import Milestone, YearFacts, assess_year, expected_at, forecast

START = dt.date(2023, 1, 1)
STONES = [Milestone(dt.date(2025, 12, 31), 11), Milestone(dt.date(2030, 12, 31), 35)]


def facts(**kw):
    base = {
        "year": 2025,
        "total": 35,
        "designated": frozenset(),
        "designated_this_year": frozenset(),
        "recognised": frozenset(),
        "meeting": frozenset(),
        "open_cases": frozenset(),
    }
    base.update({k: frozenset(v) if isinstance(v, set) else v for k, v in kw.items()})
    return YearFacts(**base)


def test_the_trajectory_is_linear_between_targets():
    assert expected_at(STONES, START, START) == 0
    assert expected_at(STONES, START, dt.date(2025, 12, 31)) == 11
    assert expected_at(STONES, START, dt.date(2031, 6, 1)) == 35
    middle = expected_at(STONES, START, dt.date(2028, 7, 1))
    assert Fraction(11) < middle < Fraction(35)


def test_forecast_counts_recognised_plus_open_cases_meeting_all_criteria():
    f = facts(recognised={1, 2}, open_cases={2, 3, 4, 5}, meeting={3, 4, 9})
    assert forecast(f) == (4, 5)  # likely {1,2,3,4}; optimistic {1,2,3,4,5}


def test_behind_the_trajectory_and_short_of_the_target():
    f = facts(recognised={1, 2, 3}, open_cases={4, 5}, meeting={4})
    result = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2025, 6, 1))
    codes = [fl.code for fl in result.flags]
    assert "behind_trajectory" in codes and "target_short" in codes
    assert result.forecast_likely == 4 and result.expected_year_end == 11
    assert result.at_risk


def test_on_track_has_no_flag():
    units = set(range(1, 12))
    f = facts(recognised=set(range(1, 6)), open_cases=units, meeting=units, designated=units)
    result = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2025, 6, 1))
    assert result.flags == () and result.forecast_likely == 11


def test_designated_units_failing_after_the_first_of_september():
    f = facts(
        recognised=set(range(1, 12)),
        designated_this_year={20, 21, 22},
        open_cases={20, 21, 22},
        meeting={20},
    )
    before = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2025, 8, 31))
    assert "designated_failing_late" not in [fl.code for fl in before.flags]
    after = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2025, 9, 1))
    (late,) = [fl for fl in after.flags if fl.code == "designated_failing_late"]
    assert late.units == (21, 22)
    assert "2 đơn vị được chọn xây dựng năm 2025 chưa đạt đủ tiêu chí" in late.message
    # A past year is not flagged for failing units any more.
    later = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2026, 2, 1))
    assert "designated_failing_late" not in [fl.code for fl in later.flags]


def test_designated_units_without_a_case_are_flagged_in_their_year():
    f = facts(recognised=set(range(1, 12)), designated_this_year={30, 31}, open_cases={30})
    result = assess_year(f, milestones=STONES, start=START, as_of=dt.date(2025, 3, 1))
    (flag,) = [fl for fl in result.flags if fl.code == "designated_not_registered"]
    assert flag.units == (31,)
