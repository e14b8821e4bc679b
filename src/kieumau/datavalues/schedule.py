"""When a report is due, when entry opens and closes: one set of rules for every screen and job.

A period's report is due on day `due_day` of the month `due_months_after` months after the
period's last month (monthly report for May: 18 June). A province may set its own day. Entry
opens on the period's first day (nobody reports a month that has not started) and, if the form
has `expiry_days`, closes that many days after the due date.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from kieumau.engine import Period


@dataclass(frozen=True)
class DueSpec:
    """The due rule in force for one form in one province."""

    due_day: int
    due_months_after: int
    expiry_days: int = 0


def due_date(period: Period, rule: DueSpec) -> dt.date:
    """The last day on which the report for `period` is on time.

    A due day past the month's end (the 31st in June) falls on the month's last day, so no rule
    can produce an impossible date.
    """
    month_index = period.end.year * 12 + (period.end.month - 1) + rule.due_months_after
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(max(rule.due_day, 1), last))


def closes_on(period: Period, rule: DueSpec) -> dt.date | None:
    """The first day on which entry is closed, or None when the form never closes."""
    if not rule.expiry_days:
        return None
    return due_date(period, rule) + dt.timedelta(days=rule.expiry_days + 1)


def entry_window_problem(period: Period, rule: DueSpec, today: dt.date) -> str | None:
    """Why entry for `period` is not possible `today` (Vietnamese), or None when it is open."""
    if today < period.start:
        return f"kỳ {period.code} chưa bắt đầu (mở từ {period.start:%d/%m/%Y})"
    closed = closes_on(period, rule)
    if closed is not None and today >= closed:
        return (
            f"kỳ {period.code} đã đóng từ {closed:%d/%m/%Y}; "
            "đề nghị quản trị cấp tỉnh mở khóa để sửa"
        )
    return None


def reportable_periods(period_type: str, today: dt.date, count: int) -> list[Period]:
    """The `count` most recent periods of a type that have started by `today`, newest first."""
    from kieumau.engine import period_containing

    current = period_containing(today, period_type)
    out = [current]
    while len(out) < count:
        out.append(out[-1].previous())
    return out
