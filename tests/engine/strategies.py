"""Hypothesis strategies that build valid-looking criteria versions for round-trip tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from kieumau.engine import (
    AGGREGATIONS,
    PERIOD_TYPES,
    STATUSES,
    UNIT_KINDS,
    VALUE_TYPES,
    CriterionSpec,
    GroupSpec,
    IndicatorSpec,
    ParameterSpec,
    ReportingYear,
    ScaleSpec,
    VersionSpec,
)

_RESERVED = {"in", "as", "if", "for", "var", "let", "true", "false", "null", "params"}

codes = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda s: s not in _RESERVED)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=25)
names = texts.filter(lambda s: s.strip() != "")
dates = st.none() | st.dates()
# First days of a reporting year: any day of a common year (1 January is the calendar year).
reporting_years = st.just(ReportingYear()) | st.dates(
    min_value=dt.date(2001, 1, 1), max_value=dt.date(2001, 12, 31)
).map(lambda day: ReportingYear(day.month, day.day))
numbers = (
    st.none()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
)
param_values = (
    st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | texts
)


@st.composite
def indicators(draw, code: str) -> IndicatorSpec:
    value_type = draw(st.sampled_from(VALUE_TYPES))
    choices = (
        tuple(draw(st.lists(names, min_size=1, max_size=4, unique=True)))
        if value_type == "choice"
        else ()
    )
    return IndicatorSpec(
        code=code,
        name_vi=draw(names),
        name_en=draw(texts),
        value_type=value_type,
        unit_vi=draw(texts),
        unit_en=draw(texts),
        period_type=draw(st.sampled_from(PERIOD_TYPES)),
        aggregation=draw(st.sampled_from(AGGREGATIONS)),
        min_value=draw(numbers),
        max_value=draw(numbers),
        choices=choices,
        description_vi=draw(texts),
    )


@st.composite
def versions(draw) -> VersionSpec:
    ind_codes = draw(st.lists(codes, max_size=5, unique=True))
    param_names = draw(st.lists(codes, max_size=4, unique=True))
    scale_codes = draw(st.lists(codes, max_size=2, unique=True))
    group_codes = draw(
        st.lists(st.from_regex(r"[1-9]", fullmatch=True), min_size=1, max_size=3, unique=True)
    )
    criterion_codes = draw(
        st.lists(st.from_regex(r"[1-9]\.[1-9]", fullmatch=True), max_size=4, unique=True)
    )
    return VersionSpec(
        set_code=draw(st.from_regex(r"[A-Z][A-Z0-9]{0,7}", fullmatch=True)),
        set_name_vi=draw(names),
        set_name_en=draw(texts),
        version=draw(st.integers(1, 50)),
        status=draw(st.sampled_from(STATUSES)),
        valid_from=draw(dates),
        valid_to=draw(dates),
        provisional=draw(st.booleans()),
        sources=tuple(draw(st.lists(names, max_size=3))),
        notes_vi=draw(texts),
        reporting_year=draw(reporting_years),
        parameters=tuple(
            ParameterSpec(n, draw(param_values), draw(names), draw(texts), draw(texts), draw(texts))
            for n in param_names
        ),
        scales=tuple(
            ScaleSpec(
                c, draw(names), draw(texts), tuple(draw(st.lists(names, min_size=0, max_size=4)))
            )
            for c in scale_codes
        ),
        groups=tuple(
            GroupSpec(c, draw(names), draw(texts), draw(st.integers(0, 20))) for c in group_codes
        ),
        criteria=tuple(
            CriterionSpec(
                code=c,
                group=draw(st.sampled_from(group_codes)),
                name_vi=draw(names),
                name_en=draw(texts),
                rule=draw(names),
                requirement_vi=draw(texts),
                requirement_en=draw(texts),
                applies_to=tuple(draw(st.lists(st.sampled_from(UNIT_KINDS), unique=True))),
                valid_from=draw(dates),
                valid_to=draw(dates),
                evidence=tuple(draw(st.lists(names, max_size=3))),
                provenance=draw(texts),
                order=draw(st.integers(0, 30)),
            )
            for c in criterion_codes
        ),
        indicators=tuple(draw(indicators(c)) for c in ind_codes),
    )
