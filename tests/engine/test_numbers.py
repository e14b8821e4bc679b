"""Vietnamese number formatting: decimal comma, dot thousands separator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kieumau.engine import format_number, format_quantity


@pytest.mark.parametrize(
    ("value", "unit", "vi", "en"),
    [
        (2160, "m²", "2.160 m²", "2,160 m²"),
        (2160.0, "m²", "2.160 m²", "2,160 m²"),
        (821.6, "m²", "821,6 m²", "821.6 m²"),
        (1.2, "%", "1,2%", "1.2%"),
        (1.5, "%", "1,5%", "1.5%"),
        (91.6666666, "%", "91,67%", "91.67%"),
        (1000, "", "1.000", "1,000"),
        (999, "", "999", "999"),
        (1234567, "vụ", "1.234.567 vụ", "1,234,567 vụ"),
        (-6.5, "%", "-6,5%", "-6.5%"),
        (0, "vụ", "0 vụ", "0 vụ"),
        (Decimal("155.60"), "m²", "155,6 m²", "155.6 m²"),
        (-0.001, "", "0", "0"),
    ],
)
def test_numbers(value: object, unit: str, vi: str, en: str) -> None:
    assert format_quantity(value, unit, lang="vi") == vi
    assert format_quantity(value, unit, lang="en") == en


def test_more_decimals_on_request() -> None:
    assert format_number(1.4999, decimals=4) == "1,4999"
    assert format_number(1.4999) == "1,5"


def test_other_values() -> None:
    assert format_quantity(True) == "có"
    assert format_quantity(False, lang="en") == "no"
    assert format_quantity(None) == "không có số liệu"
    assert format_quantity(dt.date(2021, 7, 13)) == "13/07/2021"
    assert format_quantity(dt.date(2021, 7, 13), lang="en") == "2021-07-13"
    assert format_quantity("Đơn vị Quyết thắng") == "“Đơn vị Quyết thắng”"


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(TypeError):
        format_number(True)
