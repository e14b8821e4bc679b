"""Helper functions available inside rules, and the facts about CEL they are built on.

Helpers (documented for Ministry staff in ``docs/criteria-format.md``):

=============================== ============================================================
``prev_year("code")``           the indicator's value in the same period one year earlier
``prev_period("code")``         the indicator's value in the previous period of the same type
``ratio(a, b)``                 ``a / b`` as a decimal; ``b == 0`` gives *missing data*
``pct(part, whole)``            ``part * 100 / whole``; ``whole == 0`` gives *missing data*
``pct_done(done, total)``       share done in percent; nothing to do (``total == 0``) is 100%;
                                ``done`` < 0 or ``done > total`` gives *missing data*
``pct_change(cur, prev)``       ``(cur - prev) * 100 / prev``; ``prev == 0`` gives missing data
``pct_decrease(cur, prev)``     ``(prev - cur) * 100 / prev`` (a fall of 20% gives 20)
``rank(value, "scale")``        1-based position of a rating in an ordered scale
=============================== ============================================================

"Missing data" is a CEL ``null``: comparing it raises inside CEL, and the evaluator turns the
criterion into ``missing_data`` with the helper's reason — never ``met``, never ``not_met``.
Percent results are rounded to 9 decimal places so that 9 of 10 is exactly 90 and a boundary
case such as 3 of 200 = 1,5% compares as a person expects.

What we learned about ``common-expression-language`` 0.10.0 (import name ``cel``), by experiment:

* ``cel.compile(text)`` parses; syntax errors raise ``ValueError`` whose message holds one or
  more ``ERROR: <input>:LINE:COL: Syntax error: ...`` parts (1-based, code points). Compiling
  costs ~25 µs, so programs are compiled once per version and cached.
* ``Program.execute(ctx)`` with a ``cel.Context`` costs ~0.5 µs for a small rule; passing a plain
  dict instead converts every variable on each call (~2 µs per variable), so the evaluator
  builds one Context per batch and pushes each unit's values with ``Context.update`` (~0.2 µs a
  value). ``set_variable_resolver`` also works (return ``None`` to fall through to variables
  added with ``add_variable``) but its Python callback runs on every read, which is slower.
* Each call of a Python function from CEL costs about 1–2 µs (argument and result conversion).
  Computing the helpers in Python first and passing their values as variables was tried and
  was not faster (the Python side of that costs as much), so rules call the helpers directly;
  the explainer calls the same Python functions.
* An undefined variable or function raises ``RuntimeError("Undefined variable or function")``
  at run time, not at compile time; a missing map key (``params.nope``) raises ``KeyError``.
* Types are not coerced: ``int + double`` and ``bool + int`` raise ``TypeError`` ("No such
  overload" / "Unsupported operation"); ``int / int`` is integer division; ``5 / 0`` raises
  ``ZeroDivisionError`` while ``5.0 / 0.0`` is ``inf``. Comparisons across int and double are
  allowed (``2 >= 1.5``), and ``1 == 1.0`` is true. ``null < 1`` raises; ``x == null`` is false.
* ``&&``/``||`` absorb errors when the other side decides (``false && <error>`` is false).
* Python ``int``/``float``/``bool``/``str``/``None``/``dict``/``list`` and ``datetime`` convert;
  ``Decimal`` becomes ``double``; ``datetime.date`` does **not** convert (so date values are
  passed as UTC ``datetime``). Results come back as Python values (``uint`` as ``int``).
* A Python function that raises inside CEL becomes ``RuntimeError("Function 'f' error ...")``
  and the library also prints the traceback to stderr — so helpers here never raise: they
  return ``None`` for missing data.
* ``Program.variables()``/``functions()`` list names without positions, which is why
  :mod:`.cel_ast` exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PCT_DIGITS = 9


@dataclass(frozen=True)
class HelperSpec:
    """Static facts about one helper: its arguments, result and documentation.

    ``args`` uses the kinds ``number``, ``indicator_code`` (a string literal naming an
    indicator), ``scale_code`` (a string literal naming a scale) and ``string``. ``returns`` is a
    type name of :mod:`.typecheck`, or ``indicator`` for "the type of the named indicator".
    """

    name: str
    args: tuple[str, ...]
    returns: str
    doc_vi: str
    doc_en: str
    example: str


HELPERS: dict[str, HelperSpec] = {
    h.name: h
    for h in (
        HelperSpec(
            "prev_year",
            ("indicator_code",),
            "indicator",
            "Giá trị của chỉ tiêu cùng kỳ năm trước",
            "The indicator's value in the same period one year earlier",
            'pct_decrease(drug_users, prev_year("drug_users")) >= params.drug_users_decrease_min',
        ),
        HelperSpec(
            "prev_period",
            ("indicator_code",),
            "indicator",
            "Giá trị của chỉ tiêu ở kỳ liền trước (cùng loại kỳ)",
            "The indicator's value in the previous period of the same type",
            'headcount >= prev_period("headcount")',
        ),
        HelperSpec(
            "ratio",
            ("number", "number"),
            "double",
            "Tỷ số a / b; mẫu số bằng 0 thì coi là thiếu số liệu",
            "a / b; a zero denominator means missing data",
            "ratio(officers_with_degree, headcount) >= params.degree_share_min",
        ),
        HelperSpec(
            "pct",
            ("number", "number"),
            "double",
            "Tỷ lệ phần trăm part * 100 / whole; whole bằng 0 thì thiếu số liệu",
            "part * 100 / whole; a zero whole means missing data",
            "pct(reoffenders, supervised_persons) < params.recidivism_max",
        ),
        HelperSpec(
            "pct_done",
            ("number", "number"),
            "double",
            "Tỷ lệ hoàn thành (%): không có việc phải làm (total = 0) tính là 100%; "
            "done âm hoặc lớn hơn total là số liệu mâu thuẫn (thiếu số liệu)",
            "Percent done: nothing to do (total = 0) counts as 100%; done < 0 or done > total "
            "is contradictory data (missing)",
            "pct_done(crime_reports_handled, crime_reports_received) >= params.reports_min",
        ),
        HelperSpec(
            "pct_change",
            ("number", "number"),
            "double",
            "Mức thay đổi (%) so với kỳ trước: (cur - prev) * 100 / prev; prev bằng 0 thì "
            "thiếu số liệu",
            "Percent change (cur - prev) * 100 / prev; prev = 0 means missing data",
            'pct_change(fugitives_caught, prev_year("fugitives_caught")) >= params.min',
        ),
        HelperSpec(
            "pct_decrease",
            ("number", "number"),
            "double",
            "Mức giảm (%) so với kỳ trước: (prev - cur) * 100 / prev; prev bằng 0 thì thiếu "
            "số liệu",
            "Percent decrease (prev - cur) * 100 / prev; prev = 0 means missing data",
            'pct_decrease(crime_cases, prev_year("crime_cases")) >= params.crime_decrease_min',
        ),
        HelperSpec(
            "rank",
            ("string", "scale_code"),
            "int",
            "Thứ hạng (1 = thấp nhất) của một mức xếp loại trong thang đã khai báo",
            "1-based position (1 = lowest) of a rating in a declared scale",
            'rank(party_committee_rating, "party_rating") >= '
            'rank(params.party_committee_rating_min, "party_rating")',
        ),
    )
}

# CEL built-ins that rules may use, with their result types (see typecheck.py).
BUILTIN_FUNCTIONS: dict[str, str] = {
    "size": "int",
    "int": "int",
    "double": "double",
    "string": "string",
    "has": "bool",
    "dyn": "dyn",
    "timestamp": "timestamp",
}
BUILTIN_METHODS: dict[str, str] = {
    "contains": "bool",
    "startsWith": "bool",
    "endsWith": "bool",
    "matches": "bool",
    "size": "int",
}
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


_NUMBER_TYPES = (int, float)


def _is_number(x: Any) -> bool:
    return type(x) in _NUMBER_TYPES  # exact types: a bool is not a number here


def _round(x: float) -> float:
    return round(x, PCT_DIGITS)


def ratio(a: Any, b: Any) -> float | None:
    """``a / b``; ``None`` (missing data) when an argument is missing or ``b`` is zero."""
    if not (_is_number(a) and _is_number(b)) or b == 0:
        return None
    return _round(a / b)


def pct(part: Any, whole: Any) -> float | None:
    """``part * 100 / whole``; ``None`` when ``whole`` is zero or an argument is missing."""
    if not (_is_number(part) and _is_number(whole)) or whole == 0:
        return None
    return _round(part * 100 / whole)


def pct_done(done: Any, total: Any) -> float | None:
    """Percent of ``total`` that is done; nothing to do counts as 100%.

    Contradictory counts (negative, or more done than there was to do) are missing data,
    because a figure like 105% would otherwise pass a 100% threshold.
    """
    if not (_is_number(done) and _is_number(total)) or done < 0 or total < 0 or done > total:
        return None
    if total == 0:
        return 100.0
    return _round(done * 100 / total)


def pct_change(current: Any, previous: Any) -> float | None:
    """``(current - previous) * 100 / previous``; ``None`` when ``previous`` is zero."""
    if not (_is_number(current) and _is_number(previous)) or previous == 0:
        return None
    return _round((current - previous) * 100 / previous)


def pct_decrease(current: Any, previous: Any) -> float | None:
    """``(previous - current) * 100 / previous``; ``None`` when ``previous`` is zero."""
    if not (_is_number(current) and _is_number(previous)) or previous == 0:
        return None
    return _round((previous - current) * 100 / previous)


def missing_reason(name: str, args: list[Any]) -> tuple[str, str]:
    """Why helper ``name`` returned missing data for ``args`` (Vietnamese, English)."""
    if any(a is None for a in args):
        return ("thiếu giá trị đầu vào", "an input value is missing")
    if name in ("ratio", "pct"):
        return ("mẫu số bằng 0, không tính được tỷ lệ", "the denominator is zero")
    if name in ("pct_change", "pct_decrease"):
        return (
            "giá trị kỳ trước bằng 0, không tính được tỷ lệ thay đổi",
            "the previous value is zero, so no percent change exists",
        )
    if name == "pct_done":
        return (
            "số đã hoàn thành âm hoặc lớn hơn tổng số (số liệu mâu thuẫn)",
            "done is negative or exceeds the total (contradictory data)",
        )
    if name == "rank":
        return ("giá trị không thuộc thang xếp loại", "the value is not a level of the scale")
    return ("không tính được", "could not be computed")


class EvaluationState:
    """Per-call state that the stateful helpers read: the current unit's earlier values.

    The evaluator swaps ``prev_year`` / ``prev_period`` (dicts of CEL-ready values) for each
    unit; the CEL functions below are closures over this object, so one ``cel.Context`` serves
    a whole batch without rebuilding its functions.
    """

    __slots__ = ("prev_period", "prev_year", "values")

    def __init__(self) -> None:
        self.values: Mapping[str, Any] = {}
        self.prev_year: Mapping[str, Any] = {}
        self.prev_period: Mapping[str, Any] = {}


def make_functions(
    state: EvaluationState, scales: Mapping[str, tuple[str, ...]]
) -> dict[str, Callable[..., Any]]:
    """Build the callables registered in a ``cel.Context`` for one evaluation call.

    ``scales`` maps scale codes to their levels (lowest first). None of these functions raises:
    each returns ``None`` for missing data so the evaluator can explain instead of crash.
    """
    ranks = {
        code: {level: i + 1 for i, level in enumerate(levels)} for code, levels in scales.items()
    }

    def prev_year(code: Any) -> Any:
        return state.prev_year.get(code) if isinstance(code, str) else None

    def prev_period(code: Any) -> Any:
        return state.prev_period.get(code) if isinstance(code, str) else None

    def rank(value: Any, scale: Any) -> int | None:
        table = ranks.get(scale) if isinstance(scale, str) else None
        if table is None or not isinstance(value, str):
            return None
        return table.get(value)

    return {
        "prev_year": prev_year,
        "prev_period": prev_period,
        "ratio": ratio,
        "pct": pct,
        "pct_done": pct_done,
        "pct_change": pct_change,
        "pct_decrease": pct_decrease,
        "rank": rank,
    }


def to_cel(value: Any) -> Any:
    """Convert a normalised Python value to what ``cel`` accepts (dates become UTC datetimes)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value


def from_cel(value: Any) -> Any:
    """Convert a CEL result back: UTC midnight datetimes become dates."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.time() == dt.time(0):
        return value.date()
    return value
