"""The criteria engine: criteria spec + readings -> results with explanations. Pure Python.

No Django here, ever (an import-linter contract enforces it): the engine must be testable in
milliseconds, usable from the CLI, background tasks and the API alike, and every result must be
reproducible from its inputs alone. Frozen dataclasses go in and come out.

Public API
==========

Specification (``spec``, ``loader``)
    ``IndicatorSpec``, ``ParameterSpec``, ``ScaleSpec``, ``GroupSpec``, ``CriterionSpec``,
    ``VersionSpec``; constants ``VALUE_TYPES``, ``PERIOD_TYPES``, ``AGGREGATIONS``,
    ``STATUSES``, ``UNIT_KINDS``.
    ``version_from_dict(d, *, strict=True) -> VersionSpec`` (raises ``SpecError``),
    ``version_to_dict(spec, *, json_safe=False) -> dict``,
    ``load_version_yaml(text, *, strict=True)``, ``load_version_file(path, *, strict=True)``,
    ``dump_version_yaml(spec) -> str``.

Validation (``rules``)
    ``validate_rule(expr, version) -> list[RuleProblem]``,
    ``validate_version(spec) -> list[SpecProblem]``, ``is_publishable(spec) -> bool``,
    ``compile_version(spec) -> CompiledVersion``,
    ``affected_criteria(version, indicator_code) -> set[str]``.

Evaluation (``evaluate``, ``readings``, ``results``, ``digest``)
    ``Unit(code, kind, as_of)``, ``Readings.from_periods({...})``/``Readings.from_items(...)``,
    ``evaluate_unit(version, unit, period, readings) -> UnitResult``,
    ``evaluate_many(version, [(unit, readings), ...], *, period) -> list[UnitResult]``,
    ``input_digest(version, unit, period, readings) -> str``,
    ``version_digest(spec) -> str``; results ``UnitResult``,
    ``GroupResult``, ``CriterionResult`` (``explanation_vi``/``explanation_en``/``conditions``
    rendered lazily by ``Explanation``), ``ConditionResult``; statuses ``MET``, ``NOT_MET``,
    ``MISSING_DATA``, ``NOT_APPLICABLE``.

Periods (``periods``)
    ``Period``, ``parse_period(code)``, ``format_period(p)``, ``period_containing(day, type)``,
    ``rollup(values, aggregation)``, ``ReportingYear(start_month, start_day)`` with
    ``CALENDAR_YEAR``, ``TT124_REPORTING_YEAR``, ``TT124_RESIDENTIAL_YEAR``;
    ``ReportingYear.from_code("11-16")``, ``.subperiods(year, type)``,
    ``.subperiods_of(period, type)`` (what a year rolls up), ``.year_of_period(p)``,
    ``.label_vi(year)``. ``VersionSpec.reporting_year`` is the version's own year.

Formatting (``numbers``)
    ``format_number(value, *, lang="vi", decimals=2)``, ``format_quantity(value, unit, ...)``.

Helpers available in rules (``functions``)
    ``HELPERS`` — ``prev_year``, ``prev_period``, ``ratio``, ``pct``, ``pct_done``,
    ``pct_change``, ``pct_decrease``, ``rank``; documented in ``docs/criteria-format.md``.

Errors (``errors``)
    ``SpecError`` (``.messages`` Vietnamese, ``.problems``), ``SpecProblem``, ``RuleProblem``,
    ``PeriodError``.
"""

from .digest import version_digest
from .errors import PeriodError, RuleProblem, SpecError, SpecProblem
from .evaluate import evaluate_many, evaluate_unit, input_digest
from .explain import ConditionResult, Explanation
from .functions import HELPERS
from .loader import (
    dump_version_yaml,
    load_version_file,
    load_version_yaml,
    version_from_dict,
    version_to_dict,
)
from .numbers import format_number, format_quantity
from .periods import (
    AGGREGATIONS,
    CALENDAR_YEAR,
    PERIOD_TYPES,
    TT124_REPORTING_YEAR,
    TT124_RESIDENTIAL_YEAR,
    Period,
    ReportingYear,
    format_period,
    parse_period,
    period_containing,
    rollup,
)
from .readings import Readings
from .results import (
    MET,
    MISSING_DATA,
    NOT_APPLICABLE,
    NOT_MET,
    RESULT_STATUSES,
    CriterionResult,
    GroupResult,
    Unit,
    UnitResult,
)
from .rules import (
    CompiledVersion,
    affected_criteria,
    compile_version,
    is_publishable,
    validate_rule,
    validate_version,
)
from .spec import (
    STATUSES,
    UNIT_KINDS,
    VALUE_TYPES,
    CriterionSpec,
    GroupSpec,
    IndicatorSpec,
    ParameterSpec,
    ScaleSpec,
    VersionSpec,
)

__all__ = [
    "AGGREGATIONS",
    "CALENDAR_YEAR",
    "HELPERS",
    "MET",
    "MISSING_DATA",
    "NOT_APPLICABLE",
    "NOT_MET",
    "PERIOD_TYPES",
    "RESULT_STATUSES",
    "STATUSES",
    "TT124_REPORTING_YEAR",
    "TT124_RESIDENTIAL_YEAR",
    "UNIT_KINDS",
    "VALUE_TYPES",
    "CompiledVersion",
    "ConditionResult",
    "CriterionResult",
    "CriterionSpec",
    "Explanation",
    "GroupResult",
    "GroupSpec",
    "IndicatorSpec",
    "ParameterSpec",
    "Period",
    "PeriodError",
    "Readings",
    "ReportingYear",
    "RuleProblem",
    "ScaleSpec",
    "SpecError",
    "SpecProblem",
    "Unit",
    "UnitResult",
    "VersionSpec",
    "affected_criteria",
    "compile_version",
    "dump_version_yaml",
    "evaluate_many",
    "evaluate_unit",
    "format_number",
    "format_period",
    "format_quantity",
    "input_digest",
    "is_publishable",
    "load_version_file",
    "load_version_yaml",
    "parse_period",
    "period_containing",
    "rollup",
    "validate_rule",
    "validate_version",
    "version_digest",
    "version_from_dict",
    "version_to_dict",
]
