"""Reporting periods: codes, date ranges, navigation, roll-ups and reporting years.

Everything the programme reports is "a value of an indicator for a unit in a period". Periods are
named by short codes that people type and files carry:

======== =========== =========================================
Code     Type        Dates
======== =========== =========================================
2025     year        2025-01-01 .. 2025-12-31
2025H1   half_year   2025-01-01 .. 2025-06-30 (H2: Jul..Dec)
2025Q3   quarter     2025-07-01 .. 2025-09-30
2025-05  month       2025-05-01 .. 2025-05-31
======== =========== =========================================

Parsing accepts surrounding spaces and lower-case ``h``/``q``; formatting always gives the
canonical code above, so ``parse_period(format_period(p)) == p``. Years run from 1000 to 9999
(four digits). Bad codes raise :class:`PeriodError` with a Vietnamese message that says what is
wrong ("quý phải từ 1 đến 4").

Some standards count a year differently: Thông tư 124/2021/TT-BCA ("An toàn về ANTT") assesses
from 16 November to 15 November. :class:`ReportingYear` models such a year by its first day; the
reporting year *N* is the one that **ends** in calendar year *N* (so TT 124's reporting year 2025
runs 2024-11-16..2025-11-15). Period codes themselves stay calendar-based.

A month, quarter or half-year **belongs to the reporting year that contains its midpoint**
(``start + (end - start) // 2``, see :meth:`ReportingYear.year_of_period`); evaluating the year
2025 of a version that declares such a year rolls up the shorter periods that belong to it
(:meth:`ReportingYear.subperiods_of`). For TT 124 that is the months 2024-12..2025-11: November
is split exactly in half, and a tie goes to the reporting year that ends in it. The midpoint is
taken on a common (non-leap) year, so 29 February never moves a February or a first quarter into
another reporting year: every reporting year has exactly 12 months, 4 quarters and 2 halves.

This module is pure (no Django) so the engine, the data-entry forms and the reports agree on
what "2025Q3" means.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .errors import PeriodError

PERIOD_TYPES: tuple[str, ...] = ("month", "quarter", "half_year", "year")
"""Period types from the shortest to the longest."""

AGGREGATIONS: tuple[str, ...] = ("sum", "last", "average", "max", "min")
"""How values of shorter periods roll up into a longer one (see :func:`rollup`)."""

MIN_YEAR = 1000
MAX_YEAR = 9999

# Number of periods of each type in a year, and months per period.
_PER_YEAR = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}
_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_RANK = {name: i for i, name in enumerate(PERIOD_TYPES)}

PERIOD_TYPE_LABELS_VI = {"month": "tháng", "quarter": "quý", "half_year": "6 tháng", "year": "năm"}
PERIOD_TYPE_LABELS_EN = {
    "month": "month",
    "quarter": "quarter",
    "half_year": "half-year",
    "year": "year",
}

_CODE_RE = re.compile(
    r"^(?P<year>\d{4})(?:(?P<half>[Hh]\d+)|(?P<quarter>[Qq]\d+)|-(?P<month>\d{1,2}))?$"
)


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a year, half-year, quarter or month.

    ``index`` is 1-based inside the year (month 1–12, quarter 1–4, half 1–2, year 1). Sorting is
    chronological between periods of the same type; compare ``start`` dates to order periods of
    different types. Construct with :func:`parse_period`, ``Period.of_year`` or
    ``Period.of_month``; the constructor validates its fields so an impossible period cannot
    exist.
    """

    year: int
    period_type: str
    index: int = 1

    def __post_init__(self) -> None:
        if self.period_type not in _PER_YEAR:
            raise PeriodError(
                f"Loại kỳ '{self.period_type}' không hợp lệ (chỉ có: {', '.join(PERIOD_TYPES)})",
                f"Unknown period type '{self.period_type}'",
            )
        if not isinstance(self.year, int) or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(
                f"Năm {self.year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}",
                f"Year {self.year} is outside {MIN_YEAR}-{MAX_YEAR}",
            )
        count = _PER_YEAR[self.period_type]
        if not isinstance(self.index, int) or not 1 <= self.index <= count:
            raise PeriodError(
                f"Số thứ tự {PERIOD_TYPE_LABELS_VI[self.period_type]} phải từ 1 đến {count}",
                f"{self.period_type} index must be 1..{count}",
            )

    # -- construction helpers -------------------------------------------------------------
    @classmethod
    def of_year(cls, year: int) -> Period:
        """The calendar year ``year``."""
        return cls(year, "year", 1)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        """The month ``year-month``."""
        return cls(year, "month", month)

    # -- properties -----------------------------------------------------------------------
    @cached_property
    def code(self) -> str:
        """The canonical code ("2025", "2025H1", "2025Q3", "2025-05")."""
        return format_period(self)

    @cached_property
    def start(self) -> dt.date:
        """First day of the period."""
        month = (self.index - 1) * _MONTHS[self.period_type] + 1
        return dt.date(self.year, month, 1)

    @cached_property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        last_month = self.index * _MONTHS[self.period_type]
        if last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last_month + 1, 1) - dt.timedelta(days=1)

    @property
    def label_vi(self) -> str:
        """Vietnamese label: "năm 2025", "6 tháng đầu năm 2025", "quý III/2025", "tháng 5/2025"."""
        if self.period_type == "year":
            return f"năm {self.year}"
        if self.period_type == "half_year":
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
        if self.period_type == "quarter":
            return f"quý {('I', 'II', 'III', 'IV')[self.index - 1]}/{self.year}"
        return f"tháng {self.index}/{self.year}"

    # -- navigation -----------------------------------------------------------------------
    def _ordinal(self) -> int:
        return self.year * _PER_YEAR[self.period_type] + (self.index - 1)

    def _from_ordinal(self, ordinal: int) -> Period:
        per = _PER_YEAR[self.period_type]
        year, idx = divmod(ordinal, per)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(
                f"Kỳ liền kề của {self.code} nằm ngoài khoảng năm {MIN_YEAR}–{MAX_YEAR}",
                f"The neighbour of {self.code} is outside years {MIN_YEAR}-{MAX_YEAR}",
            )
        return Period(year, self.period_type, idx + 1)

    def previous(self) -> Period:
        """The period of the same type just before this one (2025Q1 -> 2024Q4)."""
        return self._from_ordinal(self._ordinal() - 1)

    def next(self) -> Period:
        """The period of the same type just after this one (2024Q4 -> 2025Q1)."""
        return self._from_ordinal(self._ordinal() + 1)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier (2025Q3 -> 2024Q3): what "vs previous year" means."""
        if self.year - 1 < MIN_YEAR:
            raise PeriodError(
                f"Không có kỳ cùng kỳ năm trước của {self.code}",
                f"No same period last year for {self.code}",
            )
        return Period(self.year - 1, self.period_type, self.index)

    def subperiods(self, period_type: str) -> tuple[Period, ...]:
        """The periods of ``period_type`` that tile this period exactly, in order.

        Used to roll monthly values up into quarters, half-years and years. Asking for a longer
        type than this period's own type is an error (a quarter has no sub-years).
        """
        if period_type not in _RANK:
            raise PeriodError(
                f"Loại kỳ '{period_type}' không hợp lệ", f"Unknown period type '{period_type}'"
            )
        if _RANK[period_type] > _RANK[self.period_type]:
            raise PeriodError(
                f"Kỳ {self.code} ({PERIOD_TYPE_LABELS_VI[self.period_type]}) không chia được "
                f"thành các kỳ {PERIOD_TYPE_LABELS_VI[period_type]}",
                f"{self.code} cannot be split into {period_type} periods",
            )
        ratio = _PER_YEAR[period_type] // _PER_YEAR[self.period_type]
        first = (self.index - 1) * ratio + 1
        return tuple(Period(self.year, period_type, i) for i in range(first, first + ratio))

    def contains(self, other: Period) -> bool:
        """True when ``other`` lies entirely inside this period."""
        return self.start <= other.start and other.end <= self.end


def is_shorter(period_type: str, than: str) -> bool:
    """True when ``period_type`` is strictly shorter than ``than`` (month < quarter < ...)."""
    return _RANK[period_type] < _RANK[than]


def parse_period(code: Any) -> Period:
    """Read a period code ("2025", "2025H1", "2025Q3", "2025-05") into a :class:`Period`.

    Protects every entry point (forms, Excel, API) from silently accepting "2025Q5" or
    "2025-13": the error says in Vietnamese which part is wrong.
    """
    if isinstance(code, Period):
        return code
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str):
        raise PeriodError(
            f"Mã kỳ phải là chuỗi ký tự, không phải {type(code).__name__}",
            f"Period code must be a string, not {type(code).__name__}",
        )
    text = code.strip()
    m = _CODE_RE.match(text)
    if not m:
        raise PeriodError(
            f"Mã kỳ '{code}' không hợp lệ; dùng dạng 2025, 2025H1, 2025Q3 hoặc 2025-05",
            f"Invalid period code '{code}'; use 2025, 2025H1, 2025Q3 or 2025-05",
        )
    year = int(m["year"])
    if year < MIN_YEAR:
        raise PeriodError(
            f"Mã kỳ '{code}': năm phải từ {MIN_YEAR} đến {MAX_YEAR}",
            f"Period code '{code}': year must be {MIN_YEAR}-{MAX_YEAR}",
        )
    if m["half"]:
        n = int(m["half"][1:])
        if not 1 <= n <= 2:
            raise PeriodError(
                f"Mã kỳ '{code}': nửa năm phải là H1 hoặc H2",
                f"Period code '{code}': half must be H1 or H2",
            )
        return Period(year, "half_year", n)
    if m["quarter"]:
        n = int(m["quarter"][1:])
        if not 1 <= n <= 4:
            raise PeriodError(
                f"Mã kỳ '{code}': quý phải từ 1 đến 4", f"Period code '{code}': quarter must be 1-4"
            )
        return Period(year, "quarter", n)
    if m["month"]:
        n = int(m["month"])
        if not 1 <= n <= 12:
            raise PeriodError(
                f"Mã kỳ '{code}': tháng phải từ 01 đến 12",
                f"Period code '{code}': month must be 01-12",
            )
        return Period(year, "month", n)
    return Period(year, "year", 1)


def format_period(period: Period) -> str:
    """The canonical code of ``period`` (inverse of :func:`parse_period`)."""
    if period.period_type == "year":
        return f"{period.year:04d}"
    if period.period_type == "half_year":
        return f"{period.year:04d}H{period.index}"
    if period.period_type == "quarter":
        return f"{period.year:04d}Q{period.index}"
    return f"{period.year:04d}-{period.index:02d}"


def period_containing(day: dt.date, period_type: str) -> Period:
    """The calendar period of ``period_type`` that contains ``day``."""
    if period_type not in _PER_YEAR:
        raise PeriodError(
            f"Loại kỳ '{period_type}' không hợp lệ", f"Unknown period type '{period_type}'"
        )
    index = (day.month - 1) // _MONTHS[period_type] + 1
    return Period(day.year, period_type, index)


def rollup(values: Sequence[Any], aggregation: str) -> Any:
    """Combine the values of consecutive shorter periods into one value for a longer period.

    ``values`` are in period order. ``sum`` adds (crime reports per month -> per year), ``last``
    takes the latest (a stock such as headcount), ``average``/``max``/``min`` do what they say.
    An empty list or any ``None`` gives ``None``: a year with a missing month has no yearly
    total, and pretending otherwise would make missing data look like a good result.
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"Cách tổng hợp '{aggregation}' không hợp lệ")
    if not values or any(v is None for v in values):
        return None
    if aggregation == "last":
        return values[-1]
    if aggregation == "sum":
        total = values[0]
        for v in values[1:]:
            total = total + v
        return total
    if aggregation == "average":
        return sum(values) / len(values)
    if aggregation == "max":
        return max(values)
    return min(values)


@dataclass(frozen=True)
class ReportingYear:
    """A reporting year that starts on a fixed day, e.g. 16 November for Thông tư 124.

    The reporting year *N* ends in calendar year *N*: with ``ReportingYear(11, 16)`` the year
    2025 runs 2024-11-16..2025-11-15. ``ReportingYear(1, 1)`` is the calendar year. The start day
    must exist in every year (29 February is refused).
    """

    start_month: int = 1
    start_day: int = 1

    def __post_init__(self) -> None:
        try:
            dt.date(2001, self.start_month, self.start_day)  # 2001: not a leap year
        except (TypeError, ValueError):
            raise PeriodError(
                f"Ngày bắt đầu năm báo cáo {self.start_day}/{self.start_month} không hợp lệ",
                f"Invalid reporting-year start {self.start_month}-{self.start_day}",
            ) from None

    def range(self, year: int) -> tuple[dt.date, dt.date]:
        """First and last day (inclusive) of reporting year ``year``."""
        if (self.start_month, self.start_day) == (1, 1):
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        start = dt.date(year - 1, self.start_month, self.start_day)
        end = dt.date(year, self.start_month, self.start_day) - dt.timedelta(days=1)
        return start, end

    def year_of(self, day: dt.date) -> int:
        """The reporting year that contains ``day``."""
        if (day.month, day.day) >= (self.start_month, self.start_day) and (
            self.start_month,
            self.start_day,
        ) != (1, 1):
            return day.year + 1
        return day.year

    @property
    def is_calendar(self) -> bool:
        """True for the calendar year (1 January), where nothing differs from plain periods."""
        return (self.start_month, self.start_day) == (1, 1)

    @property
    def code(self) -> str:
        """The month-day of the first day, as criteria files write it ("11-16")."""
        return f"{self.start_month:02d}-{self.start_day:02d}"

    @classmethod
    def from_code(cls, code: Any) -> ReportingYear:
        """Read a month-day code ("11-16", "1-1") into a reporting year.

        Protects criteria files from a start day typed as a full date, in the wrong order or
        impossible in some years: the :class:`PeriodError` says in Vietnamese what to write.
        """
        text = code.strip() if isinstance(code, str) else ""
        m = _MONTH_DAY_RE.match(text)
        if not m:
            raise PeriodError(
                f"Ngày bắt đầu năm báo cáo '{code}' không hợp lệ; viết tháng-ngày dạng "
                '"TT-NN", ví dụ "11-16" cho năm báo cáo từ 16/11 đến 15/11 năm sau',
                f"Invalid reporting-year start '{code}'; write month-day as \"MM-DD\", e.g. "
                '"11-16"',
            )
        return cls(int(m["month"]), int(m["day"]))

    def year_of_period(self, period: Period) -> int:
        """The reporting year a period belongs to: the one containing the period's midpoint.

        Protects roll-ups from counting a month in two reporting years, or in none: the
        midpoint ``start + (end - start) // 2`` lies in exactly one reporting year. It is
        computed on a common year (2001) and placed back in the period's year, because the
        real February is one day longer in leap years and a reporting year starting on
        15 February would otherwise gain a February one year and lose it the next.
        """
        return _year_of_period(self, period.year, period.period_type, period.index)

    def subperiods(self, year: int, period_type: str) -> tuple[Period, ...]:
        """The periods of ``period_type`` that belong to reporting year ``year``, in order.

        Protects the yearly roll-up of a standard with its own year (TT 124: reporting year
        2025 sums the months 2024-12..2025-11, not 2025-01..2025-12). The calendar year gives
        ``Period.of_year(year).subperiods(period_type)``. Periods outside years
        1000..9999 are left out, so the first and last reporting years may be short.
        """
        return _reporting_subperiods(self, year, period_type)

    def subperiods_of(self, period: Period, period_type: str) -> tuple[Period, ...]:
        """The shorter periods whose values roll up into ``period`` under this reporting year.

        Only a **year** is counted differently: quarters, half-years and months stay calendar
        periods (``period.subperiods``). This is the one place the engine and the code that
        fetches readings ask, so both always agree on which months make up a year.
        """
        if (
            period.period_type == "year"
            and not self.is_calendar
            and _RANK.get(period_type, _RANK["year"]) < _RANK["year"]
        ):
            return self.subperiods(period.year, period_type)
        return period.subperiods(period_type)

    def period_range(self, period: Period) -> tuple[dt.date, dt.date]:
        """First and last day of ``period`` as a version with this reporting year counts it.

        A year is the reporting year; any other period keeps its calendar dates. Criteria
        applicability (``valid_from``/``valid_to``) is judged on this last day, so a criterion
        that starts after TT 124's year 2025 ended (15/11/2025) does not apply to it.
        """
        if period.period_type == "year" and not self.is_calendar:
            return self.range(period.year)
        return period.start, period.end

    def label_vi(self, year: int) -> str:
        """Vietnamese label of reporting year ``year``: "năm báo cáo 16/11/2024–15/11/2025"."""
        start, end = self.range(year)
        return f"năm báo cáo {start:%d/%m/%Y}–{end:%d/%m/%Y}"

    def label_en(self, year: int) -> str:
        """English label of reporting year ``year``: "reporting year 2024-11-16 to 2025-11-15"."""
        start, end = self.range(year)
        return f"reporting year {start.isoformat()} to {end.isoformat()}"


_MONTH_DAY_RE = re.compile(r"^(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_COMMON_YEAR = 2001  # not a leap year


@lru_cache(maxsize=4096)
def _year_of_period(ry: ReportingYear, year: int, period_type: str, index: int) -> int:
    """Cached core of :meth:`ReportingYear.year_of_period` (called per period per unit)."""
    if ry.is_calendar:
        return year
    ref = Period(_COMMON_YEAR, period_type, index)
    mid = ref.start + (ref.end - ref.start) // 2
    return year + 1 if (mid.month, mid.day) >= (ry.start_month, ry.start_day) else year


@lru_cache(maxsize=1024)
def _reporting_subperiods(ry: ReportingYear, year: int, period_type: str) -> tuple[Period, ...]:
    """Cached core of :meth:`ReportingYear.subperiods`: a batch asks the same few years."""
    if period_type not in _PER_YEAR:
        raise PeriodError(
            f"Loại kỳ '{period_type}' không hợp lệ", f"Unknown period type '{period_type}'"
        )
    out = []
    for calendar_year in (year - 1, year):
        if not MIN_YEAR <= calendar_year <= MAX_YEAR:
            continue
        for index in range(1, _PER_YEAR[period_type] + 1):
            if _year_of_period(ry, calendar_year, period_type, index) == year:
                out.append(Period(calendar_year, period_type, index))
    return tuple(out)


CALENDAR_YEAR = ReportingYear(1, 1)
"""The calendar year (1 January – 31 December)."""

TT124_REPORTING_YEAR = ReportingYear(11, 16)
"""Thông tư 124/2021/TT-BCA assessment year for communes, agencies, enterprises, schools."""

TT124_RESIDENTIAL_YEAR = ReportingYear(11, 1)
"""Thông tư 124/2021/TT-BCA assessment year for residential groups (1 Nov – 31 Oct)."""
