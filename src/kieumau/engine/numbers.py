"""Vietnamese (and English) formatting of the values shown in explanations.

Vietnamese writes numbers with a decimal comma and a dot between thousands: "2.160 m²",
"821,6 m²", "1,2%". An explanation that reads "2,160" to a Vietnamese clerk means two point
one six, so getting this wrong would make every explanation misleading. English uses the
opposite separators ("2,160 m²", "1.2%").

Rules used here:

* integers get thousands separators from 1.000 up (``1000 -> "1.000"``);
* decimals are rounded to ``decimals`` places (2 by default) and trailing zeros are dropped
  (``821.60 -> "821,6"``, ``90.0 -> "90"``); the explainer asks for more places when two
  different values would otherwise print the same;
* the unit follows after a space, except "%" which sticks to the number ("1,2%");
* booleans read "có"/"không" ("yes"/"no"); dates "13/07/2021" (ISO in English); text is
  quoted “…”.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

_NO_SPACE_UNITS = frozenset({"%", "‰"})


def format_number(value: int | float | Decimal, *, lang: str = "vi", decimals: int = 2) -> str:
    """Format a number with the separators of ``lang`` ("vi" or "en").

    Protects explanations from showing "1.5" to Vietnamese readers (who would read it as one
    thousand five hundred) and from float noise such as "1,2000000000000002".
    """
    if type(value) is int and -1000 < value < 1000:
        return str(value)
    if isinstance(value, bool):
        raise TypeError("format_number expects a number, not a boolean")
    thousands, point = (".", ",") if lang == "vi" else (",", ".")
    if isinstance(value, float) and not math.isfinite(value):
        return "∞" if value > 0 else ("-∞" if value < 0 else "NaN")
    if isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", thousands)
    text = f"{float(value):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = "0"
    integer, _, fraction = text.partition(".")
    integer = integer.replace(",", thousands)
    return f"{integer}{point}{fraction}" if fraction else integer


def format_quantity(value: Any, unit: str = "", *, lang: str = "vi", decimals: int = 2) -> str:
    """Format ``value`` followed by its unit ("2.160 m²", "1,2%", "191 vụ", "có", "13/07/2021").

    ``None`` prints as "không có số liệu" / "no data" so a missing value is never shown as 0.
    """
    if value is None:
        return "không có số liệu" if lang == "vi" else "no data"
    if isinstance(value, bool):
        if lang == "vi":
            return "có" if value else "không"
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        number = format_number(value, lang=lang, decimals=decimals)
        if not unit:
            return number
        if unit in _NO_SPACE_UNITS:
            return f"{number}{unit}"
        return f"{number} {unit}"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(format_quantity(v, "", lang=lang, decimals=decimals) for v in value)
        return "{" + inner + "}"
    return str(value)


def format_percent(value: float | int, *, lang: str = "vi", decimals: int = 2) -> str:
    """Format a percentage given on the 0–100 scale ("92,5%")."""
    return format_quantity(value, "%", lang=lang, decimals=decimals)
