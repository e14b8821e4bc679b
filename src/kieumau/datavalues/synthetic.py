"""Plausible synthetic values for demo and benchmark data (always flagged `is_synthetic`).

Values are drawn per indicator from its type and bounds, for the indicator's own period type
inside the requested year, so roll-ups (months → year) exercise the same paths as real data.
"""

import random

from kieumau.engine import Period, VersionSpec


def _draw(indicator, rng: random.Random):
    kind = indicator.value_type
    if kind == "boolean":
        return rng.random() < 0.9
    if kind == "choice":
        return rng.choice(
            indicator.choices[-2:] if len(indicator.choices) > 1 else indicator.choices
        )
    if kind == "percentage":
        return round(rng.uniform(85, 100), 1)
    low = indicator.min_value if indicator.min_value is not None else 0
    high = indicator.max_value if indicator.max_value is not None else max(low + 50, 50)
    if kind == "decimal":
        return round(rng.uniform(low, min(high, low + 3000)), 1)
    if kind == "integer":
        return rng.randint(int(low), int(min(high, low + 60)))
    if kind == "date":
        return f"{rng.randint(2020, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return "Dữ liệu mô phỏng"


def synthetic_year_values(
    spec: VersionSpec, year: int, rng: random.Random
) -> dict[tuple[str, str], object]:
    """{(indicator code, period code): value} for every indicator of `spec` in `year`."""
    out: dict[tuple[str, str], object] = {}
    year_period = Period.of_year(year)
    for indicator in spec.indicators:
        periods = (
            [year_period]
            if indicator.period_type == "year"
            else list(year_period.subperiods(indicator.period_type))
        )
        for period in periods:
            out[(indicator.code, period.code)] = _draw(indicator, rng)
    return out
