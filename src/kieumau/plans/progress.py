"""Progress logic, pure: the linear trajectory, at-risk flags and the year-end forecast.

The selectors gather the facts of one plan and year (which units are designated, recognised,
currently meeting every criterion, and have an open assessment case) as sets of unit ids; the
functions here turn them into the numbers and warnings a province reads. No Django imports.
"""

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

LATE_IN_YEAR = (9, 1)
"""From this month and day on, a designated unit still failing criteria is flagged."""

FLAG_VI = {
    "behind_trajectory": (
        "chậm so với lộ trình: dự báo cuối năm {forecast} đơn vị, lộ trình cần {expected}"
    ),
    "designated_failing_late": (
        "đã sau ngày {late:%d/%m}: {n} đơn vị được chọn xây dựng năm {year} chưa đạt đủ tiêu chí"
    ),
    "designated_not_registered": (
        "{n} đơn vị được chọn xây dựng năm {year} chưa đăng ký hồ sơ đánh giá"
    ),
    "target_short": "mục tiêu đến {due:%d/%m/%Y} cần {need} đơn vị, dự báo chỉ đạt {forecast}",
}


@dataclass(frozen=True)
class Milestone:
    """A target as a point of the trajectory: `required` units by `due`."""

    due: dt.date
    required: int


def expected_at(
    milestones: list[Milestone], start: dt.date, day: dt.date, base: int = 0
) -> Fraction:
    """Units the plan should have on `day` if it progressed evenly between its targets.

    The trajectory is the straight line from (`start`, `base`) to the first target, then from
    target to target; after the last target it stays at the last target's number. Exact
    fractions, so the caller decides how to round (a flag compares with the ceiling).
    """
    points = [(start, Fraction(base))] + [
        (m.due, Fraction(m.required)) for m in sorted(milestones, key=lambda m: m.due)
    ]
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if day <= d1:
            span = (d1 - d0).days
            if span <= 0:
                return v1
            return v0 + (v1 - v0) * Fraction((day - d0).days, span)
    return points[-1][1]


@dataclass(frozen=True)
class YearFacts:
    """What is known about one plan in one year (unit ids on the structure of that year)."""

    year: int
    total: int
    designated: frozenset[int]
    designated_this_year: frozenset[int]
    recognised: frozenset[int]
    meeting: frozenset[int]
    open_cases: frozenset[int]


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    units: tuple[int, ...] = ()


@dataclass(frozen=True)
class YearAssessment:
    """The year's numbers, its forecast and its flags."""

    year: int
    total: int
    designated: int
    recognised: int
    meeting: int
    open_cases: int
    expected_year_end: int
    forecast_likely: int
    forecast_optimistic: int
    flags: tuple[Flag, ...] = field(default=())

    @property
    def at_risk(self) -> bool:
        return bool(self.flags)


def forecast(facts: YearFacts) -> tuple[int, int]:
    """(likely, optimistic) number of recognised units at the end of the year's recognition.

    Likely: units already recognised plus units with an open case that meet every criterion
    now. Optimistic: plus every other open case. A unit is counted once.
    """
    likely = facts.recognised | (facts.open_cases & facts.meeting)
    optimistic = facts.recognised | facts.open_cases
    return len(likely), len(optimistic)


def assess_year(
    facts: YearFacts,
    *,
    milestones: list[Milestone],
    start: dt.date,
    as_of: dt.date,
    base: int = 0,
    late: tuple[int, int] = LATE_IN_YEAR,
) -> YearAssessment:
    """The at-risk flags and forecast of one year of a plan, as of `as_of`.

    Protects a province from finding out too late: flags when the year-end forecast falls
    behind the linear trajectory, when a target due this year would be missed, when designated
    units still fail criteria after 1 September of their year, and when designated units have
    no assessment case. Only years that are not over (as of `as_of`) are flagged for failing
    units; the forecast is given for every year.
    """
    year_end = dt.date(facts.year, 12, 31)
    expected = math.ceil(expected_at(milestones, start, year_end, base))
    likely, optimistic = forecast(facts)
    flags: list[Flag] = []
    if as_of.year <= facts.year and likely < expected:
        flags.append(
            Flag(
                "behind_trajectory",
                FLAG_VI["behind_trajectory"].format(forecast=likely, expected=expected),
            )
        )
    for m in milestones:
        if m.due.year == facts.year and as_of <= m.due and likely < m.required:
            flags.append(
                Flag(
                    "target_short",
                    FLAG_VI["target_short"].format(due=m.due, need=m.required, forecast=likely),
                )
            )
    late_day = dt.date(facts.year, *late)
    pending = facts.designated_this_year - facts.recognised
    if late_day <= as_of <= year_end:
        failing = tuple(sorted(pending - facts.meeting))
        if failing:
            flags.append(
                Flag(
                    "designated_failing_late",
                    FLAG_VI["designated_failing_late"].format(
                        late=late_day, n=len(failing), year=facts.year
                    ),
                    failing,
                )
            )
    if as_of.year == facts.year:
        unregistered = tuple(sorted(pending - facts.open_cases))
        if unregistered:
            flags.append(
                Flag(
                    "designated_not_registered",
                    FLAG_VI["designated_not_registered"].format(
                        n=len(unregistered), year=facts.year
                    ),
                    unregistered,
                )
            )
    return YearAssessment(
        year=facts.year,
        total=facts.total,
        designated=len(facts.designated),
        recognised=len(facts.recognised),
        meeting=len(facts.meeting),
        open_cases=len(facts.open_cases),
        expected_year_end=expected,
        forecast_likely=likely,
        forecast_optimistic=optimistic,
        flags=tuple(flags),
    )
