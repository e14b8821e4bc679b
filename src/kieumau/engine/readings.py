"""Readings: the reported values of one unit, by indicator and period, and how they are read.

Contract with the caller (the ``datavalues`` / ``evaluation`` apps):

* Pass values for the evaluated period **and the earlier periods the rules need** — at least
  the same period one year earlier for rules using ``prev_year``, and the previous period for
  ``prev_period``. Shorter periods may be passed instead of the longer one: an indicator
  reported monthly can be given as 12 monthly values and is rolled up with its
  ``aggregation`` (``sum`` for counts, ``last`` for stocks). A direct value for the longer
  period wins over the roll-up. When the version declares a reporting year (TT 124: 16/11–15/11)
  a **year** rolls up the shorter periods that belong to that reporting year — for TT 124's
  2025 the months 2024-12..2025-11 — so pass those (``ReportingYear.subperiods_of`` lists them).
* **After a merger** the new unit's earlier values are the **sums over its predecessors**,
  computed by the caller (the engine does not know the lineage): pass them as this unit's
  readings for those earlier periods. For ``last``-type stocks pass the sum as well; for
  ratings (choices) pass the value the caller considers representative. The caller owns that
  choice because it depends on the merger decision, not on the rule.
* Values are Python ``int``, ``float``, ``Decimal``, ``bool``, ``str`` (choices, text, or an
  ISO date), ``date``, or ``None``/absent for "not reported". Percentages are on the 0–100
  scale.

Reading a value *normalises* it for its indicator: integers must be whole numbers, decimals
become ``float``, booleans must be real booleans (``1`` is not "có"), a choice must be one of
the declared choices, numbers must lie within ``min``/``max``. A value that fails is **invalid
data**: the criteria that read it become ``missing_data`` with the reason — never ``met``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .numbers import format_quantity
from .periods import CALENDAR_YEAR, Period, ReportingYear, is_shorter, parse_period, rollup
from .spec import IndicatorSpec


@dataclass(frozen=True)
class Readings:
    """Reported values of one unit: ``(indicator_code, period_code) -> value``.

    Build with :meth:`from_periods` (``{"2025": {"land_area": 2160}, "2024": {...}}``) or
    :meth:`from_items`. Period codes are normalised ("2025q3" -> "2025Q3"); a bad code raises
    :class:`~.errors.PeriodError` at construction, before any evaluation.
    """

    data: Mapping[tuple[str, str], Any]
    raw: dict[tuple[str, str], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = dict(self.data)
        object.__setattr__(self, "data", MappingProxyType(raw))
        object.__setattr__(self, "raw", raw)  # the plain dict behind ``data``, for speed

    @classmethod
    def from_periods(cls, by_period: Mapping[Any, Mapping[str, Any]]) -> Readings:
        """Readings from ``{period_code: {indicator_code: value}}``."""
        data: dict[tuple[str, str], Any] = {}
        for period, values in by_period.items():
            code = parse_period(period).code
            for indicator, value in values.items():
                data[(indicator, code)] = value
        return cls(data)

    @classmethod
    def from_items(cls, items: Iterable[tuple[str, Any, Any]]) -> Readings:
        """Readings from ``(indicator_code, period_code, value)`` triples."""
        return cls({(ind, parse_period(p).code): v for ind, p, v in items})

    def get(self, indicator: str, period_code: str, default: Any = None) -> Any:
        """The raw value for ``indicator`` in ``period_code`` (``default`` when absent)."""
        return self.data.get((indicator, period_code), default)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Readings) and dict(self.data) == dict(other.data)

    def __hash__(self) -> int:
        return hash(frozenset(self.data.items()))


def as_readings(value: Readings | Mapping[Any, Mapping[str, Any]]) -> Readings:
    """Accept either :class:`Readings` or the ``from_periods`` mapping."""
    return value if isinstance(value, Readings) else Readings.from_periods(value)


class Lookup:
    """The outcome of reading one indicator for one period (immutable by convention).

    ``value`` is normalised (``None`` when missing or invalid); ``problem_vi``/``problem_en``
    say why it is unusable (empty when ``ok``); ``used`` lists the ``(indicator, period_code,
    value)`` inputs that were read — including absent ones as ``None`` — for the input digest.
    A slotted class rather than a dataclass: 80 of these are made per unit evaluated.
    """

    __slots__ = ("ok", "problem_en", "problem_vi", "used", "value")

    def __init__(
        self,
        value: Any,
        used: tuple[tuple[str, str, Any], ...],
        problem_vi: str = "",
        problem_en: str = "",
    ):
        self.value = value
        self.used = used
        self.problem_vi = problem_vi
        self.problem_en = problem_en
        self.ok = not problem_vi

    def __repr__(self) -> str:
        return f"Lookup({self.value!r}, problem={self.problem_vi!r})"


def normalise(indicator: IndicatorSpec, raw: Any) -> tuple[Any, str, str]:
    """Check and convert ``raw`` for ``indicator``; returns (value, problem_vi, problem_en)."""
    vt = indicator.value_type
    kind = type(raw)
    # Fast paths for the common, valid cases.
    if vt == "integer" and kind is int:
        return _bounded(indicator, raw)
    if vt in ("decimal", "percentage") and kind is float and math.isfinite(raw):
        return _bounded(indicator, raw)
    if vt == "boolean" and kind is bool:
        return raw, "", ""
    shown = format_quantity(raw) if not isinstance(raw, str) else f"“{raw}”"
    if vt == "integer":
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, (float, Decimal)) and math.isfinite(raw) and raw == int(raw):
            value = int(raw)
        else:
            value = None
        if value is None:
            return None, f"giá trị {shown} không phải số nguyên", f"value {raw!r} is not an integer"
        return _bounded(indicator, value)
    if vt in ("decimal", "percentage"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
            return None, f"giá trị {shown} không phải số", f"value {raw!r} is not a number"
        value = float(raw)
        if not math.isfinite(value):
            return None, f"giá trị {shown} không phải số hữu hạn", f"value {raw!r} is not finite"
        return _bounded(indicator, value)
    if vt == "boolean":
        if not isinstance(raw, bool):
            return None, f"giá trị {shown} không phải có/không", f"value {raw!r} is not a boolean"
        return raw, "", ""
    if vt == "choice":
        if not isinstance(raw, str) or raw not in indicator.choices:
            return (
                None,
                f"giá trị {shown} không thuộc danh sách lựa chọn",
                f"value {raw!r} is not one of the choices",
            )
        return raw, "", ""
    if vt == "date":
        if isinstance(raw, dt.datetime):
            return raw.date(), "", ""
        if isinstance(raw, dt.date):
            return raw, "", ""
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip()), "", ""
            except ValueError:
                pass
        return None, f"giá trị {shown} không phải ngày", f"value {raw!r} is not a date"
    if not isinstance(raw, str):
        return None, f"giá trị {shown} không phải văn bản", f"value {raw!r} is not text"
    return raw, "", ""


def _bounded(indicator: IndicatorSpec, value: int | float) -> tuple[Any, str, str]:
    lo, hi = indicator.min_value, indicator.max_value
    if (lo is None or value >= lo) and (hi is None or value <= hi):
        return value, "", ""
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds_vi = ", ".join(
            x
            for x in (
                f"tối thiểu {format_quantity(lo)}" if lo is not None else "",
                f"tối đa {format_quantity(hi)}" if hi is not None else "",
            )
            if x
        )
        return (
            None,
            f"giá trị {format_quantity(value, indicator.unit_vi)} nằm ngoài khoảng "
            f"cho phép ({bounds_vi})",
            f"value {value} is outside [{lo}, {hi}]",
        )
    return value, "", ""


def lookup(
    indicator: IndicatorSpec,
    period: Period,
    readings: Readings,
    reporting_year: ReportingYear = CALENDAR_YEAR,
) -> Lookup:
    """Read ``indicator`` for ``period``: direct value, or a roll-up of shorter periods.

    Protects the "missing is never met" rule: an absent value, a month missing from a yearly
    sum, or an invalid value all come back with ``problem_vi`` set, never as a number. A year
    rolls up the periods of ``reporting_year`` (the version's), not always January–December.
    """
    code = indicator.code
    period_code = period.code
    raw = readings.raw.get((code, period_code))
    if raw is not None:
        value, pvi, pen = normalise(indicator, raw)
        return Lookup(value, ((code, period_code, value if not pvi else _invalid(raw)),), pvi, pen)
    if is_shorter(indicator.period_type, period.period_type):
        subs = reporting_year.subperiods_of(period, indicator.period_type)
        values: list[Any] = []
        used: list[tuple[str, str, Any]] = []
        missing: list[str] = []
        invalid: list[str] = []
        for sub in subs:
            sub_raw = readings.raw.get((code, sub.code))
            if sub_raw is None:
                missing.append(sub.code)
                used.append((code, sub.code, None))
                values.append(None)
                continue
            value, pvi, _ = normalise(indicator, sub_raw)
            if pvi:
                invalid.append(f"{sub.code}: {pvi}")
                used.append((code, sub.code, _invalid(sub_raw)))
            else:
                used.append((code, sub.code, value))
            values.append(value)
        if missing or invalid:
            parts_vi = []
            parts_en = []
            if missing:
                parts_vi.append(f"thiếu số liệu các kỳ {', '.join(missing)}")
                parts_en.append(f"no data for {', '.join(missing)}")
            if invalid:
                parts_vi.append("; ".join(invalid))
                parts_en.append(f"invalid values in {len(invalid)} period(s)")
            return Lookup(None, tuple(used), "; ".join(parts_vi), "; ".join(parts_en))
        return Lookup(rollup(values, indicator.aggregation), tuple(used))
    return Lookup(None, ((code, period_code, None),), "chưa có số liệu", "no data")


@dataclass(frozen=True)
class _Invalid:
    """Marks an invalid raw value in the digest (type name + repr), distinct from any value."""

    type_name: str
    text: str


def _invalid(raw: Any) -> _Invalid:
    return _Invalid(type(raw).__name__, repr(raw))
