"""Turning raw input (form text, CSV/CLI strings, JSON) into a typed value for an indicator.

One place decides what a valid value is, so the form, the CLI, the API and the Excel importer
refuse the same things with the same Vietnamese message.
"""

import datetime as dt
import math
import re

from kieumau.core.errors import Problem

_TRUE = {"1", "true", "yes", "có", "co", "đạt", "x"}
_FALSE = {"0", "false", "no", "không", "khong", "không đạt"}


def _number(raw) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().replace(" ", "").replace("%", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _bound(number) -> str:
    """A limit as Vietnamese write it (0, 100, 1,5), or "…" when there is none."""
    if number is None:
        return "…"
    if float(number).is_integer():
        return str(int(number))
    return str(number).replace(".", ",")


def parse_value(indicator, raw, *, where: str = ""):
    """The typed value of `raw` for `indicator`, or a Problem saying why not (in Vietnamese).

    Accepts Vietnamese number formats ("2.160", "1,5"), yes/no words, dd/mm/yyyy dates.
    Returns (value, None) or (None, Problem).
    """
    label = f"{where}{indicator.code} ({indicator.name_vi})"
    kind = indicator.value_type
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, Problem(f"{label}: thiếu giá trị", "missing value", field=indicator.code)
    if kind in {"integer", "decimal", "percentage"}:
        number = _number(raw)
        if number is None:
            return None, Problem(
                f"{label}: '{raw}' không phải là số",
                f"'{raw}' is not a number",
                field=indicator.code,
            )
        if kind == "integer":
            if number != int(number):
                return None, Problem(
                    f"{label}: '{raw}' phải là số nguyên",
                    "must be an integer",
                    field=indicator.code,
                )
            number = int(number)
        low, high = indicator.min_value, indicator.max_value
        if kind == "percentage":
            low = 0 if low is None else low
            high = 100 if high is None else high
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"từ {_bound(low)} đến {_bound(high)}"
            return None, Problem(
                f"{label}: {raw} nằm ngoài giới hạn cho phép ({bounds})",
                "out of bounds",
                field=indicator.code,
            )
        return number, None
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, Problem(
            f"{label}: '{raw}' phải là có/không", "must be yes/no", field=indicator.code
        )
    if kind == "choice":
        text = str(raw).strip()
        if text in indicator.choices:
            return text, None
        return None, Problem(
            f"{label}: '{text}' không nằm trong danh sách: {'; '.join(indicator.choices)}",
            "not one of the choices",
            field=indicator.code,
        )
    if kind == "date":
        if isinstance(raw, dt.date):
            return raw.isoformat(), None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(str(raw).strip(), fmt).date().isoformat(), None
            except ValueError:
                continue
        return None, Problem(
            f"{label}: ngày '{raw}' không hợp lệ (dd/mm/yyyy)", "invalid date", field=indicator.code
        )
    text = str(raw).strip()
    if len(text) > 2000:
        return None, Problem(
            f"{label}: văn bản dài quá 2.000 ký tự", "text too long", field=indicator.code
        )
    return text, None
