"""The criteria specification: frozen dataclasses describing one version of a criteria set.

A criteria set (e.g. the 22 provisional criteria of QĐ 5764/QĐ-BCA-V05) is versioned *data*:
the Ministry re-issues it, provinces raise floors, and every stored score must name the exact
version it was computed with. These classes are that data, immutable so that a published
version cannot be changed by accident after results were computed from it.

* :class:`IndicatorSpec` – a figure a unit reports (land area, crime cases ...), with its type,
  unit of measure, reporting period and how shorter periods roll up into longer ones.
* :class:`ParameterSpec` – a named threshold (``params.land_area_min = 500``) so that no
  threshold is buried inside a rule.
* :class:`ScaleSpec` – an ordered list of ratings ("Hoàn thành nhiệm vụ" < "Hoàn thành tốt nhiệm
  vụ" < ...) so rules can say "at least this rating" with ``rank()``.
* :class:`GroupSpec`, :class:`CriterionSpec` – the 7 groups and the criteria with their CEL
  rules, applicability, required evidence and provenance.
* :class:`VersionSpec` – everything above plus the version's identity, status and validity.

Nothing here checks cross references; :mod:`.rules` (``validate_version``) does, and
:mod:`.loader` turns plain dicts (YAML) into these classes and back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from .periods import CALENDAR_YEAR, ReportingYear

VALUE_TYPES: tuple[str, ...] = (
    "integer",
    "decimal",
    "percentage",
    "boolean",
    "choice",
    "date",
    "text",
)
"""Indicator value types. ``percentage`` values are on the 0–100 scale (92.5 means 92,5%)."""

NUMERIC_VALUE_TYPES: frozenset[str] = frozenset({"integer", "decimal", "percentage"})

STATUSES: tuple[str, ...] = ("draft", "published", "retired")
"""Life cycle of a version: only a version without errors may become ``published``."""

UNIT_KINDS: tuple[str, ...] = ("ward", "commune", "township", "special_zone")
"""Kinds of commune-level units: phường, xã, thị trấn, đặc khu."""

UNIT_KIND_LABELS_VI = {
    "ward": "phường",
    "commune": "xã",
    "township": "thị trấn",
    "special_zone": "đặc khu",
}
UNIT_KIND_LABELS_EN = {
    "ward": "ward",
    "commune": "commune",
    "township": "township",
    "special_zone": "special zone",
}

ParamValue = int | float | bool | str


@dataclass(frozen=True)
class IndicatorSpec:
    """A figure that units report for a period.

    ``code`` is the identifier used in rules (snake_case English). ``unit_vi``/``unit_en`` is the
    unit of measure printed after values ("m²", "vụ"/"cases", "%"). ``period_type`` is how often
    it is reported; ``aggregation`` says how values of that period roll up into longer periods
    (``sum`` for counts of events, ``last`` for stocks and yes/no facts). ``min_value`` /
    ``max_value`` bound numeric values: a value outside them is treated as invalid data, never
    as a result. ``choices`` lists the allowed answers of a ``choice`` indicator.
    """

    code: str
    name_vi: str
    name_en: str
    value_type: str = "integer"
    unit_vi: str = ""
    unit_en: str = ""
    period_type: str = "year"
    aggregation: str = "last"
    min_value: int | float | None = None
    max_value: int | float | None = None
    choices: tuple[str, ...] = ()
    description_vi: str = ""


@dataclass(frozen=True)
class ParameterSpec:
    """A named threshold referenced in rules as ``params.NAME``.

    ``value`` is an int, float, bool or text (a text value is typically a rating floor used
    with ``rank``). ``label_vi`` is the phrase printed before the
    value in explanations ("Diện tích đất tối thiểu 500 m²"), so write it as a noun phrase.
    """

    name: str
    value: ParamValue
    label_vi: str
    label_en: str = ""
    unit_vi: str = ""
    unit_en: str = ""


@dataclass(frozen=True)
class ScaleSpec:
    """An ordered rating scale, lowest level first, used by ``rank(value, "scale")``."""

    code: str
    name_vi: str
    name_en: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class GroupSpec:
    """A group of criteria ("1".."7"), shown in ``order``."""

    code: str
    name_vi: str
    name_en: str
    order: int = 0


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion: a CEL rule over indicator codes and ``params``, plus its paperwork.

    ``applies_to`` lists the unit kinds it applies to (empty = every kind). ``valid_from`` /
    ``valid_to`` restrict it to evaluation periods whose last day falls in that range.
    ``evidence`` lists, in Vietnamese, the documents a unit must attach; ``provenance`` says
    where the criterion comes from (document and section) so reviewers can check it.
    """

    code: str
    group: str
    name_vi: str
    name_en: str
    rule: str
    requirement_vi: str = ""
    requirement_en: str = ""
    applies_to: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    evidence: tuple[str, ...] = ()
    provenance: str = ""
    order: int = 0


@dataclass(frozen=True)
class VersionSpec:
    """One version of a criteria set, complete and self-contained.

    ``set_code`` + ``version`` identify it ("QD5764" v1). ``status`` is draft, published or
    retired; ``valid_from``/``valid_to`` is when it is in force; ``provisional`` marks a
    reconstruction that must be replaced by the official text when it is public; ``sources``
    lists the documents it was built from. ``reporting_year`` is the year the standard counts
    (TT 124: ``ReportingYear(11, 16)``, 16/11–15/11); evaluating the year *N* then rolls up the
    months, quarters and half-years that belong to reporting year *N* (see
    :meth:`~.periods.ReportingYear.subperiods_of`). The default is the calendar year.
    """

    set_code: str
    set_name_vi: str
    set_name_en: str
    version: int
    status: str = "draft"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    provisional: bool = False
    sources: tuple[str, ...] = ()
    notes_vi: str = ""
    reporting_year: ReportingYear = CALENDAR_YEAR
    parameters: tuple[ParameterSpec, ...] = ()
    scales: tuple[ScaleSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    criteria: tuple[CriterionSpec, ...] = ()
    indicators: tuple[IndicatorSpec, ...] = ()

    @cached_property
    def indicators_by_code(self) -> dict[str, IndicatorSpec]:
        """Indicators keyed by code (last one wins if codes repeat; validation reports that)."""
        return {i.code: i for i in self.indicators}

    @cached_property
    def parameters_by_name(self) -> dict[str, ParameterSpec]:
        """Parameters keyed by name."""
        return {p.name: p for p in self.parameters}

    @cached_property
    def scales_by_code(self) -> dict[str, ScaleSpec]:
        """Scales keyed by code."""
        return {s.code: s for s in self.scales}

    @cached_property
    def groups_by_code(self) -> dict[str, GroupSpec]:
        """Groups keyed by code."""
        return {g.code: g for g in self.groups}

    @cached_property
    def criteria_by_code(self) -> dict[str, CriterionSpec]:
        """Criteria keyed by code."""
        return {c.code: c for c in self.criteria}

    @property
    def label(self) -> str:
        """Short identity such as "QD5764 v1"."""
        return f"{self.set_code} v{self.version}"

    def in_force_on(self, day: dt.date) -> bool:
        """True when ``day`` lies within ``valid_from``..``valid_to`` (open ends allowed)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)
