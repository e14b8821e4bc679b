"""Shared test data: the default criteria set and a unit that meets every criterion.

The figures are realistic (DOMAIN.md §3): An Tảo ward's 2,160 m² of land, Hưng Yên's 2022
crime figures, civil-defence teams in every residential group.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from kieumau.criteria.samples import BASE_CURRENT, BASE_PREVIOUS
from kieumau.engine import Unit, VersionSpec, load_version_file

DEFAULT_YAML = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "kieumau"
    / "criteria"
    / "data"
    / "default_22.yaml"
)

WARD = Unit("HY-AN-TAO", "ward", dt.date(2025, 12, 31))
PERIOD = "2025"
PREV = "2024"


@cache
def default_version() -> VersionSpec:
    """The shipped default set, loaded once per test session."""
    return load_version_file(DEFAULT_YAML)


def good_current() -> dict[str, Any]:
    """Values for 2025 under which every default criterion is met (with some margin)."""
    return {
        **BASE_CURRENT,
        "security_land_area": 2160,
        "crime_reports_received": 58,
        "crime_reports_handled_on_time": 58,
    }


def good_previous() -> dict[str, Any]:
    """2024 values that the "vs previous year" rules compare with."""
    return dict(BASE_PREVIOUS)


def good_readings(**overrides: Any) -> dict[str, dict[str, Any]]:
    """Readings meeting every criterion; ``overrides`` replace 2025 values (None removes)."""
    current = good_current()
    for key, value in overrides.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    return {PERIOD: current, PREV: good_previous()}
